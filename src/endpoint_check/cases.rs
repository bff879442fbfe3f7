//! The cases of an endpoint check: what each one sends, what a correct Persona handler does with
//! it, and what to tell the user when their handler does otherwise.
//!
//! Persona's scheme (docs.withpersona.com/webhooks-best-practices, "Checking signatures"):
//! `Persona-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`, two such pairs
//! separated by a space while a secret is being rotated. Retries repeat the event id, and
//! events may arrive out of order (docs.withpersona.com/docs/webhooks).

use std::time::Duration;

use crate::error::Result;
use crate::model::{Expectation, Headers, Secret};
use crate::sample::{self, Sample};
use crate::signature;

/// What the check's requests say they are, so the user can find them in their logs.
pub(super) const USER_AGENT: &str = "Persona Webhook Inspector (endpoint check)";

/// How old the old-timestamp case's signature is: far past any tolerance a handler might pick
/// (a few minutes is usual), yet plainly a replay rather than a clock off by a time zone.
const OLD_AGE: Duration = Duration::from_secs(3 * 3600);

/// The out-of-order case's pair: the later event is sent first.
const OUT_OF_ORDER: (&str, &str) = ("inquiry.approved", "inquiry.completed");

/// One case of the check, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Case {
    Signed,
    Rotation,
    BareHmac,
    OtherSecret,
    BodyChanged,
    NoSignature,
    MalformedSignature,
    OldTimestamp,
    Duplicate,
    OutOfOrder,
}

impl Case {
    pub const ALL: [Case; 10] = [
        Case::Signed,
        Case::Rotation,
        Case::BareHmac,
        Case::OtherSecret,
        Case::BodyChanged,
        Case::NoSignature,
        Case::MalformedSignature,
        Case::OldTimestamp,
        Case::Duplicate,
        Case::OutOfOrder,
    ];

    /// The case's stable id.
    pub fn name(self) -> &'static str {
        match self {
            Case::Signed => "signed",
            Case::Rotation => "rotation",
            Case::BareHmac => "bare-hmac",
            Case::OtherSecret => "other-secret",
            Case::BodyChanged => "body-changed",
            Case::NoSignature => "no-signature",
            Case::MalformedSignature => "malformed-signature",
            Case::OldTimestamp => "old-timestamp",
            Case::Duplicate => "duplicate",
            Case::OutOfOrder => "out-of-order",
        }
    }

    pub fn expectation(self) -> Expectation {
        match self {
            Case::Signed | Case::Rotation | Case::Duplicate | Case::OutOfOrder => {
                Expectation::Accept
            }
            Case::BareHmac
            | Case::OtherSecret
            | Case::BodyChanged
            | Case::NoSignature
            | Case::MalformedSignature => Expectation::Reject,
            Case::OldTimestamp => Expectation::ShouldReject,
        }
    }
}

/// What a case sends, and what to say about the answers.
pub(super) struct Built {
    /// What was sent, in one line.
    pub sent: String,
    pub requests: Vec<Request>,
    /// The advice when the case passes.
    pub on_pass: String,
}

/// One request of a case.
pub(super) struct Request {
    /// Which of a case's two requests this is ("the retry"); None when it is the only one.
    pub role: Option<&'static str>,
    pub headers: Headers,
    pub body: Vec<u8>,
    /// The advice when the handler does the opposite of the expectation: refuses (4xx) what
    /// it must accept, or accepts what it must refuse.
    pub on_wrong: String,
}

/// What every case is made from.
pub(super) struct Context<'a> {
    pub event: &'a str,
    /// The user's secret.
    pub secret: &'a Secret,
    /// A secret that is not the user's, for the cases a handler must refuse.
    pub other: &'a str,
    /// Each case draws its own event (and event id) from this seed and its position.
    pub seed: u64,
}

/// A made-up secret, sure to differ from the user's.
pub(super) fn other_secret(yours: &Secret) -> String {
    let other = "wbhsec_endpoint_check_not_your_secret".to_string();
    if other == yours.value {
        format!("{other}_2")
    } else {
        other
    }
}

/// Builds `case`'s requests, signed at `now_ms`.
pub(super) fn build(case: Case, cx: &Context, now_ms: i64) -> Result<Built> {
    let t = now_ms.div_euclid(1000);
    let yours = cx.secret.value.as_str();
    let label = &cx.secret.label;
    let at = match case {
        // The whole request is old, as a captured one replayed: its event too.
        Case::OldTimestamp => now_ms - OLD_AGE.as_millis() as i64,
        _ => now_ms,
    };
    let event = made(cx, cx.event, at, None)?;
    let what = format!("{} {}", event.event_name, event.event_id);
    let body = event.body.clone();
    let signed = headers(&body, yours, at);
    let one = |headers: Headers, body: Vec<u8>, on_wrong: &str| {
        vec![Request {
            role: None,
            headers,
            body,
            on_wrong: on_wrong.to_string(),
        }]
    };
    let built = |sent: String, requests: Vec<Request>, on_pass: &str| Built {
        sent,
        requests,
        on_pass: on_pass.to_string(),
    };
    Ok(match case {
        Case::Signed => built(
            format!("{what}, signed with your secret \"{label}\" as Persona signs"),
            one(signed, body, REFUSED_SIGNED),
            "Nothing to do: a delivery signed as Persona signs is accepted in time.",
        ),
        Case::Rotation => {
            let header = format!(
                "{} {}",
                signature::sign(cx.other, t, &body),
                signature::sign(yours, t, &body)
            );
            built(
                format!(
                    "{what}, with two t=…,v1=… pairs as during a secret rotation: the first made \
                     with another secret, the second with \"{label}\""
                ),
                one(with_signature(signed, Some(header)), body, REFUSED_ROTATION),
                "Nothing to do: a rotation header whose second pair matches is accepted.",
            )
        }
        Case::BareHmac => built(
            format!(
                "{what}, with Persona-Signature set to the bare hex HMAC-SHA256 of the body under \
                 \"{label}\" (no t=…,v1=…)"
            ),
            one(
                with_signature(signed, Some(signature::sign_body_only(yours, &body))),
                body,
                "Your handler accepts a bare hex HMAC of the body, which Persona never sends: \
                 verify the v1 of the t=…,v1=… header, computed over \"<t>.<raw body>\".",
            ),
            "Nothing to do: a bare HMAC of the body is refused.",
        ),
        Case::OtherSecret => built(
            format!("{what}, signed as Persona signs but with a secret that is not yours"),
            one(
                with_signature(signed, Some(signature::sign(cx.other, t, &body))),
                body,
                "A delivery signed with a secret that is not yours was accepted: compare each v1 \
                 with the HMAC under your secret, in constant time, and refuse when none matches.",
            ),
            "Nothing to do: another secret's signature is refused.",
        ),
        Case::BodyChanged => {
            let changed = changed_id(&event.event_id);
            let sent_body = String::from_utf8_lossy(&body)
                .replacen(&event.event_id, &changed, 1)
                .into_bytes();
            built(
                format!(
                    "{what}, signed with \"{label}\", then its event id changed to {changed} as \
                     if altered on the way"
                ),
                one(
                    signed,
                    sent_body,
                    "A body altered after signing was accepted: compute the HMAC over the raw \
                     body bytes as received, before any JSON parsing, and refuse a mismatch.",
                ),
                "Nothing to do: a body changed after signing is refused.",
            )
        }
        Case::NoSignature => built(
            format!("{what}, without a Persona-Signature header"),
            one(
                with_signature(signed, None),
                body,
                "A delivery without Persona-Signature was accepted: refuse it with 401 before \
                 doing anything with the body.",
            ),
            "Nothing to do: a delivery without a signature is refused.",
        ),
        Case::MalformedSignature => {
            let header = "t=not-a-time,v1=not-a-signature";
            built(
                format!("{what}, with Persona-Signature: {header}"),
                one(
                    with_signature(signed, Some(header.to_string())),
                    body,
                    "A delivery whose Persona-Signature cannot be read was accepted: refuse it \
                     with 400 or 401.",
                ),
                "Nothing to do: an unreadable signature is refused.",
            )
        }
        Case::OldTimestamp => {
            let age = signature::human_span(OLD_AGE.as_secs());
            built(
                format!("{what}, signed with \"{label}\" {age} ago (a replayed request)"),
                one(
                    signed,
                    body,
                    &format!(
                        "A delivery signed {age} ago was accepted: Persona documents no \
                         tolerance, but refusing a t older than a few minutes stops replays of \
                         a captured request."
                    ),
                ),
                "Nothing to do: a signature made hours ago is refused, which stops replays.",
            )
        }
        Case::Duplicate => {
            let retry = as_retry(headers(&body, yours, now_ms), t);
            built(
                format!(
                    "{what} twice, signed with \"{label}\": the second as Persona's retry \
                     (Persona-Webhook-Attempts-Made: 2)"
                ),
                vec![
                    Request {
                        role: Some("the first delivery"),
                        headers: signed,
                        body: body.clone(),
                        on_wrong: REFUSED_SIGNED.to_string(),
                    },
                    Request {
                        role: Some("the retry (second request)"),
                        headers: retry,
                        body,
                        on_wrong: "A retry of an event already received must be answered 2xx \
                                   (without doing the work again), or Persona keeps retrying it."
                            .to_string(),
                    },
                ],
                &format!(
                    "Both were answered 2xx; check in your app that the second delivery of {} \
                     had no effect (one record, one email): Persona's retries repeat the event id.",
                    event.event_id
                ),
            )
        }
        Case::OutOfOrder => out_of_order(cx, now_ms)?,
    })
}

/// A sample of `event` happening at `at_ms`, drawn from the case's seed.
fn made(cx: &Context, event: &str, at_ms: i64, resource_id: Option<String>) -> Result<Sample> {
    sample::generate(&sample::Options {
        seed: Some(cx.seed),
        resource_id,
        ..sample::Options::new(event, at_ms)
    })
}

/// inquiry.approved sent before inquiry.completed of the same inquiry, created a second later.
fn out_of_order(cx: &Context, now_ms: i64) -> Result<Built> {
    let (later, earlier) = OUT_OF_ORDER;
    let earlier_event = made(cx, earlier, now_ms - 1000, None)?;
    let inquiry = earlier_event.resource.id.clone();
    let later_event = made(cx, later, now_ms, Some(inquiry.clone()))?;
    let refused = format!(
        "An event that arrives before an earlier one must still be answered 2xx: accept every \
         correctly signed event, and order each {}'s events by created-at instead of refusing.",
        earlier_event.resource.kind
    );
    let request = |role, event: Sample| Request {
        role: Some(role),
        headers: headers(&event.body, &cx.secret.value, now_ms),
        body: event.body,
        on_wrong: refused.clone(),
    };
    Ok(Built {
        sent: format!(
            "{later} {} for {inquiry}, then {earlier} {} of the same {}, created a second \
             earlier; both signed with \"{}\"",
            later_event.event_id,
            earlier_event.event_id,
            earlier_event.resource.kind,
            cx.secret.label
        ),
        on_pass: format!(
            "Both were answered 2xx; check in your app that {inquiry} ended up approved, not \
             completed: order a resource's events by created-at, not by arrival."
        ),
        requests: vec![
            request("the first request (inquiry.approved)", later_event),
            request("the second request (inquiry.completed)", earlier_event),
        ],
    })
}

const REFUSED_SIGNED: &str = "A delivery signed as Persona signs was refused: compute \
    HMAC-SHA256 under your secret over \"<t>.<raw body>\", with t and v1 read from the \
    t=…,v1=… header, and compare it with v1 — and check that the secret given here is the one \
    your handler verifies with.";

const REFUSED_ROTATION: &str = "While a secret is being rotated Persona sends two \
    space-separated t=…,v1=… pairs: accept when any v1 matches, not only the first.";

/// Persona's headers for a first attempt, signed with `secret` at `at_ms`, naming the check.
fn headers(body: &[u8], secret: &str, at_ms: i64) -> Headers {
    sample::headers(body, secret, at_ms)
        .into_iter()
        .map(|(name, value)| match name.as_str() {
            "user-agent" => (name, USER_AGENT.as_bytes().to_vec()),
            _ => (name, value),
        })
        .collect()
}

/// `headers` with Persona-Signature replaced by `value`, or removed.
fn with_signature(headers: Headers, value: Option<String>) -> Headers {
    headers
        .into_iter()
        .filter_map(|(name, old)| match name.as_str() {
            "persona-signature" => value.clone().map(|v| (name, v.into_bytes())),
            _ => Some((name, old)),
        })
        .collect()
}

/// A first attempt's headers made those of Persona's first retry of it, first sent at `t`.
fn as_retry(headers: Headers, t: i64) -> Headers {
    headers
        .into_iter()
        .map(|(name, value)| match name.as_str() {
            "persona-webhook-attempts-made" => (name, b"2".to_vec()),
            "persona-webhook-attempts-left" => (name, b"6".to_vec()),
            "persona-webhook-first-attempted-at" => (name, t.to_string().into_bytes()),
            _ => (name, value),
        })
        .collect()
}

/// The event id with its last character changed.
fn changed_id(id: &str) -> String {
    let mut changed = id.to_string();
    let last = changed.pop();
    changed.push(if last == Some('x') { 'y' } else { 'x' });
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Secret, Status, signature_header};

    fn secret() -> Secret {
        Secret {
            label: "current".into(),
            value: "wbhsec_cases_test".into(),
        }
    }

    fn verdict(request: &Request, secret: &Secret, now_s: i64) -> Status {
        signature::verify(
            signature_header(&request.headers).as_deref(),
            &request.body,
            std::slice::from_ref(secret),
            now_s,
            300,
        )
        .status
    }

    #[test]
    fn each_case_is_signed_the_way_it_says_by_the_inspectors_own_check() {
        let yours = secret();
        let other = other_secret(&yours);
        let now = 1_720_713_905_000;
        let cx = Context {
            event: "inquiry.completed",
            secret: &yours,
            other: &other,
            seed: 7,
        };
        for case in Case::ALL {
            let built = build(case, &cx, now).expect("built");
            let expected = match case {
                Case::Signed | Case::Rotation | Case::Duplicate | Case::OutOfOrder => Status::Valid,
                Case::OldTimestamp => Status::Valid,
                Case::OtherSecret | Case::BodyChanged => Status::Invalid,
                Case::NoSignature => Status::Missing,
                Case::BareHmac | Case::MalformedSignature => Status::Malformed,
            };
            let count = if matches!(case, Case::Duplicate | Case::OutOfOrder) {
                2
            } else {
                1
            };
            assert_eq!(built.requests.len(), count, "{case:?}");
            for request in &built.requests {
                assert_eq!(verdict(request, &yours, now / 1000), expected, "{case:?}");
                assert_eq!(request.role.is_some(), count == 2, "{case:?}");
            }
        }
    }

    #[test]
    fn the_old_timestamp_is_hours_old_and_the_retry_says_it_is_one() {
        let yours = secret();
        let other = other_secret(&yours);
        let now = 1_720_713_905_000;
        let cx = Context {
            event: "inquiry.completed",
            secret: &yours,
            other: &other,
            seed: 7,
        };
        let old = build(Case::OldTimestamp, &cx, now).expect("built");
        let v = signature::verify(
            signature_header(&old.requests[0].headers).as_deref(),
            &old.requests[0].body,
            std::slice::from_ref(&yours),
            now / 1000,
            300,
        );
        assert!(v.stale, "three hours old is stale: {v:?}");
        let dup = build(Case::Duplicate, &cx, now).expect("built");
        assert_eq!(dup.requests[0].body, dup.requests[1].body, "the same event");
        let made = |r: &Request| {
            crate::model::header(&r.headers, "persona-webhook-attempts-made").map(<[u8]>::to_vec)
        };
        assert_eq!(made(&dup.requests[0]), Some(b"1".to_vec()));
        assert_eq!(made(&dup.requests[1]), Some(b"2".to_vec()));
    }

    #[test]
    fn out_of_order_sends_the_later_event_of_one_inquiry_first() {
        let yours = secret();
        let other = other_secret(&yours);
        let cx = Context {
            event: "verification.passed",
            secret: &yours,
            other: &other,
            seed: 9,
        };
        let built = build(Case::OutOfOrder, &cx, 1_720_713_905_000).expect("built");
        let read =
            |r: &Request| -> serde_json::Value { serde_json::from_slice(&r.body).expect("JSON") };
        let (first, second) = (read(&built.requests[0]), read(&built.requests[1]));
        assert_eq!(first["data"]["attributes"]["name"], "inquiry.approved");
        assert_eq!(second["data"]["attributes"]["name"], "inquiry.completed");
        let resource =
            |v: &serde_json::Value| v["data"]["attributes"]["payload"]["data"]["id"].clone();
        assert_eq!(resource(&first), resource(&second), "one inquiry");
        assert!(
            first["data"]["attributes"]["created-at"].as_str()
                > second["data"]["attributes"]["created-at"].as_str(),
            "the first sent was created later"
        );
    }

    #[test]
    fn the_other_secret_is_never_yours() {
        let mut yours = secret();
        yours.value = other_secret(&yours);
        assert_ne!(other_secret(&yours), yours.value);
    }
}
