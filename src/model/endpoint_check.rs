//! An endpoint check: a series of made-up deliveries sent to the user's own handler, each with
//! what a correct Persona handler does with it and what this one did. `endpoint_check` runs
//! them; the store keeps every run with the requests it sent and the answers.

use serde::Serialize;

use super::{Attempt, PERSONA_SUCCESS, PERSONA_TIMEOUT, human_duration};

/// What a correct Persona handler does with a case's request(s).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// Answer a Persona success status within Persona's time limit.
    Accept,
    /// Refuse it: anything but a 2xx (400 or 401 is best).
    Reject,
    /// Refusing it is better, but Persona's docs don't demand it: a warning at worst.
    ShouldReject,
}

impl Expectation {
    /// "accept", "reject" or "should_reject", as the store records it.
    pub fn as_str(self) -> &'static str {
        match self {
            Expectation::Accept => "accept",
            Expectation::Reject => "reject",
            Expectation::ShouldReject => "should_reject",
        }
    }

    pub fn parse(text: &str) -> Option<Expectation> {
        [
            Expectation::Accept,
            Expectation::Reject,
            Expectation::ShouldReject,
        ]
        .into_iter()
        .find(|e| e.as_str() == text)
    }

    /// "must answer 200, 201, 202 or 204 within 5 s".
    pub fn describe(self) -> String {
        match self {
            Expectation::Accept => format!(
                "must answer {} within {}",
                success_codes(),
                human_duration(PERSONA_TIMEOUT.as_secs_f64() * 1e3)
            ),
            Expectation::Reject => "must refuse it (answer 400 or 401)".into(),
            Expectation::ShouldReject => {
                "should refuse it (a warning only: Persona documents no timestamp tolerance)".into()
            }
        }
    }
}

/// "200, 201, 202 or 204".
pub fn success_codes() -> String {
    let codes: Vec<String> = PERSONA_SUCCESS.iter().map(u16::to_string).collect();
    match codes.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// How a case went.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseVerdict {
    Pass,
    /// Not what a careful handler does, but nothing Persona's docs require.
    Warn,
    Fail,
}

impl CaseVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseVerdict::Pass => "pass",
            CaseVerdict::Warn => "warn",
            CaseVerdict::Fail => "fail",
        }
    }

    pub fn parse(text: &str) -> Option<CaseVerdict> {
        [CaseVerdict::Pass, CaseVerdict::Warn, CaseVerdict::Fail]
            .into_iter()
            .find(|v| v.as_str() == text)
    }
}

/// One case of a check: what was sent, what should have happened, what did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckCase {
    /// A stable kebab-case id: `signed`, `rotation`, `bare-hmac`, …
    pub name: String,
    /// What was sent, in one line.
    pub sent: String,
    pub expectation: Expectation,
    /// The expectation in words ([`Expectation::describe`]).
    pub expected: String,
    /// The answer's status; for a case of two requests, that of the one the verdict is about
    /// (the worse, the first of equals, or the slower when both pass). None: no answer
    /// (`error` says why).
    pub status: Option<u16>,
    pub error: Option<String>,
    /// How long that answer took.
    pub ms: f64,
    pub verdict: CaseVerdict,
    /// One sentence: what to do, or what to check by hand.
    pub advice: String,
    /// Every request the case sent, in order, with its answer.
    pub attempts: Vec<Attempt>,
}

/// A whole check of one URL.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EndpointCheck {
    pub url: String,
    /// The event the cases send (the out-of-order case sends its own pair).
    pub event: String,
    /// The label of the secret the deliveries were signed with.
    pub secret_label: String,
    /// RFC 3339, UTC, milliseconds.
    pub started_at: String,
    pub started_at_ms: i64,
    /// The answer time accepted deliveries were held to: Persona's 5 s.
    pub limit_ms: u64,
    /// No case failed (warnings allowed): every must-case passed.
    pub passed: bool,
    pub cases: Vec<CheckCase>,
}

impl EndpointCheck {
    /// How many cases have `verdict`.
    pub fn count(&self, verdict: CaseVerdict) -> usize {
        self.cases.iter().filter(|c| c.verdict == verdict).count()
    }
}

/// A recorded check.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckRun {
    pub id: i64,
    #[serde(flatten)]
    pub check: EndpointCheck,
}

/// A recorded check in a list of them.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckRunSummary {
    pub id: i64,
    pub url: String,
    pub event: String,
    pub started_at: String,
    pub started_at_ms: i64,
    pub passed: bool,
    pub passes: u32,
    pub warnings: u32,
    pub failures: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_success_codes_read_as_a_list() {
        assert_eq!(success_codes(), "200, 201, 202 or 204");
        assert_eq!(
            Expectation::Accept.describe(),
            "must answer 200, 201, 202 or 204 within 5 s"
        );
    }

    #[test]
    fn codes_round_trip() {
        for e in [
            Expectation::Accept,
            Expectation::Reject,
            Expectation::ShouldReject,
        ] {
            assert_eq!(Expectation::parse(e.as_str()), Some(e));
        }
        for v in [CaseVerdict::Pass, CaseVerdict::Warn, CaseVerdict::Fail] {
            assert_eq!(CaseVerdict::parse(v.as_str()), Some(v));
        }
        assert!(CaseVerdict::Fail > CaseVerdict::Warn && CaseVerdict::Warn > CaseVerdict::Pass);
    }
}
