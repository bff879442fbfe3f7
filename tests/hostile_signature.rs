//! A `Persona-Signature` header is the sender's to fill, and anyone who finds the ngrok URL
//! can send one. The work it causes is counted (HMACs computed), not timed. This file is its
//! own test binary so that no other test adds to the process-wide count.

mod common;

use common::{Listener, SECRET, client, inquiry_event, now, persona_signature};
use persona_inspector::model::{Filter, Secret, Status, Verification};
use persona_inspector::signature::{self, DIAGNOSIS_MAX_BODY, MAX_V1};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_signature_header_costs_a_bounded_number_of_hmacs() {
    let listener = Listener::start(common::settings_with_secret()).await;
    let http = client();
    let big_body = inquiry_event("evt_hostile", "inq_hostile", 400 * 1024);
    let fake = "0".repeat(64);

    // Thousands of v1 values, in one pair and in thousands of pairs, with a 400 KB body.
    let flood_one_pair = format!("t={},{}", now(), format!("v1={fake},").repeat(5_000));
    let flood_pairs = format!("t={},v1={fake} ", now()).repeat(3_000);
    // 400 KB with no t= to start a pair: one giant pair, which must not be split in time
    // quadratic in its items.
    let no_t = "a, ".repeat(130_000);
    // The most a header may hold and still be checked: 8 pairs with distinct timestamps.
    let widest = (0..MAX_V1)
        .map(|n| format!("t={},v1={fake}", now() - n as i64))
        .collect::<Vec<_>>()
        .join(" ");
    let normal_body = inquiry_event("evt_normal", "inq_normal", 2_000);
    let normal_signature = persona_signature(SECRET, &normal_body);

    let before = signature::hmacs_computed();
    let post = |header: String, body: Vec<u8>| {
        let http = http.clone();
        let url = listener.url.clone();
        async move {
            let sent = std::time::Instant::now();
            let status = http
                .post(url)
                .header("persona-signature", header)
                .body(body)
                .send()
                .await
                .expect("the listener answers")
                .status();
            (status, sent.elapsed())
        }
    };
    let (a, b, c, d, normal) = tokio::join!(
        post(flood_one_pair, big_body.clone()),
        post(flood_pairs, big_body.clone()),
        post(no_t, inquiry_event("evt_no_t", "inq_no_t", 100)),
        post(widest, big_body.clone()),
        post(normal_signature, normal_body.clone()),
    );
    let spent = signature::hmacs_computed() - before;
    for (what, (status, _)) in [
        ("flood", a),
        ("pairs", b),
        ("no t", c),
        ("widest", d),
        ("normal", normal),
    ] {
        assert!(status.is_success(), "{what}: answered {status}");
    }
    // Before the bounds, each flood took ~12 s and held a worker; a normal delivery takes
    // milliseconds. The bound is loose on purpose: it detects a stall, it does not time.
    assert!(
        normal.1 < std::time::Duration::from_secs(5),
        "the normal delivery beside the floods took {:?}",
        normal.1
    );
    // The floods: none. The widest header: one per timestamp, then the diagnosis (the body
    // alone, another pair's timestamp, 4 changed bodies and 4 mangled secrets per timestamp).
    // The normal delivery: one.
    let bound = (MAX_V1 + 1 + 9 * MAX_V1 + 1) as u64;
    assert!(
        spent <= bound,
        "{spent} HMACs were computed for three hostile headers and one normal delivery; \
         the bound is {bound}"
    );
    assert!(
        big_body.len() < DIAGNOSIS_MAX_BODY,
        "the widest case is diagnosed"
    );

    let stored = listener.store().list(&Filter::default()).expect("list");
    let status_of = |event: &str| {
        stored
            .iter()
            .find(|s| s.event_id.as_deref() == Some(event))
            .map(|s| s.signature.status)
    };
    assert_eq!(status_of("evt_normal"), Some(Status::Valid));
    let malformed = stored
        .iter()
        .filter(|s| s.signature.status == Status::Malformed)
        .count();
    assert_eq!(
        malformed, 3,
        "the three floods are stored as malformed: {stored:#?}"
    );
    let reason = stored
        .iter()
        .find(|s| s.signature.status == Status::Malformed)
        .map(|s| s.signature.explanation.clone())
        .unwrap_or_default();
    assert!(
        reason.contains("no HMAC was computed"),
        "the verdict says why: {reason}"
    );

    // A recheck of the stored floods hashes nothing either; the others once per timestamp.
    let store = listener.store().clone();
    let before = signature::hmacs_computed();
    let changed = tokio::task::spawn_blocking(move || {
        store.recheck(&Verification {
            secrets: vec![Secret {
                label: "other".into(),
                value: "wbhsec_other".into(),
            }],
            ..Verification::default()
        })
    })
    .await
    .expect("recheck thread")
    .expect("recheck");
    let spent = signature::hmacs_computed() - before;
    assert!(changed >= 2, "the valid delivery and the widest one change");
    assert!(
        spent <= bound,
        "recheck of five stored deliveries took {spent} HMACs; the bound is {bound}"
    );
    listener.stop().await;
}
