//! What a delivery's body says at a glance: the envelope fields the store indexes, or why the
//! body could not be read as JSON. `jsonapi` fills them in.

use std::fmt;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParseError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for ParseError {}

impl From<serde_json::Error> for ParseError {
    fn from(e: serde_json::Error) -> Self {
        let full = e.to_string();
        // serde_json has no public error code to match on; its message is the only signal.
        let message = if full.starts_with("recursion limit exceeded") {
            "JSON nests deeper than 128 levels; the body was stored without being parsed"
                .to_string()
        } else {
            let location = format!(" at line {} column {}", e.line(), e.column());
            full.strip_suffix(&location).unwrap_or(&full).to_string()
        };
        ParseError {
            message,
            line: e.line(),
            column: e.column(),
        }
    }
}

/// The fields the store indexes. The capture path needs only these for every delivery, so
/// `jsonapi::headline` reads them without building the whole document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Headline {
    pub event_id: Option<String>,
    pub event_name: Option<String>,
    pub created_at: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub resource_status: Option<String>,
}
