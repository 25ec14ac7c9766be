//! Group commit: the intake's writes that arrive together share one transaction and one fsync.
//!
//! Requests hand their lead (with the form token it spends) to a committer task through a channel
//! (one on SQLite, a few sharing the channel on PostgreSQL). A committer waits for the first job,
//! takes whatever else is queued (at most [`SQLITE_MAX_JOBS_PER_COMMIT`] or
//! [`POSTGRES_MAX_JOBS_PER_COMMIT`]), and stores them in one transaction: as sets
//! ([`lead_batch`]), or else each job inside its own savepoint. Only after `COMMIT` returns
//! does any job get its answer, so a 201 still means the lead is on disk. An idle handler commits a
//! lone lead at once: there is no timer, so nothing waits for company.
//!
//! A job that fails inside the batch is rolled back to its savepoint, so it takes nothing of the
//! others with it, and after the commit it is run again alone, in its own transaction: it gets
//! exactly the answer it would have got without the batch. A lone lead takes the set path too,
//! which has fewer statements than the one-lead path. A failure of the whole transaction
//! (`COMMIT` refused, the connection lost) fails every job in it: none was stored, none is told so.

use crate::backend::{with_backend, Backend, BeginWrite};
use crate::error::failed;
use crate::lead_batch::{self, BatchLead};
use crate::lead_steps::spend_token_then_store_lead;
use crate::model::{InsertOutcome, NewLead};
use crate::{Store, StoreError};
use leadform_scoring::ScoringRules;
use sqlx::Acquire;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch, Mutex};
use tokio::task::JoinHandle;

/// The most jobs one SQLite transaction holds: enough to share one fsync among a burst, few
/// enough that the first lead of a batch does not wait long for the last.
const SQLITE_MAX_JOBS_PER_COMMIT: usize = 128;
/// On PostgreSQL a batch stored as sets costs about fifteen round trips whatever its size, so the
/// more jobs share them the better; the server overlaps concurrent commits' flushes itself.
const POSTGRES_MAX_JOBS_PER_COMMIT: usize = 64;
/// Committers sharing the queue on PostgreSQL, of the pool's 10 connections: while one waits for
/// its round trips or its commit, the other's batch keeps the server busy. More made batches
/// smaller, and every batch costs its round trips and its statements' start: on two cores four
/// committers used about 30% more CPU per lead than two, and doubled the p99 latency.
const POSTGRES_COMMITTERS: usize = 2;
/// Jobs waiting for the committer; a request beyond this waits for room (back-pressure).
const QUEUE_CAPACITY: usize = 4096;

/// Hands writes to the committer tasks. Cheap to clone.
#[derive(Debug, Clone)]
pub struct GroupCommitter {
    queue: mpsc::Sender<Job>,
}

/// Stops the committer tasks: [`CommitterTask::drain`] commits what is queued, then returns.
#[derive(Debug)]
pub struct CommitterTask {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// A lead waiting for its commit, and where its answer goes.
#[derive(Debug)]
struct Job {
    // Boxed: the queue moves jobs around, and a lead is large.
    new: Box<NewLead>,
    scoring: Option<Arc<ScoringRules>>,
    answer: oneshot::Sender<Result<InsertOutcome, StoreError>>,
}

impl Job {
    fn batch_lead(&self) -> BatchLead<'_> {
        BatchLead {
            new: &self.new,
            scoring: self.scoring.as_deref(),
        }
    }
}

impl GroupCommitter {
    /// Starts the committer tasks on the current tokio runtime: one on SQLite, whose writers take
    /// turns anyway; on PostgreSQL a few, so one batch's round trips overlap another's commit.
    pub fn start(store: &Store) -> (GroupCommitter, CommitterTask) {
        let (committers, max_jobs) = match store.backend {
            Backend::Sqlite(_) => (1, SQLITE_MAX_JOBS_PER_COMMIT),
            Backend::Postgres(_) => (POSTGRES_COMMITTERS, POSTGRES_MAX_JOBS_PER_COMMIT),
        };
        let (queue, jobs) = mpsc::channel(QUEUE_CAPACITY);
        let jobs = Arc::new(Mutex::new(jobs));
        let (stop, stopped) = watch::channel(false);
        let tasks = (0..committers)
            .map(|_| {
                let (store, jobs, stopped) = (store.clone(), Arc::clone(&jobs), stopped.clone());
                tokio::spawn(run(store, jobs, stopped, max_jobs, commit_batch))
            })
            .collect();
        (GroupCommitter { queue }, CommitterTask { stop, tasks })
    }

    /// [`Store::insert_scored_lead`] through the committer: the answer comes once the transaction
    /// holding this lead (and its form token's use) has committed (or failed).
    pub async fn insert_scored_lead(
        &self,
        new: NewLead,
        scoring: Option<Arc<ScoringRules>>,
    ) -> Result<InsertOutcome, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.submit(Job {
            new: Box::new(new),
            scoring,
            answer,
        })
        .await?;
        answered.await.map_err(|_| StoreError::CommitAbandoned)?
    }

    async fn submit(&self, job: Job) -> Result<(), StoreError> {
        self.queue
            .send(job)
            .await
            .map_err(|_| StoreError::ShuttingDown)
    }
}

impl CommitterTask {
    /// Refuses new jobs, commits every job already queued, and waits until the last is answered.
    pub async fn drain(self) {
        // Every committer may have stopped already; then there is nothing to drain.
        let _ = self.stop.send(true);
        for task in self.tasks {
            // A committer outlives a panicking batch (see `run`), so a task ends only when the
            // queue is closed and empty: every job has had its answer.
            let _ = task.await;
        }
    }
}

/// One committer: takes a batch from the shared queue, commits it with `commit`, and again, until
/// the queue is closed (by [`CommitterTask::drain`]) and empty, or every sender is gone.
async fn run<Commit, Committing>(
    store: Store,
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
    mut stop: watch::Receiver<bool>,
    max_jobs: usize,
    commit: Commit,
) where
    Commit: Fn(Store, Vec<Job>) -> Committing,
    Committing: std::future::Future<Output = ()> + Send + 'static,
{
    // `false` once the stop handle is dropped undrained: serve on, as a dropped server does.
    let mut listening = true;
    loop {
        let batch = {
            let mut jobs = jobs.lock().await;
            if *stop.borrow() {
                jobs.close();
            }
            let first = if listening {
                tokio::select! {
                    job = jobs.recv() => job,
                    changed = stop.changed() => {
                        listening = changed.is_ok();
                        continue;
                    }
                }
            } else {
                jobs.recv().await
            };
            // `None` once closed (or every sender is gone) and empty: all queued jobs are answered.
            let Some(first) = first else { break };
            let mut batch = vec![first];
            while batch.len() < max_jobs {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            batch
        };
        // Its own task, so that a bug panicking on one batch cannot stop the committer and, with
        // it, every later lead: that batch's jobs get `CommitAbandoned` (their answers dropped,
        // and each client sends again), and the next batch is taken as usual.
        let _ = tokio::spawn(commit(store.clone(), batch)).await;
    }
}

/// Runs `batch` in one transaction and answers every job.
async fn commit_batch(store: Store, batch: Vec<Job>) {
    let store = &store;
    // A lone lead too: the set statements are fewer than the one-lead path's.
    let alone = batch.len() == 1;
    let committed = match as_sets(store, &batch).await {
        SetsOutcome::Committed(done) => Ok(done),
        // Alone already: its own error, as without the committer.
        SetsOutcome::CommitFailed(error) if alone => {
            if let Some(job) = batch.into_iter().next() {
                let _ = job.answer.send(Err(error));
            }
            return;
        }
        SetsOutcome::CommitFailed(error) => Err(error),
        // Rolled back: alone already, it runs again in its own transaction for its own answer.
        SetsOutcome::StepFailed if alone => Ok(vec![None]),
        // Rolled back (or never begun): lead by lead, each in its savepoint.
        SetsOutcome::NotPlain | SetsOutcome::StepFailed => in_one_transaction(store, &batch).await,
    };
    match committed {
        Ok(done) => {
            for (job, done) in batch.into_iter().zip(done) {
                match done {
                    Some(outcome) => {
                        let _ = job.answer.send(Ok(outcome));
                    }
                    // Rolled back inside the batch: alone now, for its own answer.
                    None => run_alone(store, job).await,
                }
            }
        }
        Err(error) => {
            let reason = error.to_string();
            let others = batch.len() - 1;
            for job in batch {
                let _ = job.answer.send(Err(StoreError::GroupCommitFailed {
                    others,
                    reason: reason.clone(),
                }));
            }
        }
    }
}

/// How storing a batch as sets went.
enum SetsOutcome {
    /// Committed: each job's answer, in order; `None` for one to run again alone.
    Committed(Vec<Option<InsertOutcome>>),
    /// Two jobs depend on each other (see [`lead_batch::plain_batch`]): nothing was begun.
    NotPlain,
    /// A statement failed and the transaction was rolled back: nothing of it is stored.
    StepFailed,
    /// `COMMIT` itself failed: nothing is stored, and running it again would not tell whom to
    /// blame.
    CommitFailed(StoreError),
}

/// The batch in one transaction with one statement per table ([`lead_batch`]), no savepoints.
async fn as_sets(store: &Store, batch: &[Job]) -> SetsOutcome {
    let leads: Vec<BatchLead<'_>> = batch.iter().map(Job::batch_lead).collect();
    if !lead_batch::plain_batch(&leads) {
        return SetsOutcome::NotPlain;
    }
    with_backend!(&store.backend, |pool, dialect| {
        let mut tx = match pool.begin_lead_batch().await {
            Ok(tx) => tx,
            Err(error) => {
                let error = failed(dialect.name(), "begin the leads' transaction")(error);
                return step_failed(batch.len(), &error);
            }
        };
        match lead_batch::store_batch(&mut tx, &leads, &store.mql_routes).await {
            Ok(answers) => match tx.commit().await {
                Ok(()) => SetsOutcome::Committed(answers),
                Err(error) => {
                    SetsOutcome::CommitFailed(failed(dialect.name(), "commit the leads")(error))
                }
            },
            Err(error) => {
                // Whatever the rollback says, nothing of this transaction is committed.
                let _ = tx.rollback().await;
                step_failed(batch.len(), &error)
            }
        }
    })
}

/// Logs why a batch could not be stored as sets (a constraint or trigger refusing one lead, a
/// deadlock, a missing privilege): its leads are stored one at a time instead, which is correct
/// but slower, and an operator should be able to tell when that happens to every batch. At most
/// one line a minute, with how many fallbacks it stands for: a cause that hits every batch
/// would otherwise log hundreds a second.
fn step_failed(leads: usize, error: &StoreError) -> SetsOutcome {
    static LAST_LOGGED_MS: AtomicI64 = AtomicI64::new(i64::MIN);
    static UNLOGGED: AtomicU64 = AtomicU64::new(0);
    let now_ms = crate::now_ms();
    let last = LAST_LOGGED_MS.load(Ordering::Relaxed);
    if now_ms.saturating_sub(last) >= 60_000
        && LAST_LOGGED_MS
            .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    {
        let fallbacks = UNLOGGED.swap(0, Ordering::Relaxed) + 1;
        tracing::warn!(
            leads,
            fallbacks_since_last_line = fallbacks,
            error = %error,
            "a batch of leads could not be stored as sets; storing its leads one at a time"
        );
    } else {
        UNLOGGED.fetch_add(1, Ordering::Relaxed);
    }
    SetsOutcome::StepFailed
}

/// The job in its own transaction, answered with its own result.
async fn run_alone(store: &Store, job: Job) {
    let outcome = store
        .insert_scored_lead(*job.new, job.scoring.as_deref())
        .await;
    let _ = job.answer.send(outcome);
}

/// Every job in a savepoint of one write transaction; `Err` when the transaction as a whole
/// failed (then nothing of it is stored). `None` for a job rolled back to its savepoint.
async fn in_one_transaction(
    store: &Store,
    batch: &[Job],
) -> Result<Vec<Option<InsertOutcome>>, StoreError> {
    with_backend!(&store.backend, |pool, dialect| {
        let fail = |action| failed(dialect.name(), action);
        let mut tx = pool
            .begin_write()
            .await
            .map_err(fail("begin the leads' transaction"))?;
        let mut done = Vec::with_capacity(batch.len());
        for job in batch {
            let mut savepoint = (&mut tx)
                .begin()
                .await
                .map_err(fail("begin a lead's savepoint"))?;
            let stored = spend_token_then_store_lead(
                &mut savepoint,
                &job.new,
                job.scoring.as_deref(),
                &store.mql_routes,
            )
            .await;
            match stored {
                Ok(outcome) => {
                    savepoint
                        .commit()
                        .await
                        .map_err(fail("release a lead's savepoint"))?;
                    done.push(Some(outcome));
                }
                Err(_) => {
                    savepoint
                        .rollback()
                        .await
                        .map_err(fail("roll back a lead's savepoint"))?;
                    done.push(None);
                }
            }
        }
        tx.commit().await.map_err(fail("commit the leads"))?;
        Ok(done)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commits as usual, except that a batch holding a lead with the form token "panic" panics,
    /// as a bug in the batch path would.
    async fn commit_or_panic(store: Store, batch: Vec<Job>) {
        let poisoned = batch
            .iter()
            .any(|job| job.new.form_token.as_deref() == Some("panic"));
        assert!(!poisoned, "a bug in the batch path");
        commit_batch(store, batch).await;
    }

    fn lead_spending(token: &str, submission_id: &str) -> NewLead {
        let submission = serde_json::json!({
            "form_id": "contact-us",
            "submission_id": submission_id,
            "fields": {"email": "ada@example.com"},
            "submitted_at": "2026-11-29T10:00:00.000Z",
        });
        NewLead {
            lead: serde_json::from_value(submission).unwrap(),
            raw_payload: "{}".to_owned(),
            intent: leadform_core::Intent::ContactRequest,
            email: Some("ada@example.com".to_owned()),
            is_spam: false,
            received_at_ms: 1_000,
            client_ip: None,
            hubspotutk: None,
            user_agent: None,
            visitor_id: None,
            previous_visitor_id: None,
            profile_answers: None,
            deliveries: Vec::new(),
            form_token: Some(token.to_owned()),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_batch_that_panics_fails_its_own_jobs_and_the_committer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("leads.db");
        let store = Store::open(path.to_str().unwrap()).await.unwrap();
        let (queue, jobs) = mpsc::channel(16);
        let (stop, stopped) = watch::channel(false);
        let jobs = Arc::new(Mutex::new(jobs));
        let task = tokio::spawn(run(store.clone(), jobs, stopped, 8, commit_or_panic));
        let committer = GroupCommitter { queue };

        let abandoned = committer
            .insert_scored_lead(lead_spending("panic", "submission-1"), None)
            .await;
        assert!(
            matches!(abandoned, Err(StoreError::CommitAbandoned)),
            "{abandoned:?}"
        );
        let stored = committer
            .insert_scored_lead(lead_spending("token-2", "submission-2"), None)
            .await;
        assert!(
            matches!(
                stored,
                Ok(InsertOutcome::Inserted {
                    replayed_form_token: false,
                    ..
                })
            ),
            "{stored:?}"
        );

        CommitterTask {
            stop,
            tasks: vec![task],
        }
        .drain()
        .await;
        store.close().await;
    }
}
