//! Group commit: the intake's writes that arrive together share one transaction and one fsync.
//!
//! Requests hand their lead (or their form token) to a committer task through a channel (one on
//! SQLite, a few sharing the channel on PostgreSQL). A committer waits for the first job, takes whatever else is queued (at most [`MAX_JOBS_PER_COMMIT`]),
//! and stores each job inside its own savepoint of one transaction. Only after `COMMIT` returns
//! does any job get its answer, so a 201 still means the lead is on disk. An idle handler commits a
//! lone lead at once: there is no timer, so nothing waits for company.
//!
//! A job that fails inside the batch is rolled back to its savepoint, so it takes nothing of the
//! others with it, and after the commit it is run again alone, in its own transaction: it gets
//! exactly the answer it would have got without the batch. A failure of the whole transaction
//! (`COMMIT` refused, the connection lost) fails every job in it: none was stored, none is told so.

use crate::backend::{with_backend, Backend, BeginWrite};
use crate::error::failed;
use crate::form_tokens::{FormTokenSteps, FormTokenUse};
use crate::lead_batch::{self, ScoredLead};
use crate::lead_batch_steps::TokenUse;
use crate::lead_steps::{store_lead, LeadRow};
use crate::model::{InsertOutcome, NewLead};
use crate::{Store, StoreError};
use leadform_scoring::ScoringRules;
use sqlx::Acquire;
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
/// its round trips, the others' batches keep the server busy; the rest stay for other work.
const POSTGRES_COMMITTERS: usize = 4;
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

#[derive(Debug)]
enum Job {
    Lead {
        // Boxed: a lead is far larger than a form token's use.
        new: Box<NewLead>,
        scoring: Option<Arc<ScoringRules>>,
        answer: oneshot::Sender<Result<InsertOutcome, StoreError>>,
    },
    FormToken {
        token_id: String,
        submission_id: String,
        now_ms: i64,
        answer: oneshot::Sender<Result<FormTokenUse, StoreError>>,
    },
}

/// What one job did inside the batch, before the commit.
enum Done {
    Lead(InsertOutcome),
    FormToken(FormTokenUse),
    /// Rolled back to its savepoint; it runs again alone after the commit.
    Failed,
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
    /// holding this lead has committed (or failed).
    pub async fn insert_scored_lead(
        &self,
        new: NewLead,
        scoring: Option<Arc<ScoringRules>>,
    ) -> Result<InsertOutcome, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.submit(Job::Lead {
            new: Box::new(new),
            scoring,
            answer,
        })
        .await?;
        answered.await.map_err(|_| StoreError::CommitAbandoned)?
    }

    /// [`Store::use_form_token`] through the committer.
    pub async fn use_form_token(
        &self,
        token_id: &str,
        submission_id: &str,
        now_ms: i64,
    ) -> Result<FormTokenUse, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.submit(Job::FormToken {
            token_id: token_id.to_owned(),
            submission_id: submission_id.to_owned(),
            now_ms,
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
    if batch.len() == 1 {
        // Alone already: its own transaction, exactly as without the committer.
        for job in batch {
            run_alone(store, job).await;
        }
        return;
    }
    let committed = match as_sets(store, &batch).await {
        SetsOutcome::Committed(done) => Ok(done),
        SetsOutcome::CommitFailed(error) => Err(error),
        // Rolled back (or never begun): lead by lead, each in its savepoint.
        SetsOutcome::NotPlain | SetsOutcome::StepFailed => in_one_transaction(store, &batch).await,
    };
    match committed {
        Ok(done) => {
            for (job, done) in batch.into_iter().zip(done) {
                match (job, done) {
                    (Job::Lead { answer, .. }, Done::Lead(outcome)) => {
                        let _ = answer.send(Ok(outcome));
                    }
                    (Job::FormToken { answer, .. }, Done::FormToken(used)) => {
                        let _ = answer.send(Ok(used));
                    }
                    (job, _) => run_alone(store, job).await,
                }
            }
        }
        Err(error) => {
            let reason = error.to_string();
            let others = batch.len() - 1;
            for job in batch {
                let error = StoreError::GroupCommitFailed {
                    others,
                    reason: reason.clone(),
                };
                match job {
                    Job::Lead { answer, .. } => {
                        let _ = answer.send(Err(error));
                    }
                    Job::FormToken { answer, .. } => {
                        let _ = answer.send(Err(error));
                    }
                }
            }
        }
    }
}

/// How storing a batch as sets went.
enum SetsOutcome {
    /// Committed: each job's answer, in order.
    Committed(Vec<Done>),
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
    let mut done: Vec<Option<Done>> = Vec::with_capacity(batch.len());
    let mut tokens = Vec::new();
    let mut leads = Vec::new();
    for job in batch {
        match job {
            Job::Lead { new, scoring, .. } => match LeadRow::new(new) {
                Ok(row) => {
                    leads.push(ScoredLead {
                        row,
                        scoring: scoring.as_deref(),
                    });
                    done.push(None);
                }
                // Runs alone after the commit, to get its own error.
                Err(_) => done.push(Some(Done::Failed)),
            },
            Job::FormToken {
                token_id,
                submission_id,
                now_ms,
                ..
            } => {
                tokens.push(TokenUse {
                    token_id,
                    submission_id,
                    now_ms: *now_ms,
                });
                done.push(None);
            }
        }
    }
    if !lead_batch::plain_batch(&leads) {
        return SetsOutcome::NotPlain;
    }
    let stored = with_backend!(&store.backend, |pool, dialect| {
        let Ok(mut tx) = pool.begin_write().await else {
            return SetsOutcome::StepFailed;
        };
        let steps = async {
            let used = lead_batch::record_form_tokens(&mut tx, &tokens).await?;
            let stored = lead_batch::store_leads(&mut tx, &leads, &store.mql_routes).await?;
            Ok::<_, StoreError>((used, stored))
        }
        .await;
        match steps {
            Ok(answers) => match tx.commit().await {
                Ok(()) => answers,
                Err(error) => {
                    return SetsOutcome::CommitFailed(failed(dialect.name(), "commit the leads")(
                        error,
                    ))
                }
            },
            Err(_) => {
                // Whatever the rollback says, nothing of this transaction is committed.
                let _ = tx.rollback().await;
                return SetsOutcome::StepFailed;
            }
        }
    });
    let (mut used, mut stored) = (stored.0.into_iter(), stored.1.into_iter());
    let answers = batch.iter().zip(done).map(|(job, done)| match (job, done) {
        (_, Some(done)) => done,
        (Job::Lead { .. }, None) => stored.next().map_or(Done::Failed, Done::Lead),
        (Job::FormToken { .. }, None) => used.next().map_or(Done::Failed, Done::FormToken),
    });
    SetsOutcome::Committed(answers.collect())
}

/// The job in its own transaction, answered with its own result.
async fn run_alone(store: &Store, job: Job) {
    match job {
        Job::Lead {
            new,
            scoring,
            answer,
        } => {
            let _ = answer.send(store.insert_scored_lead(*new, scoring.as_deref()).await);
        }
        Job::FormToken {
            token_id,
            submission_id,
            now_ms,
            answer,
        } => {
            let _ = answer.send(
                store
                    .use_form_token(&token_id, &submission_id, now_ms)
                    .await,
            );
        }
    }
}

/// Every job in a savepoint of one write transaction; `Err` when the transaction as a whole
/// failed (then nothing of it is stored).
async fn in_one_transaction(store: &Store, batch: &[Job]) -> Result<Vec<Done>, StoreError> {
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
            let result = match job {
                Job::Lead { new, scoring, .. } => match LeadRow::new(new) {
                    Ok(row) => {
                        store_lead(&mut savepoint, &row, scoring.as_deref(), &store.mql_routes)
                            .await
                            .map(Done::Lead)
                    }
                    Err(error) => Err(error),
                },
                Job::FormToken {
                    token_id,
                    submission_id,
                    now_ms,
                    ..
                } => savepoint
                    .record_form_token(token_id, submission_id, *now_ms)
                    .await
                    .map(Done::FormToken),
            };
            match result {
                Ok(stored) => {
                    savepoint
                        .commit()
                        .await
                        .map_err(fail("release a lead's savepoint"))?;
                    done.push(stored);
                }
                Err(_) => {
                    savepoint
                        .rollback()
                        .await
                        .map_err(fail("roll back a lead's savepoint"))?;
                    done.push(Done::Failed);
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

    /// Commits as usual, except that a batch holding the form token "panic" panics, as a bug in
    /// the batch path would.
    async fn commit_or_panic(store: Store, batch: Vec<Job>) {
        let poisoned = batch
            .iter()
            .any(|job| matches!(job, Job::FormToken { token_id, .. } if token_id == "panic"));
        assert!(!poisoned, "a bug in the batch path");
        commit_batch(store, batch).await;
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
            .use_form_token("panic", "submission-1", 1_000)
            .await;
        assert!(
            matches!(abandoned, Err(StoreError::CommitAbandoned)),
            "{abandoned:?}"
        );
        let used = committer
            .use_form_token("token-2", "submission-2", 1_000)
            .await;
        assert_eq!(used.unwrap(), FormTokenUse::ThisSubmission);

        CommitterTask {
            stop,
            tasks: vec![task],
        }
        .drain()
        .await;
        store.close().await;
    }
}
