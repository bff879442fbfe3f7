//! Reading a `Persona-Signature` header: its `t=…,v1=…` pairs, within the limits that keep a
//! hostile header cheap to refuse.

use super::{MAX_HEADER, MAX_V1, Parsed};
use crate::model::{Pair, format_size};

/// What a readable header holds.
pub(super) enum Header {
    /// The pairs read, and why any others were skipped.
    Pairs(Vec<Parsed>, Vec<String>),
    /// A hex digest alone, no `t=`/`v1=` (what senders of a body-only scheme send).
    Bare(String),
}

pub(super) fn parse_header(raw: &[u8]) -> Result<Header, String> {
    if raw.len() > MAX_HEADER {
        return Err(format!(
            "The Persona-Signature header is {} long, but Persona's is under 100 bytes (about \
             twice that while a secret is being rotated); one over {} is not read, so no HMAC \
             was computed.",
            format_size(raw.len() as u64),
            format_size(MAX_HEADER as u64)
        ));
    }
    let text = std::str::from_utf8(raw)
        .map_err(|_| {
            "The Persona-Signature header is not valid UTF-8, so it cannot hold t=…,v1=… pairs."
                .to_string()
        })?
        .trim();
    if text.is_empty() {
        return Err("The Persona-Signature header was sent but is empty.".into());
    }
    let digest = text.strip_prefix("sha256=").unwrap_or(text);
    if digest.len() >= 32 && digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Header::Bare(digest.to_string()));
    }
    let chunks = split_pairs(text);
    // Counted before anything is decoded or hashed: the header is the sender's to fill.
    let v1s = chunks
        .iter()
        .flatten()
        .filter(|(key, _)| *key == "v1")
        .count();
    if v1s > MAX_V1 || chunks.len() > MAX_V1 {
        let what = if v1s > MAX_V1 {
            format!("{v1s} v1 values")
        } else {
            format!("{} pairs", chunks.len())
        };
        return Err(format!(
            "The Persona-Signature header holds {what}, but Persona sends one pair, or two while \
             a secret is being rotated; more than {MAX_V1} are not checked, so no HMAC was computed."
        ));
    }
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for (n, chunk) in chunks.iter().enumerate() {
        match parse_pair(chunk) {
            Ok(mut pairs) => good.append(&mut pairs),
            Err(why) => bad.push(format!("pair {} {why}", n + 1)),
        }
    }
    if good.is_empty() {
        return Err(format!(
            "The Persona-Signature header is malformed: {}.",
            bad.join("; ")
        ));
    }
    Ok(Header::Pairs(good, bad))
}

/// Splits a header into pairs of `(key, value)` items. Persona separates rotation pairs with a
/// space, but proxies and frameworks that join repeated headers use ", " or ",", so a new pair
/// starts at every `t=` once the current pair has one, whatever separates them. Within a pair
/// the keys may come in any order (`v1=…,t=…`).
fn split_pairs(text: &str) -> Vec<Vec<(&str, &str)>> {
    let mut pairs: Vec<Vec<(&str, &str)>> = Vec::new();
    // A space starts a new pair unless a comma or semicolon joins it to the previous word
    // ("t=1, v1=…" is one pair).
    let mut joined = true;
    // Whether the current pair has its t= yet (kept, not searched for: linear in the header).
    let mut has_t = false;
    for word in text.split_whitespace() {
        let starts_pair = !joined && !word.starts_with([',', ';']);
        joined = word.ends_with([',', ';']);
        for (n, item) in word
            .split([',', ';'])
            .filter(|item| !item.is_empty())
            .enumerate()
        {
            let (key, value) = match item.split_once('=') {
                Some((key, value)) => (key, value),
                None => (item, ""),
            };
            if pairs.is_empty() || (n == 0 && starts_pair) || (key == "t" && has_t) {
                pairs.push(Vec::new());
                has_t = false;
            }
            has_t |= key == "t";
            if let Some(pair) = pairs.last_mut() {
                pair.push((key, value));
            }
        }
    }
    pairs
}

fn parse_pair(items: &[(&str, &str)]) -> Result<Vec<Parsed>, String> {
    let (mut t, mut v1s) = (None, Vec::new());
    for &(key, value) in items {
        match key {
            "t" => {
                t.get_or_insert(value);
            }
            "v1" => v1s.push(value),
            _ => {} // v0= and future schemes are not ours to judge
        }
    }
    let t_raw = t.ok_or("has no t=")?;
    if t_raw.is_empty() {
        return Err("has an empty t=".into());
    }
    let t: i64 = t_raw.parse().map_err(|_| {
        let shown: String = t_raw.chars().take(24).collect();
        format!("has a t (\"{shown}\") that is not an integer number of seconds")
    })?;
    if v1s.is_empty() {
        return Err("has no v1=".into());
    }
    v1s.into_iter()
        .map(|v1| {
            Ok(Parsed {
                mac: decode_v1(v1)?,
                pair: Pair { t, v1: v1.into() },
                t_raw: t_raw.into(),
            })
        })
        .collect()
}

fn decode_v1(v1: &str) -> Result<Vec<u8>, String> {
    if v1.is_empty() {
        return Err("has an empty v1=".into());
    }
    if !v1.bytes().all(|b| b.is_ascii_hexdigit()) {
        let base64ish = v1
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b));
        return Err(if base64ish {
            "has a v1 that is not hex (it looks like base64, but Persona sends 64 hex digits)"
        } else {
            "has a v1 that is not hex"
        }
        .into());
    }
    if v1.len() != 64 {
        return Err(format!(
            "has a v1 of {} hex digits, but an HMAC-SHA256 has 64",
            v1.len()
        ));
    }
    hex::decode(v1).map_err(|_| "has a v1 that is not hex".into())
}
