//! The open-file limit: every connection is a file descriptor, and at the limit `accept` fails
//! with "Too many open files" for real visitors too. Many systems start processes with a soft
//! limit of 1024 (or 256) under a much higher hard limit, which a process may raise itself to.

/// Descriptors kept back from connections: database pool, log files, the forwarder's outgoing
/// connections, static files being sent.
pub const RESERVED_FILE_DESCRIPTORS: u64 = 256;

/// Raises the soft open-file limit to the hard limit and returns the soft limit now in force
/// (`None` where it cannot be read).
#[cfg(unix)]
pub fn raise_open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for getrlimit to fill.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: `raised` is a valid rlimit; setrlimit only reads it.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit = raised;
        } else {
            tracing::warn!(
                soft = limit.rlim_cur,
                hard = limit.rlim_max,
                "could not raise the open-file limit"
            );
        }
    }
    Some(limit.rlim_cur)
}

#[cfg(not(unix))]
pub fn raise_open_file_limit() -> Option<u64> {
    None
}

/// The connection cap that fits under `open_file_limit`, never above `configured`.
pub fn connection_cap(configured: usize, open_file_limit: Option<u64>) -> usize {
    let Some(limit) = open_file_limit else {
        return configured;
    };
    let room = limit.saturating_sub(RESERVED_FILE_DESCRIPTORS).max(1);
    configured.min(usize::try_from(room).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_for_the_handlers_own_files() {
        assert_eq!(connection_cap(10_000, Some(1_048_576)), 10_000);
        assert_eq!(connection_cap(10_000, Some(1024)), 768);
        assert_eq!(connection_cap(10_000, Some(100)), 1);
        assert_eq!(connection_cap(10_000, None), 10_000);
    }
}
