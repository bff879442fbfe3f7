//! Judging the answers: each against its case's expectation, then the case as a whole by its
//! worst answer.

use std::time::Duration;

use super::cases::{Built, Case, Request};
use crate::model::{
    Attempt, CaseVerdict, CheckCase, Expectation, PERSONA_RETRY_SCHEDULE_S, PERSONA_SUCCESS,
    human_duration, success_codes,
};

/// What one answer came to: a verdict and, unless it passed, the advice.
struct Judged {
    verdict: CaseVerdict,
    advice: Option<String>,
}

impl Judged {
    fn pass() -> Judged {
        Judged {
            verdict: CaseVerdict::Pass,
            advice: None,
        }
    }

    fn warn(advice: String) -> Judged {
        Judged {
            verdict: CaseVerdict::Warn,
            advice: Some(advice),
        }
    }

    fn fail(advice: String) -> Judged {
        Judged {
            verdict: CaseVerdict::Fail,
            advice: Some(advice),
        }
    }
}

/// The case `case` came to with these answers (one per request of `built`, in order).
/// `signed_failed`: the plain signed case failed earlier in the run, so a refusal of another
/// correctly signed request most likely has the same cause.
pub(super) fn case(
    case: Case,
    built: Built,
    attempts: Vec<Attempt>,
    limit: Duration,
    signed_failed: bool,
) -> CheckCase {
    let expectation = case.expectation();
    let judged: Vec<Judged> = built
        .requests
        .iter()
        .zip(&attempts)
        .map(|(request, attempt)| {
            let mut judged = answer(expectation, request, attempt, limit);
            if signed_failed
                && case != Case::Signed
                && expectation == Expectation::Accept
                && let Some(advice) = &mut judged.advice
            {
                advice.push_str(" (`signed` failed too: fix that first.)");
            }
            judged
        })
        .collect();
    // The answer the case is about: the worst, the first of equals (a retry refused after
    // its first delivery was refused says nothing more); when all pass, the slowest.
    let shown = match judged.iter().map(|j| j.verdict).max() {
        Some(CaseVerdict::Pass) => (0..attempts.len())
            .max_by(|&a, &b| attempts[a].duration_ms.total_cmp(&attempts[b].duration_ms)),
        Some(worst) => judged.iter().position(|j| j.verdict == worst),
        None => None,
    };
    let (verdict, advice, status, error, ms) = match shown {
        Some(n) => {
            let advice = match (&judged[n].advice, built.requests[n].role) {
                (None, _) => built.on_pass.clone(),
                (Some(advice), None) => advice.clone(),
                (Some(advice), Some(role)) => format!("On {role}: {}", lower_first(advice)),
            };
            let attempt = &attempts[n];
            (
                judged[n].verdict,
                advice,
                attempt.answer.as_ref().map(|a| a.status),
                attempt.failure.as_ref().map(|f| f.message.clone()),
                attempt.duration_ms,
            )
        }
        None => (
            CaseVerdict::Fail,
            "Nothing was sent; please report this.".to_string(),
            None,
            Some("no request was sent".to_string()),
            0.0,
        ),
    };
    CheckCase {
        name: case.name().to_string(),
        sent: built.sent,
        expectation,
        expected: expectation.describe(),
        status,
        error,
        ms,
        verdict,
        advice,
        attempts,
    }
}

/// One answer against the expectation.
fn answer(
    expectation: Expectation,
    request: &Request,
    attempt: &Attempt,
    limit: Duration,
) -> Judged {
    let took = human_duration(attempt.duration_ms);
    let status = match &attempt.answer {
        Some(answer) => answer.status,
        None if expectation == Expectation::Accept => {
            return Judged::fail(format!(
                "Your handler gave no answer (see the error), which Persona counts as a failed \
                 delivery and retries: answer within {}.",
                human_duration(limit.as_secs_f64() * 1e3)
            ));
        }
        // No answer is no clean refusal: the handler may have hung or crashed on it.
        None => {
            return Judged::warn(
                "No answer (see the error), which is not a clean refusal: answer 400 or 401 at \
                 once."
                    .into(),
            );
        }
    };
    match expectation {
        Expectation::Accept => accepted(status, attempt.duration_ms, &took, request, limit),
        Expectation::Reject | Expectation::ShouldReject => match status {
            200..=299 if expectation == Expectation::Reject => {
                Judged::fail(request.on_wrong.clone())
            }
            200..=299 => Judged::warn(request.on_wrong.clone()),
            // What a handler answers when it looked at the signature and refused it.
            400 | 401 | 403 | 422 => Judged::pass(),
            // Refused, but for something else (a wrong path, a method, a rate limit): the
            // signature may never have been looked at.
            400..=499 => Judged::warn(format!(
                "Answered {status}, {}: this says nothing about the signature check — fix that                  first, then refuse a bad signature with 400 or 401.",
                not_about_the_signature(status)
            )),
            // A warning, not a pass: a 5xx reads as a crash rather than a refusal, may come
            // after part of the work was done, and asks Persona to send it again (a real
            // delivery refused so is retried for days). Not a failure either: the bad
            // request was not accepted.
            500..=599 => Judged::warn(format!(
                "Refused, but with {status}, which looks like a crash and makes Persona retry: \
                 refuse a bad signature deliberately with 400 or 401, before doing any work."
            )),
            _ => Judged::warn(format!(
                "Answered {status}, which is neither a refusal nor an acceptance: refuse it \
                 with 400 or 401."
            )),
        },
    }
}

/// An answer to a request the handler must accept within `limit`.
fn accepted(status: u16, ms: f64, took: &str, request: &Request, limit: Duration) -> Judged {
    let limit_text = human_duration(limit.as_secs_f64() * 1e3);
    match status {
        _ if PERSONA_SUCCESS.contains(&status) && ms <= limit.as_secs_f64() * 1e3 => Judged::pass(),
        _ if PERSONA_SUCCESS.contains(&status) => Judged::fail(format!(
            "Answered {status} only after {took}: Persona waits {limit_text}, then counts the \
             delivery as failed and retries it, so answer first and do the work in the \
             background."
        )),
        200..=299 => Judged::fail(format!(
            "Answered {status}, which Persona does not count as delivered (only {}): answer 200.",
            success_codes()
        )),
        300..=399 => Judged::fail(format!(
            "Answered a redirect ({status}), which Persona does not follow: give Persona the \
             final URL."
        )),
        404 | 405 | 410 | 413 | 415 | 429 => Judged::fail(format!(
            "Answered {status}, {}: fix that first.",
            not_about_the_signature(status)
        )),
        400..=499 => Judged::fail(request.on_wrong.clone()),
        _ => Judged::fail(format!(
            "Your handler failed with {status} on a correct delivery; Persona would retry it up \
             to {} more times — see your app's log.",
            PERSONA_RETRY_SCHEDULE_S.len()
        )),
    }
}

/// Why a 4xx that is no signature refusal came: most often a mistyped path.
fn not_about_the_signature(status: u16) -> &'static str {
    match status {
        404 | 410 => "so nothing handles POST at this URL: check its path",
        405 => "so this URL does not take POST: check its path and the route's method",
        413 => "so the handler's body limit is smaller than Persona's payloads",
        415 => "so the handler refuses application/json bodies",
        429 => "so the handler rate-limits: Persona may send many deliveries at once",
        _ => "which is not a signature refusal",
    }
}

/// "Your handler …" → "your handler …", to follow "On the retry: ".
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Answer, Failure, FailureKind, Origin, Signing};

    const LIMIT: Duration = Duration::from_secs(5);

    fn request(role: Option<&'static str>) -> Request {
        Request {
            role,
            headers: Vec::new(),
            body: b"{}".to_vec(),
            on_wrong: "The opposite of what it should.".into(),
        }
    }

    fn built(roles: &[Option<&'static str>]) -> Built {
        Built {
            sent: "something".into(),
            requests: roles.iter().map(|&role| request(role)).collect(),
            on_pass: "Nothing to do.".into(),
        }
    }

    /// An attempt answered `status` (None: no answer) after `ms`.
    fn attempt(status: Option<u16>, ms: f64) -> Attempt {
        Attempt {
            origin: Origin::Manual,
            retry: 0,
            next_retry_at_ms: None,
            started_at: String::new(),
            started_at_ms: 0,
            target: "http://127.0.0.1:9/".into(),
            method: "POST".into(),
            url: "http://127.0.0.1:9/".into(),
            headers: Vec::new(),
            edited_body: Some(b"{}".to_vec()),
            body_size: 2,
            signing: Signing::Keep,
            signing_note: None,
            timeout_ms: 10_000,
            duration_ms: ms,
            answer: status.map(|status| Answer {
                status,
                reason: None,
                headers: Vec::new(),
                body: Vec::new(),
                truncated: false,
                persona_success: false,
            }),
            failure: match status {
                Some(_) => None,
                None => Some(Failure {
                    kind: FailureKind::Timeout,
                    message: "no answer within 10 s".into(),
                }),
            },
        }
    }

    fn one(kind: Case, status: Option<u16>, ms: f64) -> CheckCase {
        case(
            kind,
            built(&[None]),
            vec![attempt(status, ms)],
            LIMIT,
            false,
        )
    }

    #[test]
    fn an_accepted_delivery_passes_only_with_a_persona_success_in_time() {
        for status in PERSONA_SUCCESS {
            assert_eq!(
                one(Case::Signed, Some(status), 4_999.0).verdict,
                CaseVerdict::Pass
            );
        }
        let late = one(Case::Signed, Some(200), 5_001.0);
        assert_eq!(late.verdict, CaseVerdict::Fail);
        assert!(late.advice.contains("only after 5 s"), "{}", late.advice);
        let wrong = [
            (203, "does not count as delivered"),
            (302, "does not follow"),
            (401, "The opposite of what it should."),
            (500, "up to 7 more times"),
        ];
        for (status, said) in wrong {
            let judged = one(Case::Signed, Some(status), 3.0);
            assert_eq!(judged.verdict, CaseVerdict::Fail, "{status}");
            assert!(judged.advice.contains(said), "{status}: {}", judged.advice);
            assert_eq!(judged.status, Some(status));
        }
        let silent = one(Case::Signed, None, 10_000.0);
        assert_eq!(silent.verdict, CaseVerdict::Fail);
        assert_eq!(silent.status, None);
        assert_eq!(silent.error.as_deref(), Some("no answer within 10 s"));
    }

    #[test]
    fn a_refusal_passes_with_a_4xx_and_warns_with_a_5xx_or_no_answer() {
        assert_eq!(
            one(Case::BareHmac, Some(401), 2.0).verdict,
            CaseVerdict::Pass
        );
        assert_eq!(
            one(Case::BareHmac, Some(400), 9_000.0).verdict,
            CaseVerdict::Pass
        );
        let accepted = one(Case::BareHmac, Some(200), 2.0);
        assert_eq!(accepted.verdict, CaseVerdict::Fail);
        assert_eq!(accepted.advice, "The opposite of what it should.");
        for status in [Some(500), Some(302), None] {
            let judged = one(Case::NoSignature, status, 2.0);
            assert_eq!(judged.verdict, CaseVerdict::Warn, "{status:?}");
            assert!(judged.advice.contains("400 or 401"), "{}", judged.advice);
        }
        // Should, not must: accepting an old timestamp is a warning only.
        assert_eq!(
            one(Case::OldTimestamp, Some(200), 2.0).verdict,
            CaseVerdict::Warn
        );
        assert_eq!(
            one(Case::OldTimestamp, Some(401), 2.0).verdict,
            CaseVerdict::Pass
        );
    }

    #[test]
    fn a_wrong_path_is_named_as_such_and_never_passes_as_a_signature_refusal() {
        for (status, said) in [
            (404, "check its path"),
            (405, "take POST"),
            (413, "body limit"),
        ] {
            let signed = one(Case::Signed, Some(status), 2.0);
            assert_eq!(signed.verdict, CaseVerdict::Fail, "{status}");
            assert!(signed.advice.contains(said), "{status}: {}", signed.advice);
            let forged = one(Case::BareHmac, Some(status), 2.0);
            assert_eq!(forged.verdict, CaseVerdict::Warn, "{status}");
            assert!(
                forged.advice.contains("says nothing about the signature"),
                "{status}: {}",
                forged.advice
            );
        }
        for status in [400, 401, 403, 422] {
            assert_eq!(
                one(Case::BareHmac, Some(status), 2.0).verdict,
                CaseVerdict::Pass
            );
        }
    }

    #[test]
    fn a_case_of_two_is_about_its_worse_answer_and_says_which() {
        let roles = [Some("the first delivery"), Some("the retry")];
        let judged = case(
            Case::Duplicate,
            built(&roles),
            vec![attempt(Some(200), 30.0), attempt(Some(500), 2.0)],
            LIMIT,
            false,
        );
        assert_eq!(judged.verdict, CaseVerdict::Fail);
        assert_eq!((judged.status, judged.ms), (Some(500), 2.0));
        assert!(
            judged
                .advice
                .starts_with("On the retry: your handler failed"),
            "{}",
            judged.advice
        );
        assert_eq!(judged.attempts.len(), 2);

        let refused = case(
            Case::Duplicate,
            built(&roles),
            vec![attempt(Some(401), 2.0), attempt(Some(401), 30.0)],
            LIMIT,
            false,
        );
        assert!(
            refused.advice.starts_with("On the first delivery: "),
            "the first of equals: {}",
            refused.advice
        );
        assert_eq!(refused.ms, 2.0);

        let both = case(
            Case::Duplicate,
            built(&roles),
            vec![attempt(Some(200), 30.0), attempt(Some(204), 2.0)],
            LIMIT,
            false,
        );
        assert_eq!(both.verdict, CaseVerdict::Pass);
        assert_eq!(
            (both.status, both.ms),
            (Some(200), 30.0),
            "the slower of two passes"
        );
        assert_eq!(both.advice, "Nothing to do.");
    }

    #[test]
    fn a_refused_signed_delivery_is_named_as_the_likely_cause_of_the_others() {
        let rotation = case(
            Case::Rotation,
            built(&[None]),
            vec![attempt(Some(401), 2.0)],
            LIMIT,
            true,
        );
        assert!(
            rotation
                .advice
                .ends_with("(`signed` failed too: fix that first.)")
        );
        let signed = case(
            Case::Signed,
            built(&[None]),
            vec![attempt(Some(401), 2.0)],
            LIMIT,
            true,
        );
        assert!(!signed.advice.contains("failed too"));
    }
}
