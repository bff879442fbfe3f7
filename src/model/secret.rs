//! A webhook secret: the label it is known by and its `wbhsec_…` value.

use serde::{Deserialize, Serialize};

/// Persona's secrets start so.
const PREFIX: &str = "wbhsec_";

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    pub label: String,
    pub value: String,
}

impl Secret {
    /// Enough of the value to tell two secrets apart, never enough to use it: the prefix and,
    /// for a long value, its last 4 characters.
    pub fn preview(&self) -> String {
        let chars: Vec<char> = self.value.chars().collect();
        let keep = if chars.len() >= 12 { 4 } else { 0 };
        let tail: String = chars[chars.len() - keep..].iter().collect();
        let prefix = if self.value.starts_with(PREFIX) {
            PREFIX
        } else {
            ""
        };
        format!("{prefix}…{tail}")
    }
}

/// Never prints the value: debug output ends up in logs.
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("label", &self.label)
            .field("value", &"…")
            .finish()
    }
}

/// Parses a --secret argument `label=wbhsec_…`; a bare `wbhsec_…` value gets the label "default".
pub fn parse_secret(spec: &str) -> Result<Secret, String> {
    const HOW: &str = "type --secret label=wbhsec_… (or just the wbhsec_… secret, which gets the label \"default\")";
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(format!("The secret is empty; {HOW}."));
    }
    let (label, value) = if spec.starts_with(PREFIX) {
        ("default", spec)
    } else {
        spec.split_once('=').ok_or_else(|| {
            format!(
                "The secret has no '=' and does not start with wbhsec_, so it has no label; {HOW}."
            )
        })?
    };
    let (label, value) = (label.trim(), value.trim());
    if label.is_empty() {
        return Err(
            "The secret has nothing before '='; type a label first, e.g. --secret current=wbhsec_…."
                .into(),
        );
    }
    if value.is_empty() {
        return Err(format!(
            "The secret \"{label}\" has nothing after '='; \
             type --secret {label}=wbhsec_… with the secret from the Persona dashboard."
        ));
    }
    if value.contains(char::is_whitespace) {
        return Err(format!(
            "The secret \"{label}\" contains whitespace, which Persona secrets never do; \
             paste it again as one unbroken word: --secret {label}=wbhsec_…."
        ));
    }
    Ok(Secret {
        label: label.into(),
        value: value.into(),
    })
}
