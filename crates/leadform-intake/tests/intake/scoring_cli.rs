//! The real binary: `check` and `serve` refuse a bad scoring.json naming the field; and ten weeks
//! walked under a faked system time (libfaketime preloaded into the binary) show in `scores` that
//! a burst in week ten beats a slow climb to the same score, and `rescore` replays under new rules.

use crate::support;

use serde_json::{json, Value};
use std::path::Path;
use std::process::Stdio;
use support::fixtures::{ebook_form, ebook_lead, LISTED_ORIGIN};
use support::process::form_token_from_five_seconds_ago;
use support::process::{write_forms, ServeConfig, ServeProcess, TestDatabase};
use support::{backends, visitor_cookie};

const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
/// Monday 2026-09-07: week 1 of the ten.
const FIRST_MONDAY: (i32, u32, u32) = (2026, 9, 7);

/// `FAKETIME` for Tuesday of week `week` (0-based) at `hour` UTC: the clock starts there and runs.
fn faked(week: u32, hour: u32) -> String {
    let (year, month, day) = FIRST_MONDAY;
    // September has 30 days; the ten weeks run into November.
    let mut ordinal = day + week * 7 + 1;
    let mut month = month;
    for days_in in [30, 31, 30] {
        if ordinal > days_in {
            ordinal -= days_in;
            month += 1;
        }
    }
    format!("@{year}-{month:02}-{ordinal:02} {hour:02}:00:00")
}

/// The handler runs at 10:00 of its week's Tuesday; commands at 18:00, after its events.
fn faketime_env(week: u32, hour: u32) -> Vec<(String, String)> {
    assert!(
        Path::new(LIBFAKETIME).exists(),
        "{LIBFAKETIME} is missing: apt-get install faketime (cargo xtask test installs it)"
    );
    vec![
        ("LD_PRELOAD".into(), LIBFAKETIME.into()),
        ("FAKETIME".into(), faked(week, hour)),
        // Only the wall clock moves: tokio's timers keep the real monotonic clock.
        ("DONT_FAKE_MONOTONIC".into(), "1".into()),
        ("TZ".into(), "UTC".into()),
    ]
}

/// Runs `leadform-intake <args>` under the faked time of `week`, in the evening.
async fn run_at(week: u32, args: &[&str]) -> (bool, String, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .args(args)
        .envs(faketime_env(week, 18))
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .expect("run leadform-intake");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn page_view(client: &reqwest::Client, base_url: &str, cookie: &str) {
    let response = client
        .post(format!("{base_url}/v1/page-views"))
        .header("Origin", LISTED_ORIGIN)
        .header("Cookie", cookie)
        .body(r#"{"page_url": "http://www.example.test:8000/pricing.html"}"#)
        .send()
        .await
        .expect("page view answered");
    assert_eq!(response.status(), 204);
}

fn write_rules(forms_dir: &Path, rules: &Value) {
    std::fs::write(forms_dir.join("scoring.json"), rules.to_string()).expect("write scoring.json");
}

#[tokio::test]
async fn a_bad_scoring_file_stops_check_and_serve_naming_the_field() {
    let dir = tempfile::tempdir().expect("dir");
    let forms_dir = write_forms(dir.path(), &[ebook_form()]);
    write_rules(
        &forms_dir,
        &json!({"decay": {"points_per_quiet_week": 5, "floor": -3}}),
    );
    let forms = forms_dir.display().to_string();
    let db = dir.path().join("leads.db").display().to_string();
    for args in [
        vec!["check", "--forms", &forms],
        vec![
            "serve",
            "--forms",
            &forms,
            "--db",
            &db,
            "--addr",
            "127.0.0.1:0",
        ],
    ] {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
            .args(&args)
            .kill_on_drop(true)
            .output()
            .await
            .expect("run");
        assert!(!output.status.success(), "{args:?} must fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("scoring.json: decay.floor: must be between 0 and 1000000"),
            "{args:?}: {stderr}"
        );
    }
    write_rules(
        &forms_dir,
        &json!({"events": {"form_submitted": {"by_form": {"pricing": {"points": 5, "repeat": "once"}}}}}),
    );
    let (ok, _, stderr) = run_at(0, &["check", "--forms", &forms]).await;
    assert!(!ok);
    assert!(
        stderr.contains("scoring.json: events.form_submitted.by_form.pricing: no form has this id"),
        "{stderr}"
    );
}

#[tokio::test]
async fn over_ten_faked_weeks_a_burst_in_week_ten_beats_a_slow_climb_to_the_same_score() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let forms_dir = write_forms(dir.path(), &[ebook_form()]);
        let rules = json!({
            "mql_threshold": 500,
            "decay": {"points_per_quiet_week": 0, "floor": 0},
            "events": {"returning_visit": {"points": 10, "repeat": "every_time"}}
        });
        write_rules(&forms_dir, &rules);
        let public_dir = dir.path().join("public");
        std::fs::create_dir(&public_dir).expect("public dir");
        let database = TestDatabase::create(backend, dir.path()).await;
        let client = reqwest::Client::new();
        let mut cookies: Vec<String> = Vec::new();
        for week in 0..10 {
            let config = ServeConfig {
                forms_dir: forms_dir.clone(),
                db: database.db.clone(),
                public_dir: public_dir.clone(),
                env: faketime_env(week, 10),
                log_path: dir.path().join("serve.log"),
            };
            let handler = ServeProcess::start(&config, "127.0.0.1:0").await;
            if week == 0 {
                for email in ["slow@example.com", "burst@example.com"] {
                    let response = client
                        .post(format!("{}/v1/leads", handler.base_url))
                        .header("Origin", LISTED_ORIGIN)
                        .json(&with_token(ebook_lead(email)))
                        .send()
                        .await
                        .expect("lead answered");
                    assert_eq!(response.status(), 201, "{backend:?}");
                    cookies.push(visitor_cookie(&response).expect("visitor cookie"));
                }
            }
            // The slow one comes back once a week; the other ten times in the last week.
            page_view(&client, &handler.base_url, &cookies[0]).await;
            if week == 9 {
                for _ in 0..10 {
                    page_view(&client, &handler.base_url, &cookies[1]).await;
                }
            }
            handler.terminate().await;
        }

        let (ok, stdout, stderr) =
            run_at(9, &["scores", "--db", &database.db, "--format", "json"]).await;
        assert!(ok, "{backend:?}: {stderr}");
        let lines: Vec<Value> = serde_json::from_str(&stdout).expect("scores JSON");
        let emails: Vec<&str> = lines
            .iter()
            .map(|l| l["email"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(
            emails,
            vec!["burst@example.com", "slow@example.com"],
            "{backend:?}: {stdout}"
        );
        let (burst, slow) = (&lines[0], &lines[1]);
        assert_eq!(
            burst["score"], 120,
            "{backend:?}: 20 for the eBook + 10 visits"
        );
        assert_eq!(slow["score"], 120, "{backend:?}");
        assert_eq!(
            (burst["velocity"].clone(), slow["velocity"].clone()),
            (json!(100), json!(10))
        );
        assert_eq!(
            (
                burst["velocity_avg4"].clone(),
                slow["velocity_avg4"].clone()
            ),
            (json!(25.0), json!(10.0))
        );
        assert_eq!(
            (
                burst["velocity_change"].clone(),
                slow["velocity_change"].clone()
            ),
            (json!(100), json!(0))
        );
        assert_eq!(
            (burst["fit"].clone(), burst["engagement"].clone()),
            (json!(0), json!(120))
        );
        // 380 points to go: 16 weeks at 25 a week, 38 at 10.
        assert_eq!(
            (burst["weeks_to_mql"].clone(), slow["weeks_to_mql"].clone()),
            (json!(16), json!(38))
        );
        assert_eq!(burst["mql_at"], Value::Null);

        let (ok, csv, stderr) =
            run_at(9, &["scores", "--db", &database.db, "--format", "csv"]).await;
        assert!(ok, "{stderr}");
        let mut rows = csv.lines();
        assert_eq!(
            rows.next(),
            Some("person_id,email,score,fit,engagement,velocity,velocity_avg4,velocity_change,mql_at,weeks_to_mql")
        );
        assert!(
            rows.next()
                .is_some_and(|row| row.contains(",burst@example.com,120,0,120,100,25.0,100,,16")),
            "{csv}"
        );

        // Visits are worth half now: rescore replays the recorded events under the new rules.
        let halved = json!({
            "mql_threshold": 500,
            "decay": {"points_per_quiet_week": 0, "floor": 0},
            "events": {"returning_visit": {"points": 5, "repeat": "every_time"}}
        });
        write_rules(&forms_dir, &halved);
        let forms = forms_dir.display().to_string();
        let (ok, stdout, stderr) =
            run_at(9, &["rescore", "--db", &database.db, "--forms", &forms]).await;
        assert!(ok, "{backend:?}: {stderr}");
        assert!(
            stdout.starts_with("rescored 2 person(s) under "),
            "{stdout}"
        );
        let (ok, stdout, _) = run_at(9, &["scores", "--db", &database.db]).await;
        assert!(ok);
        let lines: Vec<Value> = serde_json::from_str(&stdout).expect("scores JSON");
        let scores: Vec<(&str, i64)> = lines
            .iter()
            .map(|l| {
                (
                    l["email"].as_str().unwrap_or(""),
                    l["score"].as_i64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(
            scores,
            vec![("burst@example.com", 70), ("slow@example.com", 70)],
            "{backend:?}"
        );
        database.drop_database().await;
    }
}

#[tokio::test]
async fn a_handler_started_after_quiet_weeks_catches_up_their_decay_on_its_clock() {
    for backend in backends() {
        let dir = tempfile::tempdir().expect("dir");
        let forms_dir = write_forms(dir.path(), &[ebook_form()]);
        write_rules(
            &forms_dir,
            &json!({"decay": {"points_per_quiet_week": 3, "floor": 0}}),
        );
        let public_dir = dir.path().join("public");
        std::fs::create_dir(&public_dir).expect("public dir");
        let database = TestDatabase::create(backend, dir.path()).await;
        let config = |week| ServeConfig {
            forms_dir: forms_dir.clone(),
            db: database.db.clone(),
            public_dir: public_dir.clone(),
            env: faketime_env(week, 10),
            log_path: dir.path().join("serve.log"),
        };
        let handler = ServeProcess::start(&config(0), "127.0.0.1:0").await;
        let response = reqwest::Client::new()
            .post(format!("{}/v1/leads", handler.base_url))
            .header("Origin", LISTED_ORIGIN)
            .json(&with_token(ebook_lead("quiet@example.com")))
            .send()
            .await
            .expect("lead answered");
        assert_eq!(response.status(), 201, "{backend:?}");
        handler.terminate().await;

        // Nothing runs for weeks; the handler started in week 5 writes weeks 1 to 4 at start-up.
        let handler = ServeProcess::start(&config(5), "127.0.0.1:0").await;
        let store = leadform_store::Store::open(&database.db)
            .await
            .expect("open");
        let mut decay_weeks = 0;
        for _ in 0..100 {
            let logs = store.score_logs().await.expect("logs");
            decay_weeks = logs[0]
                .rows
                .iter()
                .filter(|row| row.decay_week_ms.is_some())
                .count();
            if decay_weeks == 4 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(decay_weeks, 4, "{backend:?}: {}", handler.log());
        let logs = store.score_logs().await.expect("logs");
        assert_eq!(
            logs[0].rows.iter().map(|r| r.delta).sum::<i64>(),
            20 - 4 * 3,
            "{backend:?}"
        );
        let snapshots = store
            .score_snapshots(logs[0].person_id)
            .await
            .expect("snapshots");
        assert_eq!(
            snapshots.iter().map(|s| s.score).collect::<Vec<_>>(),
            vec![20, 17, 14, 11, 8],
            "{backend:?}: weeks 0 to 4"
        );
        store.close().await;
        handler.terminate().await;
        database.drop_database().await;
    }
}

/// The lead as the widget posts it: with the signed form token, so it is not judged a bot.
fn with_token(mut lead: Value) -> Value {
    let form_id = lead["form_id"].as_str().expect("a form id").to_owned();
    lead["form_token"] = Value::String(form_token_from_five_seconds_ago(&form_id));
    lead
}
