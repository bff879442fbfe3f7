//! Verifies Persona's `Persona-Signature: t=<unix s>,v1=<hex HMAC-SHA256("<t>." + body)>` header
//! and, when it fails, tries to name the likely cause.
//!
//! The scheme is Persona's "Webhook Best Practices", "Checking signatures"
//! (docs.withpersona.com/webhooks-best-practices): `t` is when the request was sent, `v1` the
//! hex HMAC-SHA256 under the webhook secret of `t`, a dot and the body, and more than one `v1`
//! may be present while a secret is rotated. Persona documents no timestamp tolerance, so
//! staleness is this tool's own flag, kept apart from the verdict.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

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
    const ALL: [Status; 5] = [
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
                    crate::delivery::format_size(body.len() as u64),
                    crate::delivery::format_size(DIAGNOSIS_MAX_BODY as u64)
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

/// What a readable header holds.
enum Header {
    /// The pairs read, and why any others were skipped.
    Pairs(Vec<Parsed>, Vec<String>),
    /// A hex digest alone, no `t=`/`v1=` (what senders of a body-only scheme send).
    Bare(String),
}

fn parse_header(raw: &[u8]) -> Result<Header, String> {
    if raw.len() > MAX_HEADER {
        return Err(format!(
            "The Persona-Signature header is {} long, but Persona's is under 100 bytes (about \
             twice that while a secret is being rotated); one over {} is not read, so no HMAC \
             was computed.",
            crate::delivery::format_size(raw.len() as u64),
            crate::delivery::format_size(MAX_HEADER as u64)
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
fn human_span(secs: u64) -> String {
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
mod tests {
    use super::*;

    const SECRET: &str = "wbhsec_researchhub";
    const T: i64 = 1_720_713_905;
    const TOL: u64 = 300;

    fn secret(label: &str, value: &str) -> Secret {
        Secret {
            label: label.into(),
            value: value.into(),
        }
    }

    fn check(header: &str, body: &[u8], secrets: &[Secret]) -> Verdict {
        verify(Some(header.as_bytes()), body, secrets, T, TOL)
    }

    /// The v1 hex of `sign`, for building odd headers by hand.
    fn v1(secret: &str, t: i64, body: &[u8]) -> String {
        sign(secret, t, body)
            .split_once(",v1=")
            .map(|(_, v)| v.to_string())
            .unwrap()
    }

    fn raw_hmac(key: &[u8], msg: &[u8]) -> String {
        let mut mac = HmacSha256::new_from_slice(key).unwrap();
        mac.update(msg);
        hex::encode(mac.finalize().into_bytes())
    }

    fn diagnosis_of(v: &Verdict) -> String {
        assert_eq!(v.status, Status::Invalid, "expected Invalid, got {v:?}");
        v.diagnosis
            .clone()
            .unwrap_or_else(|| panic!("expected a diagnosis, got none: {v:?}"))
    }

    #[test]
    fn public_test_vector_is_valid() {
        let header =
            "t=1720713905,v1=0fd4586aa5cb67c098a920ed55906fb2669a2bb21c6ed2de58e4f5cfb79814c7";
        assert_eq!(
            sign(SECRET, T, b"abc123"),
            header,
            "sign() must reproduce Persona's published vector"
        );
        let v = check(header, b"abc123", &[secret("current", SECRET)]);
        assert_eq!(v.status, Status::Valid, "{v:?}");
        assert_eq!(
            v.explanation,
            "Signature is valid: pair 1 matches secret \"current\"."
        );
        assert_eq!(
            v.matched,
            Some(Matched {
                secret: "current".into(),
                pair: 0,
                timestamp: T
            })
        );
        assert_eq!(
            (v.timestamp, v.age_seconds, v.stale),
            (Some(T), Some(0), false)
        );
        assert_eq!(
            v.pairs,
            vec![Pair {
                t: T,
                v1: header[16..].into()
            }]
        );
    }

    #[test]
    fn uppercase_hex_unknown_keys_and_any_key_order_are_accepted() {
        let mac = v1(SECRET, T, b"abc123").to_uppercase();
        let v = check(
            &format!("v0=whatever,v1={mac},t={T}"),
            b"abc123",
            &[secret("current", SECRET)],
        );
        assert_eq!(v.status, Status::Valid, "{v:?}");
        let v = check(
            &format!("t={T}, v1={mac}"),
            b"abc123",
            &[secret("current", SECRET)],
        );
        assert_eq!(
            v.status,
            Status::Valid,
            "a space after the comma must not split the pair: {v:?}"
        );
    }

    #[test]
    fn rotation_header_with_two_pairs_valid_when_either_matches() {
        let (old, new) = ("wbhsec_old", "wbhsec_new");
        let header = format!("{} {}", sign(new, T, b"{}"), sign(old, T - 1, b"{}"));
        for (value, pair) in [(new, 0), (old, 1)] {
            let v = check(&header, b"{}", &[secret("mine", value)]);
            assert_eq!(
                v.status,
                Status::Valid,
                "secret {value} should match: {v:?}"
            );
            assert_eq!(v.matched.as_ref().map(|m| m.pair), Some(pair), "{v:?}");
            assert_eq!(v.pairs.len(), 2, "{v:?}");
            assert_eq!(
                v.explanation.contains("rotated"),
                pair == 1,
                "rotation mentioned only for pair 2: {}",
                v.explanation
            );
        }
        let reversed = format!("{} {}", sign(old, T, b"{}"), sign(new, T, b"{}"));
        for value in [old, new] {
            let v = check(&reversed, b"{}", &[secret("mine", value)]);
            assert_eq!(
                v.status,
                Status::Valid,
                "reversed order, secret {value}: {v:?}"
            );
        }
        let v = verify(
            Some(format!("{} {}", sign(old, T, b"{}"), sign(new, T, b"{}")).as_bytes()),
            b"{}",
            &[secret("x", "wbhsec_other")],
            T,
            TOL,
        );
        assert_eq!(v.status, Status::Invalid, "{v:?}");
        assert!(
            v.explanation.contains("in the 2 pairs"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn second_secret_match_is_named() {
        let v = check(
            &sign("wbhsec_old", T, b"x"),
            b"x",
            &[secret("current", "wbhsec_cur"), secret("old", "wbhsec_old")],
        );
        assert_eq!(v.status, Status::Valid, "{v:?}");
        assert_eq!(v.matched.as_ref().map(|m| m.secret.as_str()), Some("old"));
        assert!(
            v.explanation
                .contains("second secret \"old\", not \"current\""),
            "explanation should name the second secret: {}",
            v.explanation
        );
    }

    #[test]
    fn wrong_secret_is_invalid_without_diagnosis() {
        let v = check(
            &sign("wbhsec_other", T, b"{\"a\":1}"),
            b"{\"a\":1}",
            &[secret("current", SECRET)],
        );
        assert_eq!(v.status, Status::Invalid, "{v:?}");
        assert_eq!(
            v.diagnosis, None,
            "no known cause fits a different secret: {v:?}"
        );
        assert!(v.matched.is_none());
        assert!(
            v.explanation.contains("\"current\"") && v.explanation.contains("wrong secret"),
            "{}",
            v.explanation
        );
        let two = check(
            &sign("wbhsec_other", T, b"x"),
            b"x",
            &[secret("a", "wbhsec_a"), secret("b", "wbhsec_b")],
        );
        assert!(
            two.explanation.contains("any of the 2 configured secrets"),
            "{}",
            two.explanation
        );
    }

    #[test]
    fn missing_header() {
        let v = verify(None, b"{}", &[secret("current", SECRET)], T, TOL);
        assert_eq!(v.status, Status::Missing);
        assert_eq!(v.explanation, "No Persona-Signature header was sent.");
        assert!(v.pairs.is_empty() && v.timestamp.is_none() && !v.stale);
    }

    #[test]
    fn malformed_headers_explain_why() {
        let good = v1(SECRET, T, b"abc123");
        let b64 = "D8RYaqXLZ8CYqSDtVZBvsmaaK7IcbtLeWOT1z7eYFMc=";
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"".to_vec(), "empty"),
            (b"   ".to_vec(), "empty"),
            (vec![0x74, 0x3d, 0xff, 0xfe], "not valid UTF-8"),
            (format!("v1={good}").into_bytes(), "pair 1 has no t="),
            (
                format!("t=,v1={good}").into_bytes(),
                "pair 1 has an empty t=",
            ),
            (
                format!("t=yesterday,v1={good}").into_bytes(),
                "not an integer",
            ),
            (format!("t={T}").into_bytes(), "pair 1 has no v1="),
            (
                format!("t={T},v1={b64}").into_bytes(),
                "not hex (it looks like base64",
            ),
            (
                format!("t={T},v1={}", &good[..40]).into_bytes(),
                "v1 of 40 hex digits, but an HMAC-SHA256 has 64",
            ),
            (good.clone().into_bytes(), "bare hex digest"),
            (format!("sha256={good}").into_bytes(), "bare hex digest"),
            (format!("t={T},v1=zz!?").into_bytes(), "v1 that is not hex"),
        ];
        for (header, reason) in cases {
            let v = verify(
                Some(&header),
                b"abc123",
                &[secret("current", SECRET)],
                T,
                TOL,
            );
            assert_eq!(
                v.status,
                Status::Malformed,
                "header {:?}: {v:?}",
                String::from_utf8_lossy(&header)
            );
            assert!(
                v.explanation.contains(reason),
                "header {:?}: expected {reason:?} in {:?}",
                String::from_utf8_lossy(&header),
                v.explanation
            );
            assert!(v.pairs.is_empty(), "malformed verdicts carry no pairs");
        }
    }

    #[test]
    fn a_bare_digest_is_called_the_body_only_scheme_only_when_it_is_one() {
        let secrets = [secret("current", SECRET), secret("old", "wbhsec_old")];
        let body_only = raw_hmac(b"wbhsec_old", b"abc123");
        let (v, hmacs) = counted(&body_only, b"abc123", &secrets);
        assert_eq!(v.status, Status::Malformed, "{v:?}");
        assert!(
            v.explanation
                .contains("HMAC-SHA256 of the body alone under secret \"old\"")
                && v.explanation.contains("body-only scheme"),
            "{}",
            v.explanation
        );
        assert_eq!(hmacs, 2, "one HMAC of the body per secret");

        // Persona's own v1, sent without its t: not the body-only scheme, and not claimed as it.
        let personas = v1(SECRET, T, b"abc123");
        let random = "ab".repeat(32);
        for digest in [personas.clone(), random, format!("sha256={personas}")] {
            let v = check(&digest, b"abc123", &secrets);
            assert_eq!(v.status, Status::Malformed, "{v:?}");
            assert!(
                !v.explanation.contains("body-only scheme")
                    && v.explanation.contains("matches none")
                    && v.explanation.contains("each of the 2 configured secrets"),
                "{digest}: {}",
                v.explanation
            );
        }
        let v = check(&personas, b"abc123", &[]);
        assert!(
            v.explanation.contains("not checked") && !v.explanation.contains("body-only scheme"),
            "{}",
            v.explanation
        );
        let v = check(&"ab".repeat(20), b"abc123", &secrets);
        assert!(
            v.explanation.contains("40 hex digits") && !v.explanation.contains("body-only scheme"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn unreadable_pairs_are_skipped_when_another_pair_parses() {
        let header = format!("t=oops,v1=abc {}", sign(SECRET, T, b"abc123"));
        let v = check(&header, b"abc123", &[secret("current", SECRET)]);
        assert_eq!(v.status, Status::Valid, "{v:?}");
        assert_eq!(v.pairs.len(), 1);
        let v = check(&header, b"abc123", &[secret("current", "wbhsec_other")]);
        assert_eq!(v.status, Status::Invalid, "{v:?}");
        assert!(
            v.explanation.contains("ignored as unreadable: pair 1"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn stale_timestamp_is_flagged_but_mac_still_valid() {
        let t = T - 7_500;
        let v = check(&sign(SECRET, t, b"{}"), b"{}", &[secret("current", SECRET)]);
        assert_eq!(
            v.status,
            Status::Valid,
            "staleness must not change the status: {v:?}"
        );
        assert_eq!(
            (v.timestamp, v.age_seconds, v.stale),
            (Some(t), Some(7_500), true)
        );
        let note = v.stale_note.unwrap_or_default();
        assert!(
            note.contains("2 h 5 min older") && note.contains("tolerance 300 s"),
            "{note}"
        );
        let fresh = check(
            &sign(SECRET, T - 300, b"{}"),
            b"{}",
            &[secret("current", SECRET)],
        );
        assert!(
            !fresh.stale && fresh.stale_note.is_none(),
            "exactly at the tolerance is not stale: {fresh:?}"
        );
    }

    #[test]
    fn future_and_millisecond_timestamps_are_flagged() {
        let v = check(
            &sign(SECRET, T + 600, b"{}"),
            b"{}",
            &[secret("current", SECRET)],
        );
        assert_eq!(
            (v.status, v.age_seconds, v.stale),
            (Status::Valid, Some(-600), true),
            "{v:?}"
        );
        assert!(
            v.stale_note
                .unwrap_or_default()
                .contains("10 min in the future")
        );
        let ms = T * 1000;
        let v = check(
            &sign(SECRET, ms, b"{}"),
            b"{}",
            &[secret("current", SECRET)],
        );
        assert!(v.stale, "{v:?}");
        assert!(
            v.stale_note.unwrap_or_default().contains("milliseconds"),
            "13-digit t should be called out as milliseconds"
        );
    }

    #[test]
    fn age_is_measured_from_received_at_not_now() {
        let v = verify(
            Some(sign(SECRET, 1_000, b"").as_bytes()),
            b"",
            &[secret("c", SECRET)],
            1_010,
            TOL,
        );
        assert_eq!((v.age_seconds, v.stale), (Some(10), false), "{v:?}");
    }

    #[test]
    fn unchecked_when_no_secret() {
        let header = format!(
            "{} {}",
            sign(SECRET, T - 9_000, b"{}"),
            sign("wbhsec_b", T - 8_000, b"{}")
        );
        let v = check(&header, b"{}", &[]);
        assert_eq!(v.status, Status::Unchecked, "{v:?}");
        assert!(
            v.explanation.contains("--secret label=wbhsec_"),
            "{}",
            v.explanation
        );
        assert_eq!(v.pairs.len(), 2);
        assert_eq!(
            (v.timestamp, v.age_seconds, v.stale),
            (Some(T - 8_000), Some(8_000), true),
            "newest t is used"
        );
    }

    #[test]
    fn body_only_hmac_is_diagnosed() {
        let header = format!("t={T},v1={}", raw_hmac(SECRET.as_bytes(), b"{\"a\":1}"));
        let d = diagnosis_of(&check(&header, b"{\"a\":1}", &[secret("current", SECRET)]));
        assert!(
            d.contains("Pair 1")
                && d.contains("\"current\"")
                && d.contains("signed the body alone"),
            "{d}"
        );
    }

    #[test]
    fn wrong_pairs_timestamp_is_diagnosed() {
        let header = format!(
            "{} t={},v1={}",
            sign("wbhsec_retired", T - 50, b"{}"),
            T,
            v1(SECRET, T - 50, b"{}")
        );
        let d = diagnosis_of(&check(&header, b"{}", &[secret("current", SECRET)]));
        assert!(
            d.contains("pair 2's v1 was computed with pair 1's timestamp"),
            "{d}"
        );
    }

    #[test]
    fn trailing_newline_added_after_signing_is_diagnosed() {
        let header = sign(SECRET, T, b"{\"a\":1}");
        let d = diagnosis_of(&check(
            &header,
            b"{\"a\":1}\r\n",
            &[secret("current", SECRET)],
        ));
        assert!(d.contains("gained a trailing newline"), "{d}");
        let header = sign(SECRET, T, b"{\"a\":1}\n");
        let d = diagnosis_of(&check(&header, b"{\"a\":1}", &[secret("current", SECRET)]));
        assert!(d.contains("lost its trailing newline"), "{d}");
    }

    #[test]
    fn reserialized_json_is_diagnosed() {
        // Key order is deliberately not alphabetical: re-serializing must preserve it.
        let signed = br#"{"data":{"type":"inquiry","id":"inq_1"},"attributes":[1,2]}"#;
        let received = serde_json::to_vec_pretty(
            &serde_json::from_slice::<serde_json::Value>(signed).unwrap(),
        )
        .unwrap();
        let d = diagnosis_of(&check(
            &sign(SECRET, T, signed),
            &received,
            &[secret("current", SECRET)],
        ));
        assert!(
            d.contains("re-serialized compactly")
                && d.contains("bytes differ from what was signed"),
            "{d}"
        );
        let pretty = received.clone();
        let d = diagnosis_of(&check(
            &sign(SECRET, T, &pretty),
            signed,
            &[secret("current", SECRET)],
        ));
        assert!(d.contains("re-serialized pretty-printed"), "{d}");
    }

    #[test]
    fn secret_without_prefix_diagnosed() {
        let d = diagnosis_of(&check(
            &sign("researchhub", T, b"{}"),
            b"{}",
            &[secret("current", SECRET)],
        ));
        assert!(
            d.contains("\"current\" with its wbhsec_ prefix removed"),
            "{d}"
        );
        let d = diagnosis_of(&check(
            &sign(SECRET, T, b"{}"),
            b"{}",
            &[secret("current", "researchhub")],
        ));
        assert!(d.contains("wbhsec_ prefix added"), "{d}");
        let d = diagnosis_of(&check(
            &sign(SECRET, T, b"{}"),
            b"{}",
            &[secret("current", "\"wbhsec_researchhub\" ")],
        ));
        assert!(d.contains("quotes removed"), "{d}");
    }

    #[test]
    fn decoded_secret_is_diagnosed() {
        let header = format!(
            "t={T},v1={}",
            raw_hmac(&[0xde, 0xad, 0xbe, 0xef], format!("{T}.{{}}").as_bytes())
        );
        let d = diagnosis_of(&check(&header, b"{}", &[secret("hexy", "wbhsec_deadbeef")]));
        assert!(d.contains("hex-decoded"), "{d}");
        let header = format!(
            "t={T},v1={}",
            raw_hmac(b"hello", format!("{T}.{{}}").as_bytes())
        );
        let d = diagnosis_of(&check(&header, b"{}", &[secret("b64", "wbhsec_aGVsbG8=")]));
        assert!(d.contains("base64-decoded"), "{d}");
    }

    #[test]
    fn parse_secret_accepts_labels_and_bare_values() {
        assert_eq!(
            parse_secret(" current=wbhsec_abc "),
            Ok(secret("current", "wbhsec_abc"))
        );
        assert_eq!(
            parse_secret("wbhsec_abc"),
            Ok(secret("default", "wbhsec_abc"))
        );
        assert_eq!(
            parse_secret("test = plain-secret=="),
            Ok(secret("test", "plain-secret==")),
            "non-wbhsec values are allowed"
        );
    }

    #[test]
    fn parse_secret_rejects_unusable_input_with_a_hint() {
        for (spec, says) in [
            ("", "empty"),
            ("   ", "empty"),
            ("=wbhsec_abc", "nothing before '='"),
            ("current=", "nothing after '='"),
            ("current=  ", "nothing after '='"),
            ("current=wbhsec_a b", "whitespace"),
            ("wbhsec_a\tb", "whitespace"),
            ("just-a-value", "no '='"),
        ] {
            match parse_secret(spec) {
                Ok(s) => panic!("{spec:?} should be rejected, got {s:?}"),
                Err(e) => {
                    assert!(e.contains(says), "{spec:?}: expected {says:?} in {e:?}");
                    assert!(
                        e.contains("--secret"),
                        "{spec:?}: the error should say what to type: {e:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn status_round_trips_through_its_name() {
        for st in Status::ALL {
            assert_eq!(Status::parse(st.as_str()), Some(st));
            assert_eq!(
                serde_json::to_value(st).unwrap(),
                serde_json::json!(st.as_str())
            );
        }
        assert_eq!(Status::parse("VALID"), Some(Status::Valid));
        assert_eq!(Status::parse("bogus"), None);
    }

    #[test]
    fn verdict_serializes_with_status_lowercase() {
        let v = check(
            &sign(SECRET, T, b"abc123"),
            b"abc123",
            &[secret("current", SECRET)],
        );
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["status"], "valid", "{json}");
        assert_eq!(json["matched"]["secret"], "current");
        let back: Verdict = serde_json::from_value(json).unwrap();
        assert_eq!(back, v, "a verdict must survive a JSON round trip");
    }

    /// The verdict and the number of HMACs it took.
    fn counted(header: &str, body: &[u8], secrets: &[Secret]) -> (Verdict, u64) {
        let macs = Macs::default();
        let v = judge(Some(header.as_bytes()), body, secrets, T, TOL, &macs);
        (v, macs.computed.get())
    }

    #[test]
    fn long_headers_and_more_than_eight_v1_values_are_malformed_before_any_hmac() {
        let mac = v1(SECRET, T, b"{}");
        let one_pair = format!("t={T},{}", format!("v1={mac},").repeat(5_000));
        let many_pairs = format!("{} ", sign(SECRET, T, b"{}")).repeat(5_000);
        let comma_joined = vec![sign(SECRET, T, b"{}"); 9].join(", ");
        let short_values = format!("t={T},{}", "v1=ab,".repeat(50));
        let no_t = "a,".repeat(200 * 1024);
        let secrets = [secret("current", SECRET), secret("old", "wbhsec_old")];
        for (header, what) in [
            (one_pair, "is not read"),
            (many_pairs, "is not read"),
            (no_t, "400 KiB long"),
            (comma_joined, "9 v1 values"),
            (short_values, "50 v1 values"),
        ] {
            let (v, hmacs) = counted(&header, b"{}", &secrets);
            assert_eq!(v.status, Status::Malformed, "{what}: {v:?}");
            assert!(
                v.explanation.contains(what) && v.explanation.contains("no HMAC was computed"),
                "{what}: {}",
                v.explanation
            );
            assert_eq!(hmacs, 0, "{what}: no HMAC may be computed");
        }
        let eight = vec![sign(SECRET, T, b"{}"); 8].join(" ");
        let (v, _) = counted(&eight, b"{}", &secrets);
        assert_eq!(v.status, Status::Valid, "8 v1 values are still read: {v:?}");
    }

    #[test]
    fn one_hmac_per_secret_and_timestamp_however_many_v1_share_it() {
        let wrong = "0".repeat(64);
        let good = v1(SECRET, T, b"{}");
        let header = format!("t={T},{}v1={good}", format!("v1={wrong},").repeat(7));
        let (v, hmacs) = counted(&header, b"{}", &[secret("current", SECRET)]);
        assert_eq!(v.status, Status::Valid, "{v:?}");
        assert_eq!(v.matched.as_ref().map(|m| m.pair), Some(7), "{v:?}");
        assert_eq!(hmacs, 1, "8 v1 values with one timestamp need one HMAC");
    }

    #[test]
    fn diagnosis_is_linear_in_secrets_and_timestamps() {
        let body = br#"{"data": {"id": "evt_1"}}"#;
        for t_count in [1usize, 2, 4, 8] {
            let header = (0..t_count)
                .map(|n| format!("t={},v1={}", T - n as i64, "0".repeat(64)))
                .collect::<Vec<_>>()
                .join(" ");
            let secrets: Vec<Secret> = (0..3)
                .map(|n| secret(&format!("s{n}"), &format!("wbhsec_{n}")))
                .collect();
            let (v, hmacs) = counted(&header, body, &secrets);
            assert_eq!(v.status, Status::Invalid, "{v:?}");
            assert!(v.diagnosis.is_none(), "nothing should fit: {v:?}");
            // Per secret: the check (one per timestamp), the body alone (one), another pair's
            // timestamp (one per timestamp), at most 4 changed bodies and 4 mangled secrets
            // (each one per timestamp).
            let bound = (secrets.len() * (1 + 10 * t_count)) as u64;
            assert!(
                hmacs <= bound,
                "{t_count} timestamps × 3 secrets took {hmacs} HMACs, over the linear bound {bound}"
            );
        }
    }

    #[test]
    fn a_large_invalid_body_is_not_diagnosed_and_the_verdict_says_so() {
        let body = vec![b' '; DIAGNOSIS_MAX_BODY + 1];
        let header = sign("wbhsec_other", T, &body);
        let (v, hmacs) = counted(&header, &body, &[secret("current", SECRET)]);
        assert_eq!(v.status, Status::Invalid, "{v:?}");
        assert!(v.diagnosis.is_none(), "{v:?}");
        assert!(
            v.explanation.contains("so the usual mistakes") && v.explanation.contains("not tried"),
            "{}",
            v.explanation
        );
        assert_eq!(hmacs, 1, "only the check itself hashes a large body");
    }

    #[test]
    fn rotation_pairs_joined_with_commas_are_two_pairs() {
        let (old, new) = ("wbhsec_old", "wbhsec_new");
        let (a, b) = (sign(new, T, b"{}"), sign(old, T - 1, b"{}"));
        for separator in [", ", ",", " , ", ";", "  "] {
            let header = format!("{a}{separator}{b}");
            let v = check(&header, b"{}", &[secret("mine", old)]);
            assert_eq!(v.status, Status::Valid, "separator {separator:?}: {v:?}");
            assert_eq!(v.pairs.len(), 2, "separator {separator:?}: {v:?}");
            assert_eq!(
                (v.pairs[0].t, v.pairs[1].t),
                (T, T - 1),
                "separator {separator:?}: each pair keeps its own t"
            );
            assert_eq!(v.matched.as_ref().map(|m| m.pair), Some(1), "{v:?}");
            assert_eq!(v.timestamp, Some(T - 1), "{v:?}");
        }
        // Keys in any order still make one pair each, across a space.
        let reordered = format!(
            "v1={},t={T} v1={},t={}",
            v1(new, T, b"{}"),
            v1(old, T - 1, b"{}"),
            T - 1
        );
        let v = check(&reordered, b"{}", &[secret("mine", old)]);
        assert_eq!(v.status, Status::Valid, "{v:?}");
        assert_eq!(v.pairs.len(), 2, "{v:?}");
    }

    #[test]
    fn garbage_headers_never_panic_and_never_validate() {
        let long_v1 = format!("t=1,v1={}", "ab".repeat(50_000));
        let many = format!("{} ", sign(SECRET, T, b"{}")).repeat(1_000);
        let huge_t = format!("t=99999999999999999999,v1={}", v1(SECRET, T, b"{}"));
        let extreme = format!("t={},v1={}", i64::MIN, "0".repeat(64));
        let odd: Vec<Vec<u8>> = vec![
            b"t=".to_vec(),
            b",,,".to_vec(),
            b"t=1,v1=".to_vec(),
            b"=".to_vec(),
            b"t=1,t=2,v1=,v1=".to_vec(),
            b" , t=1 ,, v1=00 ".to_vec(),
            "t=١٢٣,v1=é".as_bytes().to_vec(),
            long_v1.into_bytes(),
            many.into_bytes(),
            huge_t.into_bytes(),
            extreme.into_bytes(),
            vec![0xff, 0x00, 0xc3],
            vec![0u8; 4096],
        ];
        for header in odd {
            for secrets in [vec![], vec![secret("current", SECRET)]] {
                let v = verify(Some(&header), b"{}", &secrets, T, TOL);
                let shown: String = String::from_utf8_lossy(&header).chars().take(60).collect();
                assert_ne!(v.status, Status::Valid, "{shown:?} must not validate");
                assert!(
                    !v.explanation.is_empty() && v.explanation.ends_with('.'),
                    "{shown:?}: {}",
                    v.explanation
                );
            }
        }
    }
}
