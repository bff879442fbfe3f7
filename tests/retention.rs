//! The saved retention on a real store: what it purges, and "forever".

mod common;

use common::session::received;
use persona_inspector::model::Saved;
use persona_inspector::retention;
use persona_inspector::store::{Purge, Store};

const DAY_MS: i64 = 86_400_000;

fn paths(store: &Store) -> Vec<String> {
    let mut paths: Vec<String> = store
        .list(&Default::default())
        .expect("list")
        .into_iter()
        .map(|s| s.path)
        .collect();
    paths.sort();
    paths
}

#[test]
fn whole_utc_days_go_so_a_delivery_is_kept_at_least_the_days_and_at_most_one_more() {
    let day = DAY_MS;
    // 2025-12-02 15:00 UTC.
    let now = 20_424 * day + 15 * 3_600_000;
    let Some(Purge::Before(cutoff)) = retention::purge_for(Some(30), now) else {
        panic!("30 days purges what came before a time");
    };
    assert_eq!(
        cutoff,
        (20_424 - 30) * day,
        "midnight UTC starting the day 30 days back"
    );
    assert!(now - cutoff >= 30 * day && now - cutoff < 31 * day);
    assert_eq!(
        retention::purge_for(None, now),
        None,
        "forever purges nothing"
    );
    // Through the day the cutoff stays put: the hourly pass finds something once a day.
    assert_eq!(
        retention::purge_for(Some(30), now + 8 * 3_600_000),
        Some(Purge::Before(cutoff))
    );
}

#[test]
fn the_default_keeps_thirty_days_like_persona() {
    assert_eq!(Saved::default().retention_days, Some(30));
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .insert_many(vec![received(45), received(32), received(29), received(0)])
        .expect("insert");
    assert_eq!(
        retention::apply(&store).expect("apply"),
        2,
        "the two deliveries more than 31 days old go (whole days: at most 31 are kept)"
    );
    assert_eq!(paths(&store), ["/0-days-ago", "/29-days-ago"]);
}

#[test]
fn a_shorter_retention_purges_more_and_forever_purges_nothing() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .insert_many(vec![
            received(4000),
            received(400),
            received(8),
            received(1),
        ])
        .expect("insert");
    store
        .save_settings(&Saved {
            retention_days: None,
            ..Saved::default()
        })
        .expect("save forever");
    assert_eq!(
        retention::apply(&store).expect("apply"),
        0,
        "forever keeps all"
    );
    assert_eq!(store.count().expect("count"), 4);

    store
        .save_settings(&Saved {
            retention_days: Some(7),
            ..Saved::default()
        })
        .expect("save 7 days");
    assert_eq!(retention::apply(&store).expect("apply"), 3);
    assert_eq!(
        paths(&store),
        ["/1-days-ago"],
        "only the day-old delivery stays"
    );
    assert_eq!(
        retention::apply(&store).expect("apply again"),
        0,
        "nothing more to purge"
    );
}
