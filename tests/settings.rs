//! Settings and secrets kept in the deliveries' database, on real SQLite files.

use persona_inspector::Error;
use persona_inspector::model::Saved;
use persona_inspector::store::{DATABASE_FILE, Store};

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    (dir, store)
}

fn invalid_message(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::Invalid(message)) => message,
        other => panic!("expected an invalid-input error, got {other:?}"),
    }
}

#[test]
fn settings_start_at_their_defaults_and_survive_reopening() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    assert_eq!(store.settings().expect("load"), Saved::default());
    assert_eq!(Saved::default().port, 4747);
    let changed = Saved {
        port: 5050,
        tolerance_seconds: 60,
        reply_status: 500,
        reply_delay_ms: 6000,
        notifications: false,
        notification_counts_only: true,
        retention_days: None,
        persona_source_ips: vec!["203.0.113.9".into(), "2001:db8::1".into()],
    };
    store.save_settings(&changed).expect("save");
    drop(store);
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.settings().expect("load"), changed);
}

#[test]
fn settings_the_listener_cannot_use_are_refused_and_not_saved() {
    let (_dir, store) = open();
    let base = Saved::default();
    let status = invalid_message(store.save_settings(&Saved {
        reply_status: 99,
        ..base.clone()
    }));
    assert!(status.contains("100 to 599"), "{status}");
    let delay = invalid_message(store.save_settings(&Saved {
        reply_delay_ms: 600_000,
        ..base.clone()
    }));
    assert!(delay.contains("at most"), "{delay}");
    let tolerance = invalid_message(store.save_settings(&Saved {
        tolerance_seconds: 0,
        ..base.clone()
    }));
    assert!(tolerance.contains("at least 1 s"), "{tolerance}");
    let retention = invalid_message(store.save_settings(&Saved {
        retention_days: Some(0),
        ..base.clone()
    }));
    assert!(
        retention.contains("1 to 36500 days") && retention.contains("forever"),
        "{retention}"
    );
    let addresses = invalid_message(store.save_settings(&Saved {
        persona_source_ips: vec!["35.232.44.140".into(), "35.232.44".into()],
        ..base.clone()
    }));
    assert!(
        addresses.contains("\"35.232.44\" is not an IP address"),
        "{addresses}"
    );
    assert_eq!(store.settings().expect("load"), base);
}

#[test]
fn a_setting_this_build_cannot_read_keeps_its_default_and_the_others_load() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .save_settings(&Saved {
            port: 6000,
            ..Saved::default()
        })
        .expect("save");
    drop(store);
    // As if hand-edited or written by another version.
    let conn = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).expect("sqlite");
    conn.execute(
        "UPDATE settings SET value = '\"loud\"' WHERE name = 'notifications'",
        [],
    )
    .expect("corrupt");
    conn.execute(
        "INSERT INTO settings (name, value) VALUES ('from_the_future', '1'), ('reply_status', 'not json')
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [],
    )
    .expect("corrupt");
    drop(conn);
    let store = Store::open(dir.path()).expect("reopen");
    let loaded = store.settings().expect("load");
    assert_eq!(loaded.port, 6000);
    assert!(loaded.notifications, "unreadable value → default (on)");
    assert_eq!(loaded.reply_status, 200);
}

#[test]
fn secrets_are_added_renamed_and_removed_by_id() {
    let (_dir, store) = open();
    let first = store
        .add_secret(" sandbox ", " wbhsec_first_secret_value ")
        .expect("add");
    assert_eq!(first.secret.label, "sandbox");
    assert_eq!(first.secret.value, "wbhsec_first_secret_value");
    assert_eq!(first.secret.preview(), "wbhsec_…alue");
    let second = store.add_secret("rotated", "wbhsec_second").expect("add");
    store.rename_secret(second.id, "next").expect("rename");
    let labels: Vec<String> = store
        .secrets()
        .expect("list")
        .into_iter()
        .map(|s| s.secret.label)
        .collect();
    assert_eq!(labels, ["sandbox", "next"]);
    store.remove_secret(first.id).expect("remove");
    let left = store.secrets().expect("list");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].secret.value, "wbhsec_second");
    // The value never shows in debug output (logs).
    assert!(!format!("{left:?}").contains("wbhsec_second"));
}

#[test]
fn bad_secrets_get_clear_errors_and_nothing_is_saved() {
    let (_dir, store) = open();
    let one = store.add_secret("a", "wbhsec_one").expect("add");
    for (label, value, expected) in [
        ("", "wbhsec_x", "needs a label"),
        ("   ", "wbhsec_x", "needs a label"),
        ("a=b", "wbhsec_x", "without '='"),
        ("bell\u{7}", "wbhsec_x", "control characters"),
        ("b", "", "nothing after"),
        ("b", "wbhsec_ two", "whitespace"),
        ("a", "wbhsec_other", "already labelled \"a\""),
        ("b", "wbhsec_one", "already saved as \"a\""),
    ] {
        let message = invalid_message(store.add_secret(label, value));
        assert!(message.contains(expected), "{label:?} {value:?}: {message}");
    }
    let two = store.add_secret("b", "wbhsec_two").expect("add");
    let taken = invalid_message(store.rename_secret(two.id, "a"));
    assert!(taken.contains("already labelled"), "{taken}");
    store
        .rename_secret(one.id, "a")
        .expect("renaming to its own label is fine");
    let gone = invalid_message(store.remove_secret(999));
    assert!(gone.contains("no secret 999"), "{gone}");
    assert!(invalid_message(store.rename_secret(999, "z")).contains("no secret 999"));
    assert_eq!(store.secrets().expect("list").len(), 2);
}
