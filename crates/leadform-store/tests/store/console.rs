//! The console's store: users, sessions, login throttling, lead status and owner, spam marks,
//! the leads list's filters and the audit log. Runs on SQLite and, when configured, PostgreSQL.

use crate::support;

use leadform_store::DeliveryStatus;
use leadform_store::{
    ClosedReason, ConsoleStoreError, DeliveryFilter, LeadFilter, LeadStatus, LoginThrottlePolicy,
    NewDelivery, SessionLifetime, SpamFilter, StatusChangeOutcome, Store, UserRole, WeakPassword,
};
use support::{new_lead, new_submission_id, on_each_database};

const NOW: i64 = 1_795_417_506_123; // 2026-11-23T07:05:06.123Z
const PASSWORD: &str = "correct horse battery staple";

async fn add_lead(store: &Store, email: &str, received_at_ms: i64) -> i64 {
    store
        .insert_lead(new_lead(&new_submission_id(), email, received_at_ms))
        .await
        .unwrap()
        .lead_id()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_added_listed_verified_and_removed_with_clear_refusals() {
    on_each_database(async |store: &Store, label| {
        assert!(!store.has_users().await.unwrap(), "{label}");
        let ada = store
            .add_user("ada", UserRole::Admin, PASSWORD, "(command line)", NOW)
            .await
            .unwrap();
        assert_eq!(ada.role, UserRole::Admin);
        assert!(store.has_users().await.unwrap());
        assert!(matches!(
            store.add_user("ada", UserRole::Member, PASSWORD, "x", NOW).await,
            Err(ConsoleStoreError::DuplicateUser(name)) if name == "ada"
        ));
        assert!(matches!(
            store
                .add_user("bob", UserRole::Member, "short", "x", NOW)
                .await,
            Err(ConsoleStoreError::WeakPassword(WeakPassword::TooShort(5)))
        ));
        assert!(matches!(
            store
                .add_user("bob smith", UserRole::Member, PASSWORD, "x", NOW)
                .await,
            Err(ConsoleStoreError::InvalidUserName(_))
        ));
        store
            .add_user("bob", UserRole::Member, PASSWORD, "ada", NOW)
            .await
            .unwrap();
        let names: Vec<String> = store
            .list_users()
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(names, ["ada", "bob"], "{label}");

        let verified = store.verify_user_password("ada", PASSWORD).await.unwrap();
        assert_eq!(verified.map(|u| u.id), Some(ada.id), "{label}");
        assert_eq!(
            store
                .verify_user_password("ada", "wrong password!")
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .verify_user_password("nobody", PASSWORD)
                .await
                .unwrap(),
            None
        );

        assert!(matches!(
            store.remove_user("nobody", "x", NOW).await,
            Err(ConsoleStoreError::UnknownUser(_))
        ));
        store.remove_user("bob", "ada", NOW).await.unwrap();
        assert_eq!(store.list_users().await.unwrap().len(), 1);
        let actions: Vec<String> = store
            .audit_log(None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            ["user_removed", "user_added", "user_added"],
            "{label}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_when_idle_or_old_and_end_with_their_user() {
    on_each_database(async |store: &Store, label| {
        let ada = store
            .add_user("ada", UserRole::Member, PASSWORD, "x", NOW)
            .await
            .unwrap();
        let lifetime = SessionLifetime {
            idle_ms: 10 * 60_000,
            absolute_ms: 25 * 60_000,
        };
        let session = store
            .create_console_session(ada.id, NOW, lifetime)
            .await
            .unwrap();
        assert_ne!(session.token, session.csrf_token);
        let active = store
            .console_session(&session.token, NOW + 9 * 60_000, lifetime)
            .await
            .unwrap()
            .expect("live within the idle time");
        assert_eq!(active.user.name, "ada");
        assert_eq!(active.csrf_token, session.csrf_token);
        // Seen at +9 min, so alive at +18 min; but never past the absolute 25 minutes.
        assert!(
            store
                .console_session(&session.token, NOW + 18 * 60_000, lifetime)
                .await
                .unwrap()
                .is_some(),
            "{label}: activity extends the idle expiry"
        );
        assert!(
            store
                .console_session(&session.token, NOW + 25 * 60_000, lifetime)
                .await
                .unwrap()
                .is_none(),
            "{label}: absolute expiry"
        );

        let idle = store
            .create_console_session(ada.id, NOW, lifetime)
            .await
            .unwrap();
        assert!(
            store
                .console_session(&idle.token, NOW + 10 * 60_000, lifetime)
                .await
                .unwrap()
                .is_none(),
            "{label}: idle expiry"
        );

        let live = store
            .create_console_session(ada.id, NOW, lifetime)
            .await
            .unwrap();
        store
            .set_user_password("ada", "another long passphrase", "x", NOW)
            .await
            .unwrap();
        assert!(
            store
                .console_session(&live.token, NOW, lifetime)
                .await
                .unwrap()
                .is_none(),
            "{label}: a new password ends the sessions"
        );
        let live = store
            .create_console_session(ada.id, NOW, lifetime)
            .await
            .unwrap();
        store.end_console_session(&live.token).await.unwrap();
        assert!(store
            .console_session(&live.token, NOW, lifetime)
            .await
            .unwrap()
            .is_none());
        let live = store
            .create_console_session(ada.id, NOW, lifetime)
            .await
            .unwrap();
        store.remove_user("ada", "x", NOW).await.unwrap();
        assert!(
            store
                .console_session(&live.token, NOW, lifetime)
                .await
                .unwrap()
                .is_none(),
            "{label}: removing the user ends the session"
        );
        assert!(store
            .console_session("not a token", NOW, lifetime)
            .await
            .unwrap()
            .is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_throttled_per_name_and_per_address() {
    on_each_database(async |store: &Store, label| {
        let policy = LoginThrottlePolicy {
            window_ms: 15 * 60_000,
            per_name: 3,
            per_address: 5,
        };
        for i in 0..3 {
            assert_eq!(
                store
                    .login_wait_ms("ada", "10.0.0.1", NOW + i, policy)
                    .await
                    .unwrap(),
                None
            );
            store
                .record_failed_login("ada", "10.0.0.1", NOW + i, policy)
                .await
                .unwrap();
        }
        let wait = store
            .login_wait_ms("ada", "10.0.0.9", NOW + 60_000, policy)
            .await
            .unwrap();
        assert_eq!(
            wait,
            Some(14 * 60_000),
            "{label}: the name is locked from any address"
        );
        assert_eq!(
            store
                .login_wait_ms("bob", "10.0.0.9", NOW, policy)
                .await
                .unwrap(),
            None
        );
        // Two more names from the same address reach the address limit of 5.
        store
            .record_failed_login("bob", "10.0.0.1", NOW, policy)
            .await
            .unwrap();
        store
            .record_failed_login("cyd", "10.0.0.1", NOW, policy)
            .await
            .unwrap();
        assert!(
            store
                .login_wait_ms("dee", "10.0.0.1", NOW, policy)
                .await
                .unwrap()
                .is_some(),
            "{label}: the address is locked for every name"
        );
        // After the window, both start afresh.
        let later = NOW + 15 * 60_000;
        assert_eq!(
            store
                .login_wait_ms("ada", "10.0.0.1", later, policy)
                .await
                .unwrap(),
            None
        );
        store
            .record_failed_login("ada", "10.0.0.1", later, policy)
            .await
            .unwrap();
        assert_eq!(
            store
                .login_wait_ms("ada", "10.0.0.1", later, policy)
                .await
                .unwrap(),
            None,
            "{label}: one failure in a new window"
        );
        store.clear_login_failures("ada").await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_changes_are_recorded_with_who_when_from_and_to() {
    on_each_database(async |store: &Store, label| {
        let lead = add_lead(store, "ada@example.com", NOW).await;
        assert!(matches!(
            store
                .change_lead_status(lead, LeadStatus::Closed, None, "ada", NOW)
                .await,
            Err(ConsoleStoreError::ReasonRequired)
        ));
        assert!(matches!(
            store
                .change_lead_status(
                    lead,
                    LeadStatus::Contacted,
                    Some(ClosedReason::Duplicate),
                    "ada",
                    NOW
                )
                .await,
            Err(ConsoleStoreError::ReasonOnlyWhenClosed)
        ));
        assert!(matches!(
            store
                .change_lead_status(999_999, LeadStatus::Contacted, None, "ada", NOW)
                .await,
            Err(ConsoleStoreError::UnknownLead(999_999))
        ));
        let outcome = store
            .change_lead_status(lead, LeadStatus::Contacted, None, "ada", NOW + 1_000)
            .await
            .unwrap();
        assert_eq!(
            outcome,
            StatusChangeOutcome::Changed {
                from: LeadStatus::Open
            }
        );
        assert_eq!(
            store
                .change_lead_status(lead, LeadStatus::Contacted, None, "ada", NOW + 2_000)
                .await
                .unwrap(),
            StatusChangeOutcome::Unchanged
        );
        store
            .change_lead_status(lead, LeadStatus::Qualified, None, "bob", NOW + 3_000)
            .await
            .unwrap();
        store
            .change_lead_status(
                lead,
                LeadStatus::Closed,
                Some(ClosedReason::NotOurMarket),
                "bob",
                NOW + 4_000,
            )
            .await
            .unwrap();
        let detail = store.lead_detail(lead).await.unwrap().expect("the lead");
        assert_eq!(detail.summary.status, LeadStatus::Closed);
        assert_eq!(
            detail.summary.closed_reason,
            Some(ClosedReason::NotOurMarket)
        );
        assert_eq!(
            detail.summary.first_contacted_at_ms,
            Some(NOW + 1_000),
            "{label}: the first contact is kept"
        );
        let history: Vec<(String, String, String)> = detail
            .history
            .iter()
            .map(|h| {
                (
                    h.changed_by.clone(),
                    h.from_status.clone(),
                    h.to_status.clone(),
                )
            })
            .collect();
        assert_eq!(
            history,
            [
                ("ada".into(), "open".into(), "contacted".into()),
                ("bob".into(), "contacted".into(), "qualified".into()),
                ("bob".into(), "qualified".into(), "closed".into()),
            ],
            "{label}"
        );
        assert_eq!(
            detail.history[2].closed_reason.as_deref(),
            Some("not_our_market")
        );
        assert_eq!(detail.history[0].changed_at_ms, NOW + 1_000);
        let audit = store.audit_log(None, 10).await.unwrap();
        assert_eq!(audit.len(), 3);
        assert_eq!(audit[0].lead_id, Some(lead));
        assert_eq!(audit[0].detail, "qualified → closed (not_our_market)");

        // Closing unanswered does not stop the speed-to-lead clock.
        let other = add_lead(store, "bob@example.com", NOW).await;
        store
            .change_lead_status(
                other,
                LeadStatus::Closed,
                Some(ClosedReason::Duplicate),
                "ada",
                NOW,
            )
            .await
            .unwrap();
        let detail = store.lead_detail(other).await.unwrap().unwrap();
        assert_eq!(detail.summary.first_contacted_at_ms, None, "{label}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marking_spam_cancels_pending_deliveries_and_not_spam_queues_them() {
    on_each_database(async |store: &Store, label| {
        let lead = add_lead(store, "ada@example.com", NOW).await;
        assert_eq!(
            store.mark_lead_spam(lead, "ada", NOW).await.unwrap(),
            2,
            "{label}"
        );
        assert!(store
            .list_deliveries(DeliveryFilter::All)
            .await
            .unwrap()
            .is_empty());
        let detail = store.lead_detail(lead).await.unwrap().unwrap();
        assert!(detail.summary.is_spam);
        let destinations = [NewDelivery {
            destination_index: 0,
            destination_kind: "webhook".into(),
            destination_id: "crm-hook".into(),
            destination_key: "webhook:crm.example.com".into(),
        }];
        let queued = store
            .mark_lead_not_spam(lead, &destinations, "ada", NOW + 5)
            .await
            .unwrap();
        assert_eq!(queued, 1, "{label}");
        let deliveries = store.list_deliveries(DeliveryFilter::All).await.unwrap();
        assert_eq!(deliveries.len(), 1);
        assert_eq!(deliveries[0].status, DeliveryStatus::Pending);
        assert_eq!(deliveries[0].destination_kind, "webhook");
        // Marking not spam again queues nothing twice.
        assert_eq!(
            store
                .mark_lead_not_spam(lead, &destinations, "ada", NOW)
                .await
                .unwrap(),
            0
        );
        assert!(
            !store
                .lead_detail(lead)
                .await
                .unwrap()
                .unwrap()
                .summary
                .is_spam
        );
        let actions: Vec<String> = store
            .audit_log(None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            ["marked_not_spam", "marked_not_spam", "marked_spam"]
        );
        assert!(matches!(
            store.mark_lead_spam(424_242, "ada", NOW).await,
            Err(ConsoleStoreError::UnknownLead(424_242))
        ));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leads_list_filters_pages_and_links_a_persons_leads() {
    on_each_database(async |store: &Store, label| {
        let owner = store
            .add_user("ada", UserRole::Member, PASSWORD, "x", NOW)
            .await
            .unwrap();
        let first = add_lead(store, "grace@example.com", NOW).await;
        let second = add_lead(store, "linus@example.org", NOW + 1_000).await;
        let third = add_lead(store, "Grace@Example.com", NOW + 2_000).await;
        let mut ebook = new_lead(&new_submission_id(), "50%_off@example.net", NOW + 3_000);
        ebook.lead.form_id = "ebook".into();
        ebook.lead.hidden.campaign_id = Some("701EBOOK".into());
        ebook
            .lead
            .fields
            .insert("first_name".into(), "Barbara".into());
        ebook
            .lead
            .fields
            .insert("last_name".into(), "Liskov".into());
        ebook.intent = leadform_core::Intent::ContentDownload;
        let ebook = store.insert_lead(ebook).await.unwrap().lead_id();
        let mut spam = new_lead(&new_submission_id(), "bot@example.com", NOW + 4_000);
        spam.is_spam = true;
        let spam = store.insert_lead(spam).await.unwrap().lead_id();
        store
            .change_lead_status(second, LeadStatus::Contacted, None, "ada", NOW)
            .await
            .unwrap();
        store
            .assign_lead_owner(third, Some(owner.id), "ada", NOW)
            .await
            .unwrap();

        let ids = async |filter: LeadFilter| -> Vec<i64> {
            store
                .list_leads(&filter, 0, 50)
                .await
                .unwrap()
                .leads
                .iter()
                .map(|l| l.id)
                .collect()
        };
        assert_eq!(
            ids(LeadFilter::default()).await,
            [ebook, third, second, first],
            "{label}: newest first, no spam"
        );
        assert_eq!(
            ids(LeadFilter {
                spam: SpamFilter::OnlySpam,
                ..Default::default()
            })
            .await,
            [spam]
        );
        assert_eq!(
            ids(LeadFilter {
                spam: SpamFilter::Any,
                ..Default::default()
            })
            .await
            .len(),
            5
        );
        assert_eq!(
            ids(LeadFilter {
                form_id: Some("ebook".into()),
                ..Default::default()
            })
            .await,
            [ebook]
        );
        assert_eq!(
            ids(LeadFilter {
                campaign_id: Some("701EBOOK".into()),
                ..Default::default()
            })
            .await,
            [ebook]
        );
        assert_eq!(
            ids(LeadFilter {
                intent: Some(leadform_core::Intent::ContentDownload),
                ..Default::default()
            })
            .await,
            [ebook]
        );
        assert_eq!(
            ids(LeadFilter {
                lead_source: Some("Web - Blog".into()),
                ..Default::default()
            })
            .await
            .len(),
            4
        );
        assert_eq!(
            ids(LeadFilter {
                status: Some(LeadStatus::Contacted),
                ..Default::default()
            })
            .await,
            [second]
        );
        assert_eq!(
            ids(LeadFilter {
                owner_user_id: Some(owner.id),
                ..Default::default()
            })
            .await,
            [third]
        );
        assert_eq!(
            ids(LeadFilter {
                text: Some("GRACE@".into()),
                ..Default::default()
            })
            .await,
            [third, first],
            "{label}: email contains, any case"
        );
        assert_eq!(
            ids(LeadFilter {
                text: Some("barbara lis".into()),
                ..Default::default()
            })
            .await,
            [ebook],
            "{label}: name contains"
        );
        assert_eq!(
            ids(LeadFilter {
                text: Some("50%_".into()),
                ..Default::default()
            })
            .await,
            [ebook]
        );
        assert_eq!(
            ids(LeadFilter {
                text: Some("5_%".into()),
                ..Default::default()
            })
            .await,
            Vec::<i64>::new(),
            "{label}: wildcards are literal"
        );
        assert_eq!(
            ids(LeadFilter {
                received_from_ms: Some(NOW + 1_000),
                received_before_ms: Some(NOW + 3_000),
                ..Default::default()
            })
            .await,
            [third, second]
        );

        let page = store
            .list_leads(&LeadFilter::default(), 1, 2)
            .await
            .unwrap();
        assert_eq!(page.total, 4);
        assert_eq!(
            page.leads.iter().map(|l| l.id).collect::<Vec<_>>(),
            [third, second]
        );
        assert_eq!(page.leads[0].owner_name.as_deref(), Some("ada"));

        let detail = store.lead_detail(third).await.unwrap().unwrap();
        let person: Vec<i64> = detail.person_leads.iter().map(|l| l.id).collect();
        assert_eq!(
            person,
            [first, third],
            "{label}: the person's leads, oldest first"
        );
        assert_eq!(detail.deliveries.len(), 2);
        assert_eq!(ebook_display(store, ebook).await, "Barbara Liskov");
        assert!(store.lead_detail(987_654).await.unwrap().is_none());

        let open: Vec<i64> = store
            .open_contact_requests(10)
            .await
            .unwrap()
            .iter()
            .map(|l| l.id)
            .collect();
        assert_eq!(
            open,
            [first, third],
            "{label}: open contact requests, oldest first"
        );
    })
    .await;
}

async fn ebook_display(store: &Store, id: i64) -> String {
    store
        .lead_detail(id)
        .await
        .unwrap()
        .unwrap()
        .summary
        .display_name()
}
