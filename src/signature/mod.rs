//! Verifies Persona's `Persona-Signature: t=<unix s>,v1=<hex HMAC-SHA256("<t>." + body)>` header
//! and, when it fails, tries to name the likely cause.
//!
//! The scheme is Persona's "Webhook Best Practices", "Checking signatures"
//! (docs.withpersona.com/webhooks-best-practices): `t` is when the request was sent, `v1` the
//! hex HMAC-SHA256 under the webhook secret of `t`, a dot and the body, and more than one `v1`
//! may be present while a secret is rotated. Persona documents no timestamp tolerance, so
//! staleness is this tool's own flag, kept apart from the verdict.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::{Matched, Pair, Secret, Status, Verdict, format_size};

mod header;

use header::{Header, parse_header};

type HmacSha256 = Hmac<Sha256>;

/// Persona sends one `v1`, or two while a secret is being rotated. Each one may cost an HMAC
/// over the whole body per secret, so a header with more is refused before any is computed.
pub const MAX_V1: usize = 8;
/// The longest header read: 8 pairs take under 1 KiB, and nothing longer is parsed at all.
pub const MAX_HEADER: usize = 4 * 1024;
/// Past this size an invalid signature gets no diagnosis: every guess is one more HMAC over the
/// body, and one of them re-serializes it as JSON.
pub const DIAGNOSIS_MAX_BODY: usize = 1024 * 1024;
const PREFIX: &str = "wbhsec_";

/// Every HMAC `verify` has computed in this process: what tests count to prove the work is
/// bounded whatever a header holds.
static HMACS: AtomicU64 = AtomicU64::new(0);

/// How many HMACs signature checks have computed in this process so far.
pub fn hmacs_computed() -> u64 {
    HMACS.load(Ordering::Relaxed)
}

/// A pair as read from the header; `t_raw` is kept because the signed message uses t's exact text.
struct Parsed {
    pair: Pair,
    t_raw: String,
    mac: Vec<u8>,
}

/// header: the raw Persona-Signature value(s), None when absent (several header lines joined with a space).
/// received_at: unix seconds of the delivery; age is measured against it, not the wall clock.
pub fn verify(
    header: Option<&[u8]>,
    body: &[u8],
    secrets: &[Secret],
    received_at: i64,
    tolerance_seconds: u64,
) -> Verdict {
    let macs = Macs::default();
    let verdict = judge(header, body, secrets, received_at, tolerance_seconds, &macs);
    HMACS.fetch_add(macs.computed.get(), Ordering::Relaxed);
    verdict
}

fn judge(
    header: Option<&[u8]>,
    body: &[u8],
    secrets: &[Secret],
    received_at: i64,
    tolerance_seconds: u64,
    macs: &Macs,
) -> Verdict {
    let mut v = Verdict::new(
        Status::Missing,
        "No Persona-Signature header was sent.".into(),
        tolerance_seconds,
    );
    let Some(raw) = header else { return v };
    let (parsed, skipped) = match parse_header(raw) {
        Ok(Header::Pairs(parsed, skipped)) => (parsed, skipped),
        Ok(Header::Bare(digest)) => {
            v.status = Status::Malformed;
            v.explanation = bare_digest(&digest, body, secrets, macs);
            return v;
        }
        Err(reason) => {
            v.status = Status::Malformed;
            v.explanation = reason;
            return v;
        }
    };
    v.pairs = parsed.iter().map(|p| p.pair.clone()).collect();

    // Secret-major search, so the first configured secret wins when several match; one HMAC
    // per secret and timestamp, however many v1 values share the timestamp.
    let hit = secrets.iter().enumerate().find_map(|(si, s)| {
        timestamps(&parsed)
            .into_iter()
            .filter_map(|t| {
                macs.matching(s.value.as_bytes(), Some(t), body, &parsed, |p| p.t_raw == t)
            })
            .min()
            .map(|pi| (si, pi))
    });
    v.timestamp = match hit {
        Some((_, pi)) => parsed.get(pi).map(|p| p.pair.t),
        None => parsed.iter().map(|p| p.pair.t).max(),
    };
    if let Some(t) = v.timestamp {
        let age = received_at.saturating_sub(t);
        v.age_seconds = Some(age);
        v.stale = age.unsigned_abs() > tolerance_seconds;
        v.stale_note = v.stale.then(|| stale_note(t, age, tolerance_seconds));
    }

    match (secrets.first(), hit) {
        (None, _) => {
            v.status = Status::Unchecked;
            v.explanation = "No secret is configured, so the signature was not checked — \
                             add one with --secret label=wbhsec_…."
                .into();
        }
        (Some(first), Some((si, pi))) => {
            let s = &secrets[si];
            let who = if si == 0 {
                format!("secret \"{}\"", s.label)
            } else {
                format!(
                    "your {} secret \"{}\", not \"{}\" — Persona is still signing with it",
                    ordinal(si),
                    s.label,
                    first.label
                )
            };
            let rotation = if pi > 0 {
                format!(
                    " (the header carries {} pairs, as it does while the webhook secret is being rotated)",
                    parsed.len()
                )
            } else {
                String::new()
            };
            v.status = Status::Valid;
            v.explanation = format!(
                "Signature is valid: pair {} matches {who}{rotation}.",
                pi + 1
            );
            v.matched = Some(Matched {
                secret: s.label.clone(),
                pair: pi,
                timestamp: parsed.get(pi).map_or(0, |p| p.pair.t),
            });
        }
        (Some(first), None) => {
            let in_pairs = match parsed.len() {
                1 => String::new(),
                n => format!(" in the {n} pairs"),
            };
            let against = match secrets.len() {
                1 => format!("the configured secret \"{}\"", first.label),
                n => format!("any of the {n} configured secrets"),
            };
            let too_big = body.len() > DIAGNOSIS_MAX_BODY;
            if !too_big {
                v.diagnosis = diagnose(&parsed, body, secrets, macs);
            }
            let why = if v.diagnosis.is_some() {
                "; the diagnosis names the likely cause".to_string()
            } else if too_big {
                format!(
                    "; the body is {} (over {}), so the usual mistakes (an HMAC of the body alone, \
                     a body changed after signing, a mangled secret) were not tried",
                    format_size(body.len() as u64),
                    format_size(DIAGNOSIS_MAX_BODY as u64)
                )
            } else {
                ", so most likely the wrong secret was copied (each webhook in the Persona \
                 dashboard has its own) or the body was changed in transit"
                    .to_string()
            };
            let ignored = if skipped.is_empty() {
                String::new()
            } else {
                format!(" (ignored as unreadable: {})", skipped.join("; "))
            };
            v.status = Status::Invalid;
            v.explanation =
                format!("Signature is invalid: no v1{in_pairs} matches {against}{why}{ignored}.");
        }
    }
    v
}

/// Builds a header value `t=<t>,v1=<hex>` the way Persona does.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let v1 = keyed(secret.as_bytes(), Some(&t.to_string()), body)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("t={t},v1={v1}")
}

/// The bare hex HMAC-SHA256 of the body alone: what handlers that get Persona's scheme wrong
/// compare the header with. Persona never sends it; the endpoint check does, to see it refused.
pub fn sign_body_only(secret: &str, body: &[u8]) -> String {
    keyed(secret.as_bytes(), None, body)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default()
}

/// HMAC over `"<t>." + body`, or over the body alone when `t` is None.
fn keyed(key: &[u8], t: Option<&str>, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    if let Some(t) = t {
        mac.update(t.as_bytes());
        mac.update(b".");
    }
    mac.update(body);
    Some(mac)
}

/// Computes HMACs for one signature check, and counts them.
#[derive(Default)]
struct Macs {
    computed: std::cell::Cell<u64>,
}

impl Macs {
    /// Whether `mac` is the HMAC of (`"<t>."` +) `msg` under `key`, compared in constant time.
    fn signs(&self, key: &[u8], t: Option<&str>, msg: &[u8], mac: &[u8]) -> bool {
        self.computed.set(self.computed.get() + 1);
        keyed(key, t, msg).is_some_and(|m| m.verify_slice(mac).is_ok())
    }

    /// The first pair accepted by `which` whose v1 is the HMAC of (`"<t>."` +) `msg` under
    /// `key`: one HMAC however many pairs it is compared with, each compared in constant time.
    fn matching(
        &self,
        key: &[u8],
        t: Option<&str>,
        msg: &[u8],
        pairs: &[Parsed],
        which: impl Fn(&Parsed) -> bool,
    ) -> Option<usize> {
        self.computed.set(self.computed.get() + 1);
        let mac = keyed(key, t, msg)?;
        pairs
            .iter()
            .position(|p| which(p) && mac.clone().verify_slice(&p.mac).is_ok())
    }
}

/// Explains a bare hex digest. It is called the body-only scheme only when it is one: an
/// HMAC-SHA256 of the body alone under a configured secret, checked. Without the timestamp it
/// was made with, an HMAC of Persona's `"<t>." + body` cannot be recognised, so a digest that
/// matches nothing is said to match nothing.
fn bare_digest(digest: &str, body: &[u8], secrets: &[Secret], macs: &Macs) -> String {
    const WHAT: &str = "The Persona-Signature header is a bare hex digest with no t=…,v1=…, \
        so it is not in Persona's format (t=<unix seconds>,v1=<HMAC-SHA256 of \"<t>.\" + body>)";
    if digest.len() != 64 {
        return format!(
            "{WHAT}; it has {} hex digits where an HMAC-SHA256 has 64, so it was not checked \
             against any secret.",
            digest.len()
        );
    }
    let Some(first) = secrets.first() else {
        return format!("{WHAT}; no secret is configured, so it was not checked.");
    };
    let Ok(mac) = hex::decode(digest) else {
        return format!("{WHAT}; it is not valid hex, so it was not checked.");
    };
    let body_alone = secrets
        .iter()
        .find(|s| macs.signs(s.value.as_bytes(), None, body, &mac));
    match body_alone {
        Some(s) => format!(
            "{WHAT}: it is the HMAC-SHA256 of the body alone under secret \"{}\", so the sender \
             used the body-only scheme (HMAC(body)) instead of Persona's.",
            s.label
        ),
        None => {
            let against = match secrets.len() {
                1 => format!("the configured secret \"{}\"", first.label),
                n => format!("each of the {n} configured secrets"),
            };
            format!(
                "{WHAT}. Checked as an HMAC-SHA256 of the body alone with {against}: it matches \
                 none (an HMAC of \"<t>.\" + body cannot be checked without its t)."
            )
        }
    }
}

/// The distinct timestamps of the pairs, in order of appearance (the signed message depends
/// only on the timestamp, so each is hashed once).
fn timestamps(pairs: &[Parsed]) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for p in pairs {
        if !seen.contains(&p.t_raw.as_str()) {
            seen.push(&p.t_raw);
        }
    }
    seen
}

/// Tries the known ways a sender or a proxy gets the signature wrong; the first that fits wins.
/// Linear in secrets × timestamps: every guess is one HMAC compared with every pair.
fn diagnose(pairs: &[Parsed], body: &[u8], secrets: &[Secret], macs: &Macs) -> Option<String> {
    const BODY_ALONE: &str = "when the HMAC covers only the body: the sender signed the body alone (the common \
        mistake of computing HMAC(body) instead of HMAC(t + \".\" + body))";
    const GAINED: &str = "once trailing whitespace is stripped from the body: the body gained a trailing \
        newline or spaces after it was signed";
    const LOST: &str = "if a trailing newline is added to the body: the body lost its trailing newline \
        after it was signed";
    const REFORMATTED: &str = "the body was re-serialized after signing (whitespace or formatting changed), \
        so the bytes differ from what was signed";

    let ts = timestamps(pairs);
    let say = |s: &Secret, i: usize, why: &str| {
        format!("Pair {} matches secret \"{}\" {why}.", i + 1, s.label)
    };
    // Each pair signed with its own timestamp over `msg` under `key`.
    let own_t = |key: &[u8], msg: &[u8]| {
        ts.iter()
            .filter_map(|&t| macs.matching(key, Some(t), msg, pairs, |p| p.t_raw == t))
            .min()
    };

    let mut bodies: Vec<(Vec<u8>, String)> = Vec::new();
    bodies.push((body.trim_ascii_end().to_vec(), GAINED.into()));
    bodies.push(([body, b"\n"].concat(), LOST.into()));
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        let why =
            |style: &str| format!("against the same JSON re-serialized {style}: {REFORMATTED}");
        if let Ok(compact) = serde_json::to_vec(&json) {
            bodies.push((compact, why("compactly")));
        }
        if let Ok(pretty) = serde_json::to_vec_pretty(&json) {
            bodies.push((pretty, why("pretty-printed")));
        }
    }
    bodies.retain(|(b, _)| b != body);

    let body_alone = || {
        secrets.iter().find_map(|s| {
            let i = macs.matching(s.value.as_bytes(), None, body, pairs, |_| true)?;
            Some(say(s, i, BODY_ALONE))
        })
    };
    let other_pairs_t = || {
        secrets.iter().find_map(|s| {
            ts.iter().find_map(|&t| {
                let i =
                    macs.matching(s.value.as_bytes(), Some(t), body, pairs, |p| p.t_raw != t)?;
                let j = pairs.iter().position(|q| q.t_raw == t)? + 1;
                let why = format!(
                    "with pair {j}'s timestamp ({t}) instead of its own: \
                     pair {}'s v1 was computed with pair {j}'s timestamp",
                    i + 1
                );
                Some(say(s, i, &why))
            })
        })
    };
    let changed_body = || {
        bodies.iter().find_map(|(b, why)| {
            secrets
                .iter()
                .find_map(|s| own_t(s.value.as_bytes(), b).map(|i| say(s, i, why)))
        })
    };
    let mangled_secret = || {
        secrets.iter().find_map(|s| {
            key_variants(&s.value)
                .into_iter()
                .find_map(|(key, why)| own_t(&key, body).map(|i| say(s, i, why)))
        })
    };
    body_alone()
        .or_else(other_pairs_t)
        .or_else(changed_body)
        .or_else(mangled_secret)
}

/// Keys a sender (or a careless copy) might have used instead of the secret string itself.
fn key_variants(secret: &str) -> Vec<(Vec<u8>, &'static str)> {
    let mut out = Vec::new();
    let trimmed = secret.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    if trimmed != secret {
        let why = "with surrounding whitespace or quotes removed — \
                   your configured copy has stray characters around it";
        out.push((trimmed.as_bytes().to_vec(), why));
    }
    let core = match trimmed.strip_prefix(PREFIX) {
        Some(core) => {
            let why = "with its wbhsec_ prefix removed — \
                       the sender keyed the HMAC with only part of the secret";
            out.push((core.as_bytes().to_vec(), why));
            core
        }
        None => {
            let why = "with a wbhsec_ prefix added — \
                       your configured copy lacks the prefix the sender used";
            out.push((format!("{PREFIX}{trimmed}").into_bytes(), why));
            trimmed
        }
    };
    if let Ok(raw) = hex::decode(core) {
        let why = "hex-decoded to raw bytes — \
                   the sender keyed the HMAC with the decoded bytes instead of the secret string itself";
        out.push((raw, why));
    } else if let Some(raw) = base64_decode(core) {
        let why = "base64-decoded to raw bytes — \
                   the sender keyed the HMAC with the decoded bytes instead of the secret string itself";
        out.push((raw, why));
    }
    out.retain(|(k, _)| !k.is_empty());
    out
}

/// Standard or URL-safe alphabet, padding optional; only used for guessing.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let s = s.trim_end_matches('=');
    STANDARD_NO_PAD
        .decode(s)
        .or_else(|_| URL_SAFE_NO_PAD.decode(s))
        .ok()
}

fn stale_note(t: i64, age: i64, tolerance: u64) -> String {
    let span = human_span(age.unsigned_abs());
    if age < 0 && (1_000_000_000_000..10_000_000_000_000).contains(&t) {
        format!(
            "The timestamp {t} has 13 digits, so it looks like milliseconds rather than seconds; \
             read as seconds it lies {span} in the future (tolerance {tolerance} s)."
        )
    } else if age < 0 {
        format!(
            "The timestamp is {span} in the future relative to the delivery \
             (tolerance {tolerance} s): the sender's clock is probably wrong."
        )
    } else {
        format!(
            "The timestamp is {span} older than the delivery \
             (tolerance {tolerance} s): a replay or a long retry?"
        )
    }
}

/// "2 h 5 min": the largest unit and, when non-zero, the next one.
/// "2 h 5 min": the largest unit and the next, for notes.
pub(crate) fn human_span(secs: u64) -> String {
    const UNITS: [(&str, u64); 5] = [
        ("y", 31_536_000),
        ("d", 86_400),
        ("h", 3_600),
        ("min", 60),
        ("s", 1),
    ];
    let Some(i) = UNITS.iter().position(|&(_, size)| secs >= size) else {
        return "0 s".into();
    };
    let (name, size) = UNITS[i];
    let mut out = format!("{} {name}", secs / size);
    if let Some(&(next, next_size)) = UNITS.get(i + 1) {
        let rest = secs % size / next_size;
        if rest > 0 {
            let _ = write!(out, " {rest} {next}");
        }
    }
    out
}

fn ordinal(index: usize) -> String {
    const WORDS: [&str; 6] = ["first", "second", "third", "fourth", "fifth", "sixth"];
    WORDS
        .get(index)
        .map_or_else(|| format!("#{}", index + 1), |w| (*w).to_string())
}

#[cfg(test)]
mod tests;
