//! The inspector's data, and Persona's documented rules about it: a delivery and what was made
//! of it and where it came from, a re-delivery and its answer, the forward rule, a bulk run's scope, the settings, an
//! endpoint check of the user's handler.
//! Everything above is built on these; this module depends on nothing else in the crate, so
//! the store can keep them without knowing how they are computed or sent.

mod bulk;
mod delivery;
mod endpoint_check;
mod event;
mod filter;
mod lifecycle;
mod persona;
mod redelivery;
mod rule;
mod secret;
mod settings;
mod source_ip;
mod verdict;

pub use bulk::{Order, Scope};
pub use delivery::{
    Arrival, AttemptHeaders, Headers, NewDelivery, Outcome, Source, Verification, format_size,
    header, headers_from_json, headers_to_json, parse_size, signature_header,
};
pub use endpoint_check::{
    CaseVerdict, CheckCase, CheckRun, CheckRunSummary, EndpointCheck, Expectation, success_codes,
};
pub use event::{Headline, ParseError};
pub use filter::Filter;
pub use lifecycle::Lifecycle;
pub use persona::{
    DEFAULT_TIMEOUT_MS, PERSONA_RETRY_SCHEDULE_S, PERSONA_SUCCESS, PERSONA_TIMEOUT,
    persona_would_accept,
};
pub use redelivery::{
    Answer, Attempt, Failure, FailureKind, ForwardMark, Origin, Redelivery, Signing, human_duration,
};
pub(crate) use redelivery::{base64_opt, rows_opt};
pub use rule::{MAX_SPEEDUP, Rule};
pub use secret::{Secret, parse_secret};
pub use settings::{
    DEFAULT_PORT, DEFAULT_RETENTION_DAYS, DEFAULT_TOLERANCE_S, MAX_REPLY_DELAY_MS,
    MAX_RETENTION_DAYS, Saved,
};
pub use source_ip::{
    ApparentSource, Basis, MAX_PERSONA_IPS, PERSONA_WEBHOOK_IPS, forwarded_for, ip_list, listed,
    parse_ip_list,
};
pub use verdict::{Matched, Pair, Status, Verdict};
