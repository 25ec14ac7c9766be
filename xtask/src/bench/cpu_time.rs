//! CPU time a process has used, from `/proc`: on a shared machine, wall-clock throughput moves
//! with everyone else's load, while the CPU time one lead costs does not.

use std::time::Duration;

/// `/proc/<pid>/stat` counts in USER_HZ, which Linux fixes at 100 for user space.
const TICKS_PER_SECOND: u64 = 100;

/// User plus system time used so far by the process `pid` (all its threads); `None` where there
/// is no `/proc` or the process is gone.
pub fn used_by(pid: u32) -> Option<Duration> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The same for this process (the load generator).
pub fn used_by_this_process() -> Option<Duration> {
    parse_stat(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

/// Fields 14 and 15 (utime, stime) of a stat line. The command name (field 2) may hold spaces
/// and parentheses, so counting starts after its last `)`.
fn parse_stat(stat: &str) -> Option<Duration> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis(
        (user + system) * 1000 / TICKS_PER_SECOND,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_system_ticks_after_the_command_name() {
        let stat = "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 9";
        assert_eq!(parse_stat(stat), Some(Duration::from_millis(3250)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn this_process_has_used_some_time() {
        assert!(used_by_this_process().is_some());
        assert!(used_by(std::process::id()).is_some());
    }
}
