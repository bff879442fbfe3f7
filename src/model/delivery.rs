//! One webhook delivery: what arrived, and what the inspector made of it.

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::{DEFAULT_TOLERANCE_S, Headline, ParseError, Secret, Verdict};

/// Request headers in arrival order, duplicates kept, values as raw bytes.
pub type Headers = Vec<(String, Vec<u8>)>;

/// What the listener did with a request.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Captured,
    /// The body was over the limit: headers are kept, the body is not.
    TooLarge,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Captured => "captured",
            Outcome::TooLarge => "too_large",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "captured" => Some(Outcome::Captured),
            "too_large" => Some(Outcome::TooLarge),
            _ => None,
        }
    }
}

/// Where a delivery came from: what the listener received, a fixture someone imported, or
/// the app's own test event. Only what Persona signed is re-signed without asking (see
/// `redeliver::unverified`), so a fixture's or an outsider's bytes never pass as Persona's.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Received by the listener.
    #[default]
    Captured,
    /// Loaded from a fixture: its arrival time, address and headers are only what it claims.
    Imported,
    /// The app's own test event, marked by a token only the app knows.
    Test,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Captured => "captured",
            Source::Imported => "imported",
            Source::Test => "test",
        }
    }

    /// Unknown text reads as `imported`: the kind that is never trusted.
    pub fn parse(s: &str) -> Source {
        match s {
            "captured" => Source::Captured,
            "test" => Source::Test,
            _ => Source::Imported,
        }
    }
}

/// Persona's delivery headers, decoded.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptHeaders {
    pub made: Option<u32>,
    pub left: Option<u32>,
    /// Unix seconds of Persona's first attempt.
    pub first_attempted_at: Option<i64>,
}

impl AttemptHeaders {
    pub fn from_headers(headers: &Headers) -> AttemptHeaders {
        fn number<T: std::str::FromStr>(headers: &Headers, name: &str) -> Option<T> {
            let value = header(headers, name)?;
            std::str::from_utf8(value).ok()?.trim().parse().ok()
        }
        AttemptHeaders {
            made: number(headers, "persona-webhook-attempts-made"),
            left: number(headers, "persona-webhook-attempts-left"),
            first_attempted_at: number(headers, "persona-webhook-first-attempted-at"),
        }
    }

    /// "2 made, 6 left": the counts as Persona sent them. Persona documents Made as incremented
    /// and Left as decremented at each attempt (the Headers of each webhook page in
    /// Persona's API reference), not the values a
    /// first attempt carries, so this does not turn them into "attempt n of 8".
    pub fn describe(&self) -> Option<String> {
        match (self.made, self.left) {
            (Some(made), Some(left)) => Some(format!("{made} made, {left} left")),
            (Some(made), None) => Some(format!("{made} made")),
            (None, Some(left)) => Some(format!("{left} left")),
            (None, None) => None,
        }
    }
}

/// The first value of a header, by case-insensitive name.
pub fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// Every `Persona-Signature` line joined by spaces, as Persona's rotation format separates pairs.
pub fn signature_header(headers: &Headers) -> Option<Vec<u8>> {
    let mut lines = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("persona-signature"))
        .map(|(_, v)| v.as_slice());
    let mut joined = lines.next()?.to_vec();
    for line in lines {
        joined.push(b' ');
        joined.extend_from_slice(line);
    }
    Some(joined)
}

/// What the signature check needs to know besides the delivery itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub secrets: Vec<Secret>,
    pub tolerance_seconds: u64,
}

impl Default for Verification {
    fn default() -> Self {
        Verification {
            secrets: Vec::new(),
            tolerance_seconds: DEFAULT_TOLERANCE_S,
        }
    }
}

/// A delivery as the listener hands it to the store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDelivery {
    pub arrival: Arrival,
    pub body: Vec<u8>,
    /// Bytes received, or for a rejected body the size it announced (at least the limit).
    pub body_size: u64,
    pub outcome: Outcome,
    /// The envelope's fields the store indexes (all None when the body is not JSON).
    pub event: Headline,
    pub parse_error: Option<ParseError>,
    pub signature: Verdict,
    pub attempts: AttemptHeaders,
    pub source: Source,
    /// For an import: the arrival time the fixture claims (unix ms); `arrival.received_at_ms`
    /// is then when it was imported.
    pub original_received_at_ms: Option<i64>,
    /// The status the listener answered with once it was stored (413 for a body over the
    /// limit); None for an import, which nobody answered.
    pub reply_status: Option<u16>,
}

/// The parts of a request the listener saw, before analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrival {
    pub received_at_ms: i64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub remote_addr: Option<String>,
    pub headers: Headers,
}

/// A stored header, as shown to people and programs: `[name, value]`, plus the exact bytes in
/// base64 as a third element when the value is not UTF-8.
pub fn headers_to_json(headers: &Headers) -> serde_json::Value {
    let rows = headers
        .iter()
        .map(|(name, value)| match std::str::from_utf8(value) {
            Ok(text) => serde_json::json!([name, text]),
            Err(_) => serde_json::json!([
                name,
                String::from_utf8_lossy(value),
                base64::engine::general_purpose::STANDARD.encode(value)
            ]),
        })
        .collect();
    serde_json::Value::Array(rows)
}

/// The inverse of [`headers_to_json`]; rows that don't fit are skipped.
pub fn headers_from_json(value: &serde_json::Value) -> Headers {
    let Some(rows) = value.as_array() else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|row| {
            let name = row.get(0)?.as_str()?.to_string();
            let bytes = match row.get(2).and_then(|b| b.as_str()) {
                Some(b64) => base64::engine::general_purpose::STANDARD.decode(b64).ok()?,
                None => row.get(1)?.as_str()?.as_bytes().to_vec(),
            };
            Some((name, bytes))
        })
        .collect()
}

/// "10 MiB", "512 KiB", "300 B".
pub fn format_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else if bytes >= KIB {
        format!("{:.1} KiB", bytes as f64 / KIB as f64)
    } else {
        format!("{bytes} B")
    }
}

/// Parses "10MiB", "512k", "1048576", "2 MB" (binary units either way: this is a body limit).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: usize = digits
        .parse()
        .map_err(|_| format!("\"{text}\" is not a size — use e.g. 10MiB, 512KiB or 1048576"))?;
    let factor = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        other => {
            return Err(format!(
                "unknown size unit \"{other}\" in \"{text}\" — use B, KiB, MiB or GiB"
            ));
        }
    };
    n.checked_mul(factor).filter(|&n| n > 0).ok_or_else(|| {
        format!("\"{text}\" is not a usable size — give a positive size such as 10MiB")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Headers {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn attempts_are_decoded_from_persona_headers() {
        let headers = h(&[
            ("persona-webhook-attempts-made", "2"),
            ("persona-webhook-attempts-left", "6"),
            ("persona-webhook-first-attempted-at", "1720713905"),
        ]);
        let attempts = AttemptHeaders::from_headers(&headers);
        assert_eq!(attempts.made, Some(2));
        assert_eq!(attempts.first_attempted_at, Some(1720713905));
        assert_eq!(attempts.describe().as_deref(), Some("2 made, 6 left"));
    }

    #[test]
    fn garbage_attempt_headers_are_ignored_not_fatal() {
        let headers = h(&[("Persona-Webhook-Attempts-Made", "two")]);
        assert_eq!(
            AttemptHeaders::from_headers(&headers),
            AttemptHeaders::default()
        );
    }

    #[test]
    fn several_signature_lines_are_joined_with_a_space() {
        let headers = h(&[
            ("persona-signature", "t=1,v1=aa"),
            ("x", "y"),
            ("Persona-Signature", "t=2,v1=bb"),
        ]);
        assert_eq!(
            signature_header(&headers).as_deref(),
            Some(&b"t=1,v1=aa t=2,v1=bb"[..])
        );
    }

    #[test]
    fn non_utf8_header_values_round_trip_through_json_exactly() {
        let headers: Headers = vec![
            ("a".into(), b"plain".to_vec()),
            ("b".into(), vec![0xff, 0xfe, b'x']),
        ];
        let json = headers_to_json(&headers);
        assert_eq!(json[1].as_array().map(|a| a.len()), Some(3), "{json}");
        assert_eq!(headers_from_json(&json), headers);
    }

    #[test]
    fn sizes_parse_and_format() {
        assert_eq!(parse_size("10MiB"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("42"), Ok(42));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert_eq!(format_size(10 * 1024 * 1024), "10 MiB");
        assert_eq!(format_size(1536), "1.5 KiB");
    }
}
