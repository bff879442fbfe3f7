//! The session's settings, secrets, retention and purges: saved, applied live, re-checked.

mod common;

use std::time::Duration;

use common::persona_signature;
use common::session::*;
use persona_inspector::model::Filter;
use persona_inspector::session::{Retention, Session, SettingsChange};
use persona_inspector::store::Summary;

#[tokio::test]
async fn secrets_added_renamed_and_removed_recheck_stored_verdicts_and_apply_to_new_deliveries() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let address = format!("http://127.0.0.1:{}", listening_port(&session));
    let body = r#"{"data":{"type":"event","id":"evt_S"}}"#;
    post_signed(
        &address,
        body,
        &persona_signature("wbhsec_app", body.as_bytes()),
    )
    .await;
    let verdict = |rows: Vec<Summary>| rows[0].signature.status;
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(verdict(rows), persona_inspector::model::Status::Unchecked);

    let bad = session
        .add_secret("x".into(), "two words".into())
        .await
        .expect_err("whitespace");
    assert_eq!(bad.kind(), "invalid", "{bad:?}");

    let added = session
        .add_secret("sandbox".into(), "wbhsec_app".into())
        .await
        .expect("add");
    assert_eq!(added.rechecked, 1, "the stored delivery was re-checked");
    assert_eq!(added.settings.secrets.len(), 1);
    assert_eq!(added.settings.secrets[0].label, "sandbox");
    assert!(
        !format!("{:?}", added.settings).contains("wbhsec_app"),
        "value never leaves"
    );
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(
        rows[0].signature.status,
        persona_inspector::model::Status::Valid
    );
    let matched = rows[0].signature.matched.clone().expect("matched");
    assert_eq!(matched.secret, "sandbox");

    // New deliveries are checked with it at once.
    post_signed(
        &address,
        body,
        &persona_signature("wbhsec_app", body.as_bytes()),
    )
    .await;
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(
        rows[0].signature.status,
        persona_inspector::model::Status::Valid
    );

    let id = added.settings.secrets[0].id;
    let renamed = session
        .rename_secret(id, "current".into())
        .await
        .expect("rename");
    assert_eq!(renamed.rechecked, 2, "both verdicts now name the new label");
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(
        rows[1].signature.matched.clone().expect("m").secret,
        "current"
    );

    let removed = session.remove_secret(id).await.expect("remove");
    assert!(removed.settings.secrets.is_empty());
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert!(
        rows.iter()
            .all(|r| r.signature.status == persona_inspector::model::Status::Unchecked)
    );
}

#[tokio::test]
async fn settings_are_saved_applied_live_and_kept_for_the_next_launch() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let address = format!("http://127.0.0.1:{}", listening_port(&session));
    let changed = session
        .update_settings(SettingsChange {
            reply_status: Some(500),
            notifications: Some(false),
            ..SettingsChange::default()
        })
        .await
        .expect("update");
    assert_eq!(changed.settings.reply_status, 500);
    assert!(!changed.settings.notifications);
    assert_eq!(changed.rechecked, None, "tolerance unchanged: no re-check");
    assert!(
        !session
            .notifications()
            .load(std::sync::atomic::Ordering::Relaxed)
    );
    let answer = post(&address, "{}").await;
    assert!(
        answer.starts_with("HTTP/1.1 500"),
        "applied at once: {answer}"
    );

    let refused = session
        .update_settings(SettingsChange {
            reply_status: Some(42),
            ..SettingsChange::default()
        })
        .await
        .err()
        .expect("not a status");
    assert_eq!(refused.kind(), "invalid");
    assert!(refused.to_string().contains("100 to 599"), "{refused:?}");

    let tolerance = session
        .update_settings(SettingsChange {
            tolerance_seconds: Some(1),
            ..SettingsChange::default()
        })
        .await
        .expect("update");
    assert!(
        tolerance.rechecked.is_some(),
        "a tolerance change re-checks"
    );
    drop(session);

    let again = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let settings = again.settings().await.expect("settings");
    assert_eq!(settings.reply_status, 500);
    assert_eq!(settings.tolerance_seconds, 1);
    assert!(!settings.notifications);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_secret_is_no_longer_trusted_even_when_its_erase_cannot_finish() {
    use persona_inspector::model::Status;
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let address = format!("http://127.0.0.1:{}", listening_port(&session));
    let body = r#"{"data":{"type":"event","id":"evt_L"}}"#;
    let added = session
        .add_secret("leaked".into(), "wbhsec_leaked".into())
        .await
        .expect("add");
    post_signed(
        &address,
        body,
        &persona_signature("wbhsec_leaked", body.as_bytes()),
    )
    .await;

    // Another program reading the database holds the WAL, so the erase cannot finish.
    let other = rusqlite::Connection::open(dir.path().join("inspector.db")).expect("a reader");
    other.execute_batch("BEGIN").expect("begin");
    let _: i64 = other
        .query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0))
        .expect("read");
    let id = added.settings.secrets[0].id;
    let refused = session
        .remove_secret(id)
        .await
        .expect_err("the erase is reported unfinished");
    assert!(
        refused.to_string().contains("still in"),
        "the error says what is left: {refused:?}"
    );

    // Yet the secret is gone and nothing judges with it any more.
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(
        rows[0].signature.status,
        Status::Unchecked,
        "stored verdicts were re-checked without it"
    );
    post_signed(
        &address,
        body,
        &persona_signature("wbhsec_leaked", body.as_bytes()),
    )
    .await;
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(
        rows[0].signature.status,
        Status::Unchecked,
        "the listener no longer trusts the removed secret"
    );
    other.execute_batch("COMMIT").expect("end the read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_saved_retention_is_applied_at_launch_and_on_each_tick_and_forever_keeps_all() {
    use persona_inspector::model::Saved;
    use persona_inspector::store::Store;
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .insert_many(vec![received(45), received(5), received(0)])
        .expect("insert");
    store
        .save_settings(&Saved {
            retention_days: None,
            ..Saved::default()
        })
        .expect("save forever");
    drop(store);

    // Kept forever: the pass at launch purges nothing.
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let mut purged = session.take_purged().expect("the retention's reports");
    assert_eq!(next_pass(&mut purged).await, 0, "forever purges nothing");
    assert_eq!(
        stored_paths(&session).await,
        ["/0-days-ago", "/45-days-ago", "/5-days-ago"],
        "with retention \"forever\", a launch keeps every delivery"
    );
    let settings = session
        .update_settings(SettingsChange {
            retention: Some(Retention::Days(30)),
            ..SettingsChange::default()
        })
        .await
        .expect("keep 30 days");
    assert_eq!(settings.settings.retention_days, Some(30));
    drop(session);

    // 30 days: the pass at launch (in the background, so the window is not held up) purges
    // the 45-day-old delivery. The tick is short so the test sees it work; counted, not timed.
    let session =
        Session::start_with(dir.path(), "127.0.0.1", Some(0), Duration::from_millis(50)).await;
    let mut purged = session.take_purged().expect("the retention's reports");
    assert_eq!(next_pass(&mut purged).await, 1, "the launch's pass");
    assert_eq!(
        stored_paths(&session).await,
        ["/0-days-ago", "/5-days-ago"],
        "the launch applied the 30-day retention"
    );

    // A shorter retention is applied on the next tick, which reports how many went.
    session
        .update_settings(SettingsChange {
            retention: Some(Retention::Days(3)),
            ..SettingsChange::default()
        })
        .await
        .expect("keep 3 days");
    let n = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match next_pass(&mut purged).await {
                0 => continue, // a tick before the change
                n => break n,
            }
        }
    })
    .await
    .expect("a retention tick should purge the 5-day-old delivery");
    assert_eq!(n, 1, "one delivery was past 3 days");
    assert_eq!(stored_paths(&session).await, ["/0-days-ago"]);

    let refused = session
        .update_settings(SettingsChange {
            retention: Some(Retention::Days(0)),
            ..SettingsChange::default()
        })
        .await
        .err()
        .expect("0 days is refused");
    assert_eq!(refused.kind(), "invalid", "{refused:?}");
}

#[tokio::test]
async fn purge_counts_what_would_go_then_deletes_older_than_n_days_or_all() {
    use persona_inspector::store::Store;
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .insert_many(vec![received(20), received(10), received(0)])
        .expect("insert");
    drop(store);
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;

    assert_eq!(session.count_purgeable(Some(7)).await.expect("count"), 2);
    assert_eq!(session.count_purgeable(None).await.expect("count"), 3);
    let zero = session
        .purge(Some(0))
        .await
        .expect_err("0 days is refused rather than read as all");
    assert!(zero.to_string().contains("purge all"), "{zero:?}");
    assert_eq!(session.purge(Some(15)).await.expect("purge"), 1);
    assert_eq!(
        stored_paths(&session).await,
        ["/0-days-ago", "/10-days-ago"]
    );
    assert_eq!(session.purge(None).await.expect("purge all"), 2);
    assert!(stored_paths(&session).await.is_empty());
}
