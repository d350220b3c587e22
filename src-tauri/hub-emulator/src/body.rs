//! Response bodies that count what was handed to the connection, and can be paced or cut short.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;
use tokio::time::Instant;

enum Inner {
    Full(Option<Bytes>),
    Stream(mpsc::Receiver<Result<Bytes, io::Error>>),
}

pub(crate) struct SentBody {
    inner: Inner,
    remaining: u64,
    counter: Arc<AtomicU64>,
}

impl SentBody {
    pub fn empty() -> SentBody {
        SentBody::full(Bytes::new())
    }

    pub fn full(bytes: impl Into<Bytes>) -> SentBody {
        let bytes = bytes.into();
        SentBody {
            remaining: bytes.len() as u64,
            inner: Inner::Full(Some(bytes)),
            counter: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Streams `data` in chunks, at most `bytes_per_sec` if given; with `cut_after`, sends only
    /// that many bytes and then fails the body, which makes hyper drop the connection mid-body.
    pub fn paced(data: Bytes, bytes_per_sec: Option<u64>, cut_after: Option<u64>) -> SentBody {
        let bytes_per_sec = bytes_per_sec.filter(|b| *b > 0);
        let (tx, rx) = mpsc::channel(1);
        let total = data.len() as u64;
        tokio::spawn(async move {
            // Small chunks under throttling keep the pacing smooth; 20 chunks a second is plenty.
            let chunk = bytes_per_sec.map_or(64 * 1024, |bps| (bps / 20).clamp(1, 64 * 1024));
            let limit = cut_after.map_or(total, |n| n.min(total));
            let start = Instant::now();
            let mut sent = 0u64;
            while sent < limit {
                let n = chunk.min(limit - sent);
                let piece = data.slice(sent as usize..(sent + n) as usize);
                if tx.send(Ok(piece)).await.is_err() {
                    return;
                }
                sent += n;
                if let Some(bps) = bytes_per_sec {
                    let due = start + Duration::from_secs_f64(sent as f64 / bps as f64);
                    tokio::time::sleep_until(due).await;
                }
            }
            if limit < total {
                // Let hyper flush the bytes it already has before the abort, so the client sees
                // exactly `limit` body bytes and not fewer.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let _ = tx
                    .send(Err(io::Error::new(
                        io::ErrorKind::ConnectionReset,
                        "hub emulator: injected connection reset",
                    )))
                    .await;
            }
        });
        SentBody {
            inner: Inner::Stream(rx),
            remaining: total,
            counter: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn counter(&self) -> Arc<AtomicU64> {
        self.counter.clone()
    }
}

impl Body for SentBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = &mut *self;
        let next = match &mut this.inner {
            Inner::Full(b) => b.take().filter(|b| !b.is_empty()).map(Ok),
            Inner::Stream(rx) => match rx.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(item) => item,
            },
        };
        Poll::Ready(next.map(|r| {
            r.map(|b| {
                let n = b.len() as u64;
                this.counter.fetch_add(n, Ordering::Relaxed);
                this.remaining = this.remaining.saturating_sub(n);
                Frame::data(b)
            })
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0 && matches!(&self.inner, Inner::Full(_))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
