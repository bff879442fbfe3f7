//! The lifecycles Persona documents for its resources: the order a resource's statuses move in,
//! and which events are a final outcome. A resource's timeline is read against them (a status
//! that goes back, two outcomes for one resource). Only inquiries and verifications have one:
//! a case's statuses are the organization's own (Persona's Cases API reference: "these statuses
//! can be completely customized"), and accounts, reports and transactions document none.

/// One resource family's lifecycle.
#[derive(Debug, PartialEq, Eq)]
pub struct Lifecycle {
    /// The resource type (`inquiry`), or the prefix of its types (`verification` for
    /// `verification/government-id`, …).
    pub family: &'static str,
    /// The statuses, phase by phase, in the order a resource moves through them; statuses of
    /// one phase are not ordered among themselves.
    pub phases: &'static [&'static [&'static str]],
    /// The event actions (`approved` in `inquiry.approved`) that are a final outcome.
    pub outcomes: &'static [&'static str],
    /// The outcomes that let the user through, and those that stop them: one of each for one
    /// resource is a conflict. Two of one side are not (a workflow declining a failed inquiry
    /// is Persona's normal course: its lifecycle page has decisions come after the end user).
    pub approving: &'static [&'static str],
    pub refusing: &'static [&'static str],
    /// The page of Persona's docs it follows.
    pub source: &'static str,
}

/// Persona's Inquiry Model Lifecycle: four phases — Created (`created`), Pending (`pending`),
/// Done (`completed`, `failed`, `expired`) and Decisioned (`needs_review`, `approved`,
/// `declined`). Its outcomes are a decision or a dead end: approved, declined, failed (the end
/// user reached the Failed screen) and expired. `completed` is not one: a post-inquiry workflow
/// or a reviewer usually decides after it.
pub const INQUIRY: Lifecycle = Lifecycle {
    family: "inquiry",
    phases: &[
        &["created"],
        &["pending"],
        &["completed", "failed", "expired"],
        &["needs_review", "approved", "declined"],
    ],
    outcomes: &["approved", "declined", "failed", "expired"],
    approving: &["approved"],
    refusing: &["declined", "failed", "expired"],
    source: "https://docs.withpersona.com/model-lifecycle",
};

/// Persona's Verification Lifecycle: `initiated`, `confirmed` (phone and email verifications),
/// `submitted`, then the result: `passed`, `failed`, `requires_retry` or `skipped`. `canceled`
/// (a `verification.canceled` event exists, the page lists no status for it) is taken as a
/// result too. `requires_retry` asks for another attempt, so it is no final outcome.
pub const VERIFICATION: Lifecycle = Lifecycle {
    family: "verification",
    phases: &[
        &["initiated"],
        &["confirmed"],
        &["submitted"],
        &["passed", "failed", "requires_retry", "skipped", "canceled"],
    ],
    outcomes: &["passed", "failed", "skipped", "canceled"],
    approving: &["passed"],
    refusing: &["failed", "canceled"],
    source: "https://docs.withpersona.com/verification-lifecycle",
};

const LIFECYCLES: [&Lifecycle; 2] = [&INQUIRY, &VERIFICATION];

impl Lifecycle {
    /// The lifecycle of a resource type (`inquiry`, `verification/selfie`); None when Persona
    /// documents none for it.
    pub fn of(resource_type: &str) -> Option<&'static Lifecycle> {
        LIFECYCLES.into_iter().find(|l| {
            resource_type == l.family
                || resource_type
                    .strip_prefix(l.family)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }

    /// The phase a status belongs to (0 first); None for a status the lifecycle does not list.
    pub fn phase(&self, status: &str) -> Option<usize> {
        self.phases.iter().position(|p| p.contains(&status))
    }

    /// The outcome an event name gives (`approved` for `inquiry.approved`); None when the event
    /// is not one of this lifecycle's outcomes.
    pub fn outcome(&self, event_name: &str) -> Option<&'static str> {
        let (family, action) = event_name.rsplit_once('.')?;
        if family != self.family {
            return None;
        }
        self.outcomes.iter().copied().find(|o| *o == action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_match_their_types_and_subtypes_only() {
        assert_eq!(Lifecycle::of("inquiry"), Some(&INQUIRY));
        assert_eq!(
            Lifecycle::of("verification/government-id"),
            Some(&VERIFICATION)
        );
        assert_eq!(Lifecycle::of("verification"), Some(&VERIFICATION));
        assert_eq!(Lifecycle::of("inquiry-session"), None);
        assert_eq!(Lifecycle::of("case"), None);
    }

    #[test]
    fn phases_order_statuses_and_outcomes_come_from_event_names() {
        assert!(INQUIRY.phase("approved") > INQUIRY.phase("pending"));
        assert_eq!(INQUIRY.phase("completed"), INQUIRY.phase("failed"));
        assert_eq!(INQUIRY.phase("unheard-of"), None);
        assert_eq!(INQUIRY.outcome("inquiry.failed"), Some("failed"));
        assert_eq!(INQUIRY.outcome("inquiry.completed"), None);
        assert_eq!(INQUIRY.outcome("verification.failed"), None);
        assert_eq!(VERIFICATION.outcome("verification.passed"), Some("passed"));
        assert_eq!(VERIFICATION.outcome("verification.requires-retry"), None);
    }
}
