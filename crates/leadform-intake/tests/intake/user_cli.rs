//! `leadform-intake user add|list|remove|password`, run as the real binary with the password on a
//! pipe, on SQLite and (when configured) PostgreSQL.

use crate::support;

use leadform_store::Store;
use std::process::Stdio;
use support::backends;
use support::process::TestDatabase;
use tokio::io::AsyncWriteExt;

/// Runs the binary with `stdin` piped in; returns (success, stdout, stderr).
async fn run_cli(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadform-intake"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.as_bytes()).await.unwrap();
    drop(pipe);
    let output = child.wait_with_output().await.unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn users_are_managed_from_the_command_line_with_clear_errors() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(backend, dir.path()).await;
        let db = database.db.as_str();

        let (ok, out, err) = run_cli(
            &["user", "add", "ada", "--role", "admin", "--db", db],
            "correct horse battery staple\n",
        )
        .await;
        assert!(ok, "{backend:?}: {err}");
        assert_eq!(out.trim(), "added ada (admin)");

        let (ok, _, err) = run_cli(
            &["user", "add", "ada", "--role", "member", "--db", db],
            "another long passphrase\n",
        )
        .await;
        assert!(!ok);
        assert!(err.contains("a user named \"ada\" already exists"), "{err}");

        let (ok, _, err) = run_cli(
            &["user", "add", "bob", "--role", "member", "--db", db],
            "short\n",
        )
        .await;
        assert!(!ok);
        assert!(
            err.contains("weak password: the password has 5 characters; use at least 12"),
            "{err}"
        );
        let (ok, _, err) = run_cli(
            &["user", "add", "bob", "--role", "member", "--db", db],
            "\n",
        )
        .await;
        assert!(!ok);
        assert!(err.contains("the password is empty"), "{err}");
        let (ok, _, err) =
            run_cli(&["user", "add", "bob", "--role", "member", "--db", db], "").await;
        assert!(!ok);
        assert!(err.contains("no password on standard input"), "{err}");
        let (ok, _, err) =
            run_cli(&["user", "add", "bob", "--role", "owner", "--db", db], "").await;
        assert!(!ok);
        assert!(err.contains("possible values: admin, member"), "{err}");

        let (ok, out, err) = run_cli(
            &["user", "add", "bob", "--role", "member", "--db", db],
            "  spaces count in a passphrase  \r\n",
        )
        .await;
        assert!(ok, "{err}");
        assert_eq!(out.trim(), "added bob (member)");

        let (ok, out, _) = run_cli(&["user", "list", "--db", db], "").await;
        assert!(ok);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[1].starts_with("ada   admin "), "{out}");
        assert!(lines[2].starts_with("bob   member"), "{out}");

        let store = Store::open(db).await.unwrap();
        assert!(store
            .verify_user_password("bob", "  spaces count in a passphrase  ")
            .await
            .unwrap()
            .is_some());
        store.close().await;

        let (ok, out, err) = run_cli(
            &["user", "password", "bob", "--db", db],
            "a brand new passphrase\n",
        )
        .await;
        assert!(ok, "{err}");
        assert_eq!(
            out.trim(),
            "changed the password of bob; their sessions have ended"
        );
        let (ok, _, err) = run_cli(
            &["user", "password", "nobody", "--db", db],
            "a brand new passphrase\n",
        )
        .await;
        assert!(!ok);
        assert!(err.contains("there is no user named \"nobody\""), "{err}");

        let (ok, out, _) = run_cli(&["user", "remove", "bob", "--db", db], "").await;
        assert!(ok);
        assert_eq!(out.trim(), "removed bob; their sessions have ended");
        let (ok, _, err) = run_cli(&["user", "remove", "bob", "--db", db], "").await;
        assert!(!ok);
        assert!(err.contains("there is no user named \"bob\""), "{err}");

        let store = Store::open(db).await.unwrap();
        let users = store.list_users().await.unwrap();
        assert_eq!(users.len(), 1);
        let actions: Vec<String> = store
            .audit_log(None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| format!("{} {} {}", e.actor, e.action, e.detail))
            .collect();
        assert_eq!(
            actions,
            [
                "(command line) user_removed bob",
                "(command line) password_changed bob",
                "(command line) user_added bob (member)",
                "(command line) user_added ada (admin)",
            ]
        );
        store.close().await;

        if backend == support::Backend::Sqlite {
            let missing = dir.path().join("missing.db");
            let (ok, _, err) = run_cli(
                &["user", "list", "--db", &missing.display().to_string()],
                "",
            )
            .await;
            assert!(!ok);
            assert!(err.contains("no Leadform database at"), "{err}");
        }
        database.drop_database().await;
    }
}
