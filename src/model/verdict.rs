//! What the signature check concluded about a delivery; `signature` computes it.

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Valid,
    Invalid,
    Missing,
    Malformed,
    Unchecked,
}

impl Status {
    pub(crate) const ALL: [Status; 5] = [
        Status::Valid,
        Status::Invalid,
        Status::Missing,
        Status::Malformed,
        Status::Unchecked,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Missing => "missing",
            Status::Malformed => "malformed",
            Status::Unchecked => "unchecked",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s))
    }
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub t: i64,
    pub v1: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Matched {
    /// The label of the secret that matched.
    pub secret: String,
    /// 0-based index into `Verdict::pairs`.
    pub pair: usize,
    pub timestamp: i64,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub status: Status,
    pub explanation: String,
    pub diagnosis: Option<String>,
    pub matched: Option<Matched>,
    pub pairs: Vec<Pair>,
    pub timestamp: Option<i64>,
    pub age_seconds: Option<i64>,
    pub stale: bool,
    pub stale_note: Option<String>,
    pub tolerance_seconds: u64,
}

impl Verdict {
    /// A verdict with nothing parsed or matched yet.
    pub fn new(status: Status, explanation: String, tolerance_seconds: u64) -> Verdict {
        Verdict {
            status,
            explanation,
            diagnosis: None,
            matched: None,
            pairs: Vec::new(),
            timestamp: None,
            age_seconds: None,
            stale: false,
            stale_note: None,
            tolerance_seconds,
        }
    }
}
