//! Lead scoring: the rules file (`scoring.json`), scoring one event into log rows, decay per ISO
//! week, weekly snapshots and score velocity.
//!
//! Pure Rust with no I/O and no clock: every time is an argument (milliseconds since the Unix epoch),
//! so the handler's one clock drives it and tests move time freely. The score of a person is always
//! the sum of their log rows; nothing here keeps a running total that could disagree with the log.

pub mod event;
pub mod log;
pub mod rules;
pub mod score;
pub mod velocity;
pub mod week;

pub use event::{ScoreEvent, ScoreEventKind};
pub use log::{LogRow, ScoreTotals, DECAY_RULE};
pub use rules::{ScoringRules, ScoringRulesError};
pub use score::{decay_rows, first_mql_at, replay, score_event};
pub use velocity::{velocity, weekly_snapshots, ScoreVelocity, WeeklySnapshot};
pub use week::{week_start_ms, WEEK_MS};
