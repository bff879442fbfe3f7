//! The saved retention on a real store: what it purges, and "forever".

use persona_inspector::delivery::{Arrival, NewDelivery, Verification};
use persona_inspector::store::{Saved, Store};
use persona_inspector::{clock, retention};

const DAY_MS: i64 = 86_400_000;

fn received(days_ago: i64) -> NewDelivery {
    let arrival = Arrival {
        received_at_ms: clock::now_ms() - days_ago * DAY_MS,
        method: "POST".into(),
        path: format!("/{days_ago}-days-ago"),
        query: None,
        remote_addr: None,
        headers: Vec::new(),
    };
    NewDelivery::captured(arrival, b"{}".to_vec(), &Verification::default())
}

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
fn the_default_keeps_thirty_days_like_persona() {
    assert_eq!(Saved::default().retention_days, Some(30));
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .insert_many(vec![received(45), received(31), received(29), received(0)])
        .expect("insert");
    assert_eq!(
        retention::apply(&store).expect("apply"),
        2,
        "the two deliveries older than 30 days go"
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
