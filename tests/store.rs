//! The store on real SQLite files in temporary directories.

mod common;

use std::time::Duration;

use common::*;
use persona_inspector::model::{Arrival, Filter, NewDelivery, Secret, Status, Verification};
use persona_inspector::store::{DATABASE_FILE, Purge, SEARCH_FILE, Store};
use persona_inspector::{Error, clock};

fn delivery(body: Vec<u8>, received_at_ms: i64, verification: &Verification) -> NewDelivery {
    let signature = persona_inspector::signature::sign(SECRET, received_at_ms / 1000, &body);
    let arrival = Arrival {
        received_at_ms,
        method: "POST".into(),
        path: "/".into(),
        query: None,
        remote_addr: Some("127.0.0.1:1".into()),
        headers: vec![("persona-signature".into(), signature.into_bytes())],
    };
    NewDelivery::captured(arrival, body, verification)
}

fn secret() -> Verification {
    Verification {
        secrets: vec![Secret {
            label: "current".into(),
            value: SECRET.into(),
        }],
        tolerance_seconds: 300,
    }
}

#[test]
fn files_are_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("nested/data");
    let store = Store::open(&data).expect("open");
    store
        .insert_many(vec![delivery(b"{}".to_vec(), clock::now_ms(), &secret())])
        .expect("insert");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "data dir is 0700");
    // The search index keeps a rollback journal, the deliveries a WAL.
    let expected = [DATABASE_FILE, SEARCH_FILE]
        .map(str::to_string)
        .into_iter()
        .chain(["-wal", "-shm"].map(|suffix| format!("{DATABASE_FILE}{suffix}")));
    for name in expected {
        assert!(data.join(&name).exists(), "{name} exists");
    }
    let mut checked = 0;
    for entry in std::fs::read_dir(&data).expect("data dir") {
        let path = entry.expect("entry").path();
        assert_eq!(mode(&path), 0o600, "{} is 0600", path.display());
        checked += 1;
    }
    assert!(
        checked >= 4,
        "every file the store wrote was checked ({checked})"
    );
}

#[test]
fn loose_permissions_on_an_existing_data_dir_are_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    drop(Store::open(dir.path()).expect("open"));
    let mode = std::fs::metadata(dir.path())
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700);
}

#[test]
fn a_database_from_a_newer_version_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("temp");
    drop(Store::open(dir.path()).expect("create"));
    let conn = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).expect("open");
    conn.pragma_update(None, "user_version", 99).expect("bump");
    drop(conn);
    let error = Store::open(dir.path()).err().expect("refused");
    assert!(
        matches!(error, Error::DatabaseTooNew { found: 99, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("newer persona-inspector") && message.contains("--data-dir"),
        "{message}"
    );
}

#[test]
fn an_unusable_data_dir_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    let error = Store::open(&file).err().expect("refused");
    assert!(error.to_string().contains("--data-dir"), "{error}");
}

#[test]
fn deliveries_survive_reopening() {
    let dir = tempfile::tempdir().expect("temp");
    let body = inquiry_event("evt_KEEP", "inq_KEEP", 10);
    Store::open(dir.path())
        .expect("open")
        .insert_many(vec![delivery(body.clone(), clock::now_ms(), &secret())])
        .expect("insert");
    let store = Store::open(dir.path()).expect("reopen");
    let rows = store.list(&Filter::default()).expect("list");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].event_id.as_deref(), Some("evt_KEEP"));
}

#[test]
fn filters_find_by_event_name_ids_verdict_and_text() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    let now = clock::now_ms();
    let mut approved = inquiry_event("evt_A1", "inq_kT4xVnR2bPmYwL9s", 10);
    let declined = String::from_utf8(inquiry_event("evt_B2", "inq_other", 10))
        .expect("utf8")
        .replace("inquiry.approved", "inquiry.declined")
        .replace("user-42", "jane@example.com")
        .into_bytes();
    let unsigned = delivery(b"not json at all".to_vec(), now, &Verification::default());
    store
        .insert_many(vec![
            delivery(approved.clone(), now, &secret()),
            delivery(declined, now, &secret()),
            unsigned,
        ])
        .expect("insert");
    approved.push(b'\n');
    let list = |f: Filter| store.list(&f).expect("list");
    let ids = |rows: Vec<persona_inspector::store::Summary>| {
        rows.into_iter()
            .filter_map(|r| r.event_id)
            .collect::<Vec<_>>()
    };

    assert_eq!(list(Filter::default()).len(), 3);
    assert!(
        list(Filter::default())[0].parse_error.is_some(),
        "newest first"
    );
    assert_eq!(
        ids(list(Filter {
            event_name: Some("inquiry.declined".into()),
            ..Filter::default()
        })),
        vec!["evt_B2"]
    );
    assert_eq!(
        ids(list(Filter {
            resource_id: Some("inq_kT4xVnR2bPmYwL9s".into()),
            ..Filter::default()
        })),
        vec!["evt_A1"]
    );
    assert_eq!(
        list(Filter {
            signature: Some(Status::Unchecked),
            ..Filter::default()
        })
        .len(),
        1
    );
    let search = |text: &str| {
        ids(list(Filter {
            search: Some(text.into()),
            ..Filter::default()
        }))
    };
    assert_eq!(search("inq_kT4x"), vec!["evt_A1"], "an id prefix finds it");
    assert_eq!(
        search("jane@example.com"),
        vec!["evt_B2"],
        "body text finds it"
    );
    assert_eq!(
        search("declined"),
        vec!["evt_B2"],
        "event name words find it"
    );
    assert!(
        search("\"unbalanced AND (").is_empty(),
        "FTS syntax is taken literally, no error"
    );
    assert_eq!(
        list(Filter {
            limit: Some(1),
            ..Filter::default()
        })
        .len(),
        1
    );
    let newest = list(Filter::default())[0].id;
    assert_eq!(
        list(Filter {
            before_id: Some(newest),
            ..Filter::default()
        })
        .len(),
        2
    );
}

#[test]
fn purge_removes_old_deliveries_or_all_and_search_forgets_them() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    let now = clock::now_ms();
    let old = now - 10 * 86_400_000;
    store
        .insert_many(vec![
            delivery(inquiry_event("evt_OLD", "inq_old", 10), old, &secret()),
            delivery(inquiry_event("evt_NEW", "inq_new", 10), now, &secret()),
        ])
        .expect("insert");
    let removed = store
        .purge(Purge::OlderThan(Duration::from_secs(7 * 86_400)))
        .expect("purge");
    assert_eq!(removed, 1);
    let search = |text: &str| {
        store
            .list(&Filter {
                search: Some(text.into()),
                ..Filter::default()
            })
            .expect("list")
            .len()
    };
    assert_eq!(
        search("inq_old"),
        0,
        "the purged delivery's text is gone from the index"
    );
    assert_eq!(search("inq_new"), 1);
    assert_eq!(store.purge(Purge::All).expect("purge all"), 1);
    assert_eq!(store.count().expect("count"), 0);
    assert_eq!(search("inquiry"), 0);
}

#[test]
fn verdicts_are_recomputed_when_a_secret_is_added_later() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    let stored = store
        .insert_many(vec![delivery(
            inquiry_event("evt_R", "inq_R", 10),
            clock::now_ms(),
            &Verification::default(),
        )])
        .expect("insert");
    assert_eq!(
        store
            .get(stored[0].id)
            .expect("get")
            .summary
            .signature
            .status,
        Status::Unchecked
    );
    assert_eq!(
        store.recheck(&secret()).expect("recheck"),
        1,
        "one verdict changed"
    );
    let after = store.get(stored[0].id).expect("get").summary.signature;
    assert_eq!(after.status, Status::Valid, "{after:?}");
    assert!(!after.stale, "age is measured at arrival, not at recheck");
    assert_eq!(
        store
            .list(&Filter {
                signature: Some(Status::Valid),
                ..Filter::default()
            })
            .expect("list")
            .len(),
        1
    );
    assert_eq!(
        store.recheck(&secret()).expect("recheck"),
        0,
        "nothing changes the second time"
    );
}

#[test]
fn a_lost_search_index_is_rebuilt_from_the_deliveries() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .insert_many(vec![delivery(
            inquiry_event("evt_IDX", "inq_rebuild_me", 10),
            clock::now_ms(),
            &secret(),
        )])
        .expect("insert");
    let found = |store: &Store| {
        store
            .list(&Filter {
                search: Some("inq_rebuild".into()),
                ..Filter::default()
            })
            .expect("search")
            .len()
    };
    assert_eq!(found(&store), 1);
    drop(store);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(dir.path().join(format!("{SEARCH_FILE}{suffix}")));
    }
    let store = Store::open(dir.path()).expect("reopen without an index");
    assert_eq!(found(&store), 1, "the index was rebuilt");
}

/// An index an earlier version made is rebuilt in the new form, and the file gives back the
/// old index's pages instead of keeping them free.
#[test]
fn an_index_of_an_earlier_version_is_rebuilt_and_its_file_shrinks() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .insert_many(vec![delivery(
            inquiry_event("evt_OLD", "inq_rebuild_me", 10),
            clock::now_ms(),
            &secret(),
        )])
        .expect("insert");
    let found = |store: &Store, text: &str| {
        store
            .list(&Filter {
                search: Some(text.into()),
                ..Filter::default()
            })
            .expect("search")
            .len()
    };
    assert_eq!(found(&store, "inq_rebuild"), 1);
    drop(store);
    // An earlier version's index, grown large.
    let index = dir.path().join(SEARCH_FILE);
    let mut conn = rusqlite::Connection::open(&index).expect("open the index");
    let fill = conn.transaction().expect("begin");
    for n in 0..3_000 {
        fill.execute(
            "INSERT INTO deliveries_fts (rowid, body) VALUES (?1, ?2)",
            rusqlite::params![
                1_000_000 + n,
                format!("old{n} words inq_{n:024} of an older index")
            ],
        )
        .expect("fill");
    }
    fill.commit().expect("commit");
    conn.pragma_update(None, "user_version", 3)
        .expect("an earlier version");
    drop(conn);
    let grown = std::fs::metadata(&index).expect("size").len();

    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(found(&store, "inq_rebuild"), 1, "the index was rebuilt");
    assert_eq!(
        found(&store, "old12"),
        0,
        "nothing of the old index is left"
    );
    let now = std::fs::metadata(&index).expect("size").len();
    assert!(
        now * 4 < grown,
        "the file shrank from {grown} to {now} bytes"
    );
}

#[test]
fn a_long_list_is_read_in_stable_pages_counted_and_grouped_by_event_name() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    let now = clock::now_ms();
    let mut batch: Vec<_> = (0..25)
        .map(|i| {
            delivery(
                inquiry_event(&format!("evt_{i}"), &format!("inq_{i}"), 10),
                now,
                &secret(),
            )
        })
        .collect();
    batch.push(delivery(b"<xml/>".to_vec(), now, &secret()));
    let stored = store.insert_many(batch).expect("insert");
    let top = stored.last().expect("rows").id;

    let pinned = Filter {
        before_id: Some(top + 1),
        limit: Some(10),
        ..Filter::default()
    };
    // Arrivals after the snapshot don't shift the pages.
    store
        .insert_many(vec![delivery(b"late".to_vec(), now, &secret())])
        .expect("insert");
    let page = |offset| {
        store
            .list(&Filter {
                offset: Some(offset),
                ..pinned.clone()
            })
            .expect("list")
            .into_iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
    };
    let all: Vec<i64> = [0, 10, 20].into_iter().flat_map(page).collect();
    let expected: Vec<i64> = (top - 25..=top).rev().collect();
    assert_eq!(all, expected, "three pages cover the snapshot newest first");
    assert!(page(30).is_empty());

    assert_eq!(store.count_matching(&pinned).expect("count"), 26);
    assert_eq!(store.count_matching(&Filter::default()).expect("count"), 27);
    let search = Filter {
        search: Some("inq_7".into()),
        ..Filter::default()
    };
    assert_eq!(store.count_matching(&search).expect("count"), 1);
    let valid = Filter {
        signature: Some(Status::Valid),
        limit: Some(1),
        offset: Some(5),
        ..Filter::default()
    };
    assert_eq!(
        store.count_matching(&valid).expect("count"),
        27,
        "count ignores limit and offset"
    );

    let counts = store.event_counts().expect("counts");
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert_eq!(counts[0].event_name.as_deref(), Some("inquiry.approved"));
    assert_eq!(counts[0].count, 25);
    assert_eq!(counts[1].event_name, None);
    assert_eq!(counts[1].count, 2);
}
