//! Injected misbehaviour of the blob host: spending the countdowns of [`Faults`], and sending a
//! body wrong, slowly or cut short.

use bytes::Bytes;
use hyper::{Method, StatusCode};

use super::response::{set, text, Resp};
use super::State;
use crate::body::SentBody;
use crate::Faults;

/// Where the countdowns of one file's faults stand.
#[derive(Default)]
pub(crate) struct FaultState {
    faults: Faults,
    rate_limited: u32,
    failed: u32,
    resets: u32,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> FaultState {
        FaultState {
            faults,
            ..FaultState::default()
        }
    }

    /// Spends one GET: the next 429, then the next 5xx, then the next reset, in that order.
    fn next_get(&mut self, default_bytes_per_sec: Option<u64>) -> Result<Delivery, Box<Resp>> {
        if self.rate_limited < self.faults.rate_limit_first {
            self.rate_limited += 1;
            let mut r = text(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
            set(
                &mut r,
                "retry-after",
                self.faults.retry_after_secs.to_string(),
            );
            return Err(Box::new(r));
        }
        if self.failed < self.faults.fail_first_5xx {
            self.failed += 1;
            return Err(Box::new(if self.failed % 2 == 1 {
                text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            } else {
                text(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
            }));
        }
        let mut cut_after = None;
        if let Some(n) = self.faults.reset_after_bytes {
            if self.resets < self.faults.reset_times {
                self.resets += 1;
                cut_after = Some(n);
            }
        }
        Ok(Delivery {
            bytes_per_sec: self.faults.bytes_per_sec.or(default_bytes_per_sec),
            wrong_bytes: self.faults.wrong_bytes,
            cut_after,
        })
    }
}

/// How the blob host sends a body it does not refuse.
pub(super) struct Delivery {
    bytes_per_sec: Option<u64>,
    wrong_bytes: bool,
    cut_after: Option<u64>,
}

impl Delivery {
    pub(super) fn body(&self, part: Bytes) -> SentBody {
        let part = if self.wrong_bytes {
            Bytes::from(part.iter().map(|b| b ^ 0x5a).collect::<Vec<u8>>())
        } else {
            part
        };
        if self.bytes_per_sec.is_some() || self.cut_after.is_some() {
            SentBody::paced(part, self.bytes_per_sec, self.cut_after)
        } else {
            SentBody::full(part)
        }
    }
}

/// The injected error for a request to the file `key`, or how to send its body. Only GETs spend
/// the countdowns, so a client probing with HEAD does not use up a fault meant for its download.
pub(super) fn next(
    state: &State,
    key: &(String, String),
    method: &Method,
) -> Result<Delivery, Box<Resp>> {
    let default_bytes_per_sec = state.config.bytes_per_sec;
    if *method == Method::GET {
        if let Some(fs) = state.faults.lock().expect("fault lock").get_mut(key) {
            return fs.next_get(default_bytes_per_sec);
        }
    }
    Ok(Delivery {
        bytes_per_sec: default_bytes_per_sec,
        wrong_bytes: false,
        cut_after: None,
    })
}
