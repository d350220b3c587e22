//! Whether the process that wrote a lock on this machine still runs, told apart from a later
//! process that was given the same pid.

/// A process's state letter and start time (clock ticks since boot) from `/proc/<pid>/stat`.
#[cfg(target_os = "linux")]
fn proc_stat(pid: u32) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: count fields after it.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.to_string();
    let start = fields.nth(18)?.parse().ok()?;
    Some((state, start))
}

/// When the process started, in clock ticks since boot (Linux); `None` where unknown.
pub(super) fn process_start(pid: u32) -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        proc_stat(pid).map(|(_, start)| start)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        None
    }
}

/// Whether the process that wrote a lock on this machine still runs.
pub(super) fn process_alive(pid: u32, started: Option<u64>) -> bool {
    #[cfg(target_os = "linux")]
    {
        if std::path::Path::new("/proc/self/stat").exists() {
            return match proc_stat(pid) {
                None => false,
                // A zombie (killed, not yet reaped by its parent) holds nothing any more.
                Some((state, _)) if state == "Z" || state == "X" => false,
                // The same pid with another start time is another process.
                Some((_, now)) => started.is_none_or(|s| s == now),
            };
        }
    }
    #[cfg(unix)]
    {
        let _ = started;
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // Signal 0 checks existence; EPERM means it exists under another user.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        // Without a portable check, only the heartbeat timeout breaks the lock.
        let _ = (pid, started);
        true
    }
}
