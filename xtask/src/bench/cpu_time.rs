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

/// All processes on this machine whose command is `name` (a database server's), with the time of
/// their children that have exited (a server's finished connections); `None` when there is none.
pub fn used_by_processes_named(name: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut found = false;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if command_of(&stat) == Some(name) {
            if let Some(used) = parse_stat_with_children(&stat) {
                total += used;
                found = true;
            }
        }
    }
    found.then_some(total)
}

/// Field 2, the command name between the first `(` and the last `)`.
fn command_of(stat: &str) -> Option<&str> {
    stat.get(stat.find('(')? + 1..stat.rfind(')')?)
}

/// Fields 14 and 15 (utime, stime) of a stat line. The command name (field 2) may hold spaces
/// and parentheses, so counting starts after its last `)`.
fn parse_stat(stat: &str) -> Option<Duration> {
    Some(ticks(&stat_fields(stat)?[11..13]))
}

/// Fields 14 to 17: the process's own time and that of its children it has waited for.
fn parse_stat_with_children(stat: &str) -> Option<Duration> {
    Some(ticks(&stat_fields(stat)?[11..15]))
}

/// The numeric fields after the command name (from field 3), at least up to field 17.
fn stat_fields(stat: &str) -> Option<Vec<u64>> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<u64> = after_name
        .split_whitespace()
        .skip(1)
        .take(14)
        .map(|field| field.parse().unwrap_or(0))
        .collect();
    // `skip(1)` dropped the state letter (field 3), so index 0 is field 4.
    let mut padded = vec![0];
    padded.extend(fields);
    (padded.len() == 15).then_some(padded)
}

fn ticks(fields: &[u64]) -> Duration {
    Duration::from_millis(fields.iter().sum::<u64>() * 1000 / TICKS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_system_ticks_after_the_command_name() {
        let stat = "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 9";
        assert_eq!(parse_stat(stat), Some(Duration::from_millis(3250)));
        assert_eq!(parse_stat("garbage"), None);
        assert_eq!(
            parse_stat_with_children(stat),
            Some(Duration::from_millis(3250))
        );
        let server = "17 (postgres) S 1 17 17 0 -1 4194560 1000 0 0 0 250 75 100 25 20 0 9";
        assert_eq!(command_of(server), Some("postgres"));
        assert_eq!(
            parse_stat_with_children(server),
            Some(Duration::from_millis(4500))
        );
        assert_eq!(parse_stat(server), Some(Duration::from_millis(3250)));
    }

    #[test]
    fn this_process_has_used_some_time() {
        assert!(used_by_this_process().is_some());
        assert!(used_by(std::process::id()).is_some());
    }
}
