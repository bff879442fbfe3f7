//! Bulk re-delivery (`bulk::plan`, `bulk::run`): many stored deliveries sent in order to one
//! target, counted, cancelled, and re-signed only where Persona signed them unless opted in.

mod common;

use common::redelivery::*;
use common::target::*;
use common::unverified::*;
use common::*;
use persona_inspector::bulk::{self, Cancel, Progress};
use persona_inspector::model::{Order, Scope, Signing};
use persona_inspector::redeliver::Options;
use persona_inspector::store::Purge;

#[tokio::test]
async fn bulk_redelivery_sends_in_created_at_or_received_order_and_sums_up() {
    let f = Fixture::new();
    let (target, log) = recording_target().await;
    // Arrival order differs from creation order, as Persona's deliveries may.
    let mut ids = Vec::new();
    for (event_id, created) in [
        ("evt_2", "2026-11-22T10:00:02.000Z"),
        ("evt_3", "2026-11-22T10:00:03.000Z"),
        ("evt_1", "2026-11-22T10:00:01.000Z"),
    ] {
        ids.push(
            f.signed(now(), &event(event_id, "inquiry.completed", created))
                .await,
        );
    }
    let not_persona = f.deliver("/", None, Vec::new(), b"plain text").await;
    let options = Options {
        signing: resign(),
        ..Options::new(target)
    };
    let scope = Scope::Ids {
        ids: vec![ids[0], ids[1], ids[2], not_persona, 999_999],
    };
    let (planned, missing) =
        bulk::plan(&f.forwarder, &f.store, &scope, Order::Created, &options).expect("plan");
    assert_eq!(planned, [ids[2], ids[0], ids[1], not_persona]);
    assert_eq!(missing, 1);
    let mut steps = Vec::new();
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &planned,
        missing,
        &options,
        &Cancel::default(),
        |progress, forwarded| steps.push((progress.done, forwarded.delivery_id)),
    )
    .await;
    let received: Vec<Vec<u8>> = log
        .lock()
        .expect("log")
        .iter()
        .map(|r| r.body.clone())
        .collect();
    let order: Vec<String> = received
        .iter()
        .map(|b| String::from_utf8_lossy(&b[..b.len().min(60)]).into_owned())
        .collect();
    assert!(order[0].contains("evt_1") && order[1].contains("evt_2") && order[2].contains("evt_3"));
    assert_eq!(received[3], b"plain text", "not a Persona event: last");
    assert_eq!(
        steps,
        [(1, ids[2]), (2, ids[0]), (3, ids[1]), (4, not_persona)]
    );
    // The plain-text delivery had no signature: without the opt-in it went out without one,
    // and the handler refused it.
    assert_eq!(
        done,
        Progress {
            total: 4,
            done: 4,
            delivered: 3,
            rejected: 1,
            missing: 1,
            finished: true,
            ..Progress::default()
        }
    );
    assert_eq!(
        done.describe(),
        "4 sent: 3 delivered, 1 rejected; 1 no longer stored"
    );
    let origins = f.store.redeliveries(ids[0]).expect("history");
    assert_eq!(
        origins[0].attempt.origin,
        persona_inspector::model::Origin::Bulk
    );
    assert_eq!(
        summary(&f.store, ids[0]).forward,
        None,
        "a bulk send is not a forward"
    );

    // Received order over a filter, and the failures counted apart.
    let filter = persona_inspector::model::Filter {
        event_name: Some("inquiry.completed".into()),
        ..Default::default()
    };
    let scope = Scope::Filter { filter };
    let closed = Options::new(format!("http://127.0.0.1:{}", closed_port()));
    let (planned, _) =
        bulk::plan(&f.forwarder, &f.store, &scope, Order::Received, &closed).expect("plan");
    assert_eq!(planned, ids);
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &planned,
        0,
        &closed,
        &Cancel::default(),
        |_, _| {},
    )
    .await;
    assert_eq!((done.unreachable, done.delivered), (3, 0));
    assert_eq!(done.describe(), "3 sent: 0 delivered, 3 unreachable");
}

#[tokio::test]
async fn bulk_redelivery_stops_when_cancelled_and_refuses_what_it_cannot_send() {
    let f = Fixture::new();
    let (target, log) = recording_target().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(
            f.signed(
                now(),
                &event(
                    &format!("evt_{n}"),
                    "inquiry.completed",
                    "2026-11-22T10:00:00.000Z",
                ),
            )
            .await,
        );
    }
    let options = Options::new(target.clone());
    let cancel = Cancel::default();
    let stop = cancel.clone();
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &ids,
        0,
        &options,
        &cancel,
        |progress, _| {
            if progress.done == 2 {
                stop.cancel();
            }
        },
    )
    .await;
    assert!(done.cancelled && done.finished);
    assert_eq!((done.done, done.total), (2, 5));
    assert_eq!(log.lock().expect("log").len(), 2);
    assert!(
        done.describe().ends_with("cancelled with 3 left"),
        "{}",
        done.describe()
    );

    let nothing = Scope::Filter {
        filter: persona_inspector::model::Filter {
            event_name: Some("report.run".into()),
            ..Default::default()
        },
    };
    let error = bulk::plan(&f.forwarder, &f.store, &nothing, Order::Created, &options)
        .expect_err("nothing to send");
    assert!(error.to_string().contains("no delivery matches"), "{error}");
    let edited = Options {
        edits: persona_inspector::redeliver::Edits {
            body: Some(b"{}".to_vec()),
            headers: None,
        },
        ..options.clone()
    };
    let scope = Scope::Ids { ids: ids.clone() };
    let error = bulk::plan(&f.forwarder, &f.store, &scope, Order::Created, &edited)
        .expect_err("edits refused");
    assert!(
        error.to_string().contains("edits belong to one delivery"),
        "{error}"
    );
    let unknown = Options {
        signing: Signing::Resign {
            secret: "nope".into(),
        },
        ..options
    };
    let error = bulk::plan(&f.forwarder, &f.store, &scope, Order::Created, &unknown)
        .expect_err("label refused");
    assert!(
        error.to_string().contains("no secret is labelled \"nope\""),
        "{error}"
    );
    // A delivery purged before its turn is counted as not sent, and the run goes on.
    f.store.purge(Purge::All).expect("purged");
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &ids[..2],
        0,
        &Options::new(target),
        &Cancel::default(),
        |_, _| {},
    )
    .await;
    assert_eq!((done.skipped, done.done), (2, 2));
}

#[tokio::test]
async fn bulk_counts_the_unverified_and_re_signs_them_only_when_opted_in() {
    let f = Fixture::new();
    let (target, log) = recording_target().await;
    let body = event("evt_bulk", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let unverified = f.unverified(&body).await;
    let valid = f.signed(now(), &body).await;
    let mut ids: Vec<i64> = unverified.iter().map(|u| u.id).collect();
    ids.push(valid);
    let scope = Scope::Ids { ids: ids.clone() };

    let counted = bulk::count_unverified(&f.store, &scope).expect("counted");
    assert_eq!((counted.total, counted.unverified), (7, 6));
    let kinds: Vec<(&str, u64)> = counted
        .kinds
        .iter()
        .map(|k| (k.kind.as_str(), k.count))
        .collect();
    assert_eq!(
        kinds,
        [
            ("imported", 1),
            ("invalid", 1),
            ("malformed", 1),
            ("missing", 1),
            ("stale", 1),
            ("unchecked", 1)
        ],
        "each kind counted"
    );

    let options = Options {
        signing: resign(),
        ..Options::new(target)
    };
    let (planned, missing) =
        bulk::plan(&f.forwarder, &f.store, &scope, Order::Received, &options).expect("plan");
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &planned,
        missing,
        &options,
        &Cancel::default(),
        |_, _| {},
    )
    .await;
    assert_eq!(
        (done.delivered, done.rejected),
        (1, 6),
        "{}",
        done.describe()
    );
    let received = log.lock().expect("log").clone();
    assert_sent_as_they_came(&f.store, &unverified, &received[..6]);
    assert_eq!(
        received[6].check,
        Check::Valid,
        "Persona's own is re-signed"
    );

    log.lock().expect("log").clear();
    let opted_in = Options {
        resign_unverified: true,
        ..options
    };
    let done = bulk::run(
        &f.forwarder,
        &f.store,
        &planned,
        missing,
        &opted_in,
        &Cancel::default(),
        |_, _| {},
    )
    .await;
    assert_eq!(
        done.delivered,
        7,
        "opted in, all re-signed: {}",
        done.describe()
    );
}
