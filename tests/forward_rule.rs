//! The forward rule (`relay::Rule`) and its runtime (`Relay`): which captures it forwards, how
//! it retries on Persona's schedule, and what a rule change or a restart does to waiting retries.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::redelivery::*;
use common::target::*;
use common::unverified::*;
use common::*;
use persona_inspector::model::{FailureKind, Rule};
use persona_inspector::relay::Relay;

async fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_retries_continue_the_captures_count_and_stop_where_persona_would() {
    let f = Fixture::new();
    let (target, log) = flaky_target(usize::MAX).await;
    let body = event("evt_late", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let signature = persona_signature(SECRET, &body);
    let late = |made: &'static [u8], left: &'static [u8]| {
        h(&[
            ("persona-webhook-attempts-made", made),
            ("persona-webhook-attempts-left", left),
            ("persona-signature", signature.as_bytes()),
        ])
    };
    // Persona's 6th attempt: 2 left, so the forward is retried twice, never a 9th time.
    let sixth = f.deliver("/", None, late(b"6", b"2"), &body).await;
    // Its last attempt: Persona would not retry it, so neither does the forward rule.
    let last = f.deliver("/", None, late(b"8", b"0"), &body).await;
    let results = Arc::new(Mutex::new(Vec::new()));
    let heard = results.clone();
    let rule = Rule {
        enabled: true,
        target,
        signing: resign(),
        retry_speedup: Some(100_000),
        ..Rule::default()
    };
    let relay = Relay::new(
        f.store.clone(),
        f.forwarder.clone(),
        rule,
        move |forwarded| heard.lock().expect("results").push(forwarded),
    );
    relay.offer(&summary(&f.store, sixth));
    relay.offer(&summary(&f.store, last));
    eventually("four forwards", || {
        (results.lock().expect("results").len() == 4).then_some(())
    })
    .await;
    // The last retries are Persona's longest (46656 s and 117649 s, sped up to 0.5 s and 1.2 s):
    // wait past where a fifth forward would have come.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let mut counts: Vec<(String, String)> = log
        .lock()
        .expect("log")
        .iter()
        .map(|r| {
            (
                r.header("persona-webhook-attempts-made").expect("made"),
                r.header("persona-webhook-attempts-left").expect("left"),
            )
        })
        .collect();
    counts.sort();
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(m, l)| (m.to_string(), l.to_string()))
            .collect()
    };
    assert_eq!(
        counts,
        pairs(&[("6", "2"), ("7", "1"), ("8", "0"), ("8", "0")]),
        "each send carries a count Persona itself would send"
    );
    for (id, sends) in [(sixth, 3), (last, 1)] {
        let history = f.store.redeliveries(id).expect("history");
        assert_eq!(history.len(), sends);
        assert_eq!(
            history[0].attempt.next_retry_at_ms, None,
            "the newest attempt promises no retry past Persona's last attempt"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forward_rule_retries_failures_on_personas_schedule_sped_up() {
    let f = Fixture::new();
    let (target, log) = flaky_target(2).await;
    let body = event("evt_retry", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let signature = persona_signature(SECRET, &body);
    let headers = h(&[
        ("persona-webhook-attempts-made", b"1"),
        ("persona-webhook-attempts-left", b"7"),
        ("persona-signature", signature.as_bytes()),
    ]);
    let id = f.deliver("/", None, headers, &body).await;
    let results = Arc::new(Mutex::new(Vec::new()));
    let heard = results.clone();
    let rule = Rule {
        enabled: true,
        target: target.clone(),
        signing: resign(),
        // 3 s, 64 s, 729 s… become 0.03 ms, 0.64 ms, 7.3 ms…
        retry_speedup: Some(100_000),
        ..Rule::default()
    };
    rule.check(&f.forwarder, &f.store, None)
        .expect("usable rule");
    let relay = Relay::new(
        f.store.clone(),
        f.forwarder.clone(),
        rule,
        move |forwarded| heard.lock().expect("results").push(forwarded),
    );
    relay.offer(&summary(&f.store, id));
    eventually("three forwards", || {
        (results.lock().expect("results").len() == 3).then_some(())
    })
    .await;

    let received = log.lock().expect("log").clone();
    assert_eq!(received.len(), 3, "500, 500, then 200: no fourth try");
    assert!(
        received
            .iter()
            .all(|r| r.body == body && r.check == Check::Valid)
    );
    let made: Vec<String> = received
        .iter()
        .map(|r| r.header("persona-webhook-attempts-made").expect("made"))
        .collect();
    assert_eq!(
        made,
        ["1", "2", "3"],
        "retries carry Persona's attempt numbers"
    );
    assert_eq!(
        received[2]
            .header("persona-webhook-attempts-left")
            .as_deref(),
        Some("5")
    );

    let history = f.store.redeliveries(id).expect("history");
    let rows: Vec<(u32, Option<u16>, bool)> = history
        .iter()
        .rev()
        .map(|r| {
            (
                r.attempt.retry,
                r.attempt.answer.as_ref().map(|a| a.status),
                r.attempt.next_retry_at_ms.is_some(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (0, Some(500), true),
            (1, Some(500), true),
            (2, Some(200), false)
        ]
    );
    assert!(
        history
            .iter()
            .all(|r| r.attempt.origin == persona_inspector::model::Origin::Forward)
    );
    let mark = summary(&f.store, id)
        .forward
        .expect("the list shows the forward");
    assert!(mark.delivered);
    assert_eq!(
        (mark.status, mark.retry, mark.next_retry_at_ms),
        (Some(200), 2, None)
    );
    let listed = f
        .store
        .list(&Default::default())
        .expect("list")
        .into_iter()
        .find(|s| s.id == id)
        .expect("listed");
    assert_eq!(listed.forward, Some(mark));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_change_calls_off_waiting_retries_and_a_restart_resumes_them() {
    let f = Fixture::new();
    let nothing = format!("http://127.0.0.1:{}", closed_port());
    let rule = Rule {
        enabled: true,
        target: nothing.clone(),
        // Persona's own pace: the first retry is 3 s away.
        retry_speedup: Some(1),
        ..Rule::default()
    };
    let body = event("evt_wait", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let first = f.signed(now(), &body).await;
    let heard = Arc::new(Mutex::new(0usize));
    let count = heard.clone();
    let relay = Relay::new(
        f.store.clone(),
        f.forwarder.clone(),
        rule.clone(),
        move |_| *count.lock().expect("count") += 1,
    );
    relay.offer(&summary(&f.store, first));
    let pending = eventually("a waiting retry", || {
        f.store.pending_retries().ok().filter(|p| !p.is_empty())
    })
    .await;
    assert_eq!(pending.len(), 1);
    assert_eq!((pending[0].delivery_id, pending[0].retry), (first, 1));
    let mark = summary(&f.store, first).forward.expect("forwarded");
    assert_eq!(mark.failure, Some(FailureKind::NotListening));
    assert!(
        mark.next_retry_at_ms.is_some(),
        "the list says a retry is coming"
    );

    // Turning retries off stops it, and the row no longer promises one.
    let calmer = Rule {
        retry_speedup: None,
        ..rule.clone()
    };
    assert_eq!(relay.set_rule(calmer).expect("rule set"), 1);
    assert!(f.store.pending_retries().expect("pending").is_empty());
    assert_eq!(
        summary(&f.store, first)
            .forward
            .expect("forwarded")
            .next_retry_at_ms,
        None
    );
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(
        *heard.lock().expect("count"),
        1,
        "no retry after the rule changed"
    );
    drop(relay);

    // A retry left waiting when the app stopped is sent by the next run's relay, to the
    // target of the rule it runs with then.
    let second = f.signed(now(), &body).await;
    let stopped = Relay::new(f.store.clone(), f.forwarder.clone(), rule.clone(), |_| {});
    stopped.offer(&summary(&f.store, second));
    eventually("a waiting retry", || {
        f.store.pending_retries().ok().filter(|p| !p.is_empty())
    })
    .await;
    drop(stopped); // its task keeps sleeping; the rule below changes nothing it watches
    let (target, log) = recording_target().await;
    let restarted = Rule {
        target: target.clone(),
        retry_speedup: Some(1000),
        ..rule
    };
    let done = Arc::new(Mutex::new(Vec::new()));
    let results = done.clone();
    let next_run = Relay::new(
        f.store.clone(),
        f.forwarder.clone(),
        restarted,
        move |forwarded| results.lock().expect("results").push(forwarded),
    );
    assert_eq!(next_run.resume().expect("resumed"), 1);
    let forwarded = eventually("the resumed retry", || {
        done.lock().expect("results").first().cloned()
    })
    .await;
    let record = forwarded.result.expect("sent");
    assert_eq!((forwarded.delivery_id, record.attempt.retry), (second, 1));
    assert_eq!(log.lock().expect("log").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rule_forwards_only_the_event_names_it_names() {
    let f = Fixture::new();
    let (target, log) = recording_target().await;
    let rule = Rule {
        enabled: true,
        target,
        signing: resign(),
        events: vec!["inquiry.completed".into()],
        ..Rule::default()
    };
    let relay = Relay::new(f.store.clone(), f.forwarder.clone(), rule, |_| {});
    let taken = f
        .signed(
            now(),
            &event("evt_a", "inquiry.completed", "2026-11-22T10:00:00.000Z"),
        )
        .await;
    let left = f
        .signed(
            now(),
            &event("evt_b", "inquiry.created", "2026-11-22T10:00:00.000Z"),
        )
        .await;
    relay.offer(&summary(&f.store, left));
    relay.offer(&summary(&f.store, taken));
    eventually("the forward", || {
        summary(&f.store, taken).forward.filter(|m| m.delivered)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(log.lock().expect("log").len(), 1);
    assert_eq!(summary(&f.store, left).forward, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forward_rule_re_signs_only_persona_signed_captures_unless_its_setting_says() {
    let f = Fixture::new();
    let (target, log) = recording_target().await;
    let body = event("evt_rule", "inquiry.completed", "2026-11-22T10:00:00.000Z");
    let unverified = f.unverified(&body).await;
    let rule = Rule {
        enabled: true,
        target,
        signing: resign(),
        ..Rule::default()
    };
    assert!(!rule.resign_unverified, "off by default");
    let relay = Relay::new(f.store.clone(), f.forwarder.clone(), rule.clone(), |_| {});
    for u in &unverified {
        relay.offer(&summary(&f.store, u.id));
        eventually("the forward", || summary(&f.store, u.id).forward).await;
    }
    assert_sent_as_they_came(&f.store, &unverified, &log.lock().expect("log"));

    log.lock().expect("log").clear();
    relay
        .set_rule(Rule {
            resign_unverified: true,
            ..rule
        })
        .expect("rule changed");
    for u in &unverified {
        let before = summary(&f.store, u.id).forward.map(|m| m.redelivery_id);
        relay.offer(&summary(&f.store, u.id));
        eventually("the second forward", || {
            summary(&f.store, u.id)
                .forward
                .filter(|m| Some(m.redelivery_id) != before)
        })
        .await;
    }
    assert!(
        log.lock()
            .expect("log")
            .iter()
            .all(|r| r.check == Check::Valid),
        "with the setting on, all are re-signed"
    );
}
