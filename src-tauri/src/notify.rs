//! Desktop notifications for arriving deliveries: one per burst, sent off the async runtime, and
//! quiet (one warning, then debug lines) on a desktop without a notification service.
//!
//! Everything shown comes from the sender's payload, so every string is untrusted: control and
//! bidirectional-override characters are dropped, each field is capped, and the body (which
//! notification servers may read as markup) is escaped. With the counts-only setting, nothing
//! from the payload is shown at all: a locked screen reads "3 new deliveries" and no more.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use persona_inspector::model::{Outcome, Status, Verdict};
use persona_inspector::store::Summary;

/// The application name every notification carries.
pub const APP_NAME: &str = "Persona Webhook Inspector";
/// How long a notification stays up, in milliseconds.
pub const TIMEOUT_MS: u32 = 5_000;
/// The most characters shown of one payload string (an event name, a resource id, a path).
const FIELD_CHARS: usize = 80;

/// What one notification says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// Plain text: the notification spec never reads the summary as markup.
    pub summary: String,
    /// Safe as markup: payload strings have `&`, `<` and `>` escaped.
    pub body: String,
}

/// The notification for a burst of deliveries; None for an empty burst.
pub fn text(batch: &[Summary]) -> Option<Text> {
    match batch {
        [] => None,
        [one] => Some(single(one)),
        many => Some(burst(many)),
    }
}

/// The counts-only notification for a burst: how many arrived, nothing from any payload.
pub fn counts_only(batch: &[Summary]) -> Option<Text> {
    let summary = match batch.len() {
        0 => return None,
        1 => "1 new delivery".to_string(),
        n => format!("{n} new deliveries"),
    };
    Some(Text {
        summary,
        body: String::new(),
    })
}

fn single(d: &Summary) -> Text {
    let name = d.event_name.as_deref().map(clean).filter(|n| !n.is_empty());
    let summary = match name {
        Some(name) => name,
        None if d.outcome == Outcome::TooLarge => format!("Delivery #{}: 413 too large", d.id),
        None if d.parse_error.is_some() => format!("Delivery #{}: not JSON", d.id),
        None => format!("Delivery #{}", d.id),
    };
    let mut parts = Vec::new();
    match d.resource.as_ref().and_then(|r| r.id.as_deref()) {
        Some(id) => parts.push(escape(&clean(id))),
        // Not a Persona event: where it was sent says more than nothing.
        None if d.event_name.is_none() => {
            parts.push(escape(&clean(&format!("{} {}", d.method, d.path))));
        }
        None => {}
    }
    parts.push(verdict_words(&d.signature).to_string());
    Text {
        summary,
        body: parts.join(" · "),
    }
}

fn burst(batch: &[Summary]) -> Text {
    const LABELS: [&str; 6] = [
        "valid",
        "stale",
        "invalid",
        "malformed",
        "unsigned",
        "unchecked",
    ];
    let mut verdicts = [0usize; LABELS.len()];
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for d in batch {
        verdicts[category(&d.signature)] += 1;
        if let Some(name) = d.event_name.as_deref() {
            *names.entry(name).or_default() += 1;
        }
    }
    let counts: Vec<String> = LABELS
        .iter()
        .zip(verdicts)
        .filter(|(_, n)| *n > 0)
        .map(|(label, n)| format!("{n} {label}"))
        .collect();
    let mut lines = vec![format!("Signatures: {}", counts.join(", "))];
    // The most common name; on a tie, the first in alphabetical order.
    let most = names
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)));
    match most {
        Some((name, &n)) if n == batch.len() => lines.push(format!("All {}", escape(&clean(name)))),
        Some((name, &n)) if n > 1 => {
            lines.push(format!("Most often: {} ({n})", escape(&clean(name))));
        }
        Some(_) => lines.push(format!("{} different events", names.len())),
        None => lines.push("No Persona events".to_string()),
    }
    Text {
        summary: format!("{} new deliveries", batch.len()),
        body: lines.join("\n"),
    }
}

fn verdict_words(v: &Verdict) -> &'static str {
    match (v.status, v.stale) {
        (Status::Valid, false) => "signature valid",
        (Status::Valid, true) => "signature valid but stale",
        (Status::Invalid, _) => "signature invalid",
        (Status::Malformed, _) => "malformed signature",
        (Status::Missing, _) => "no signature",
        (Status::Unchecked, _) => "signature unchecked",
    }
}

/// The index of the verdict's label in `burst`'s `LABELS`.
fn category(v: &Verdict) -> usize {
    match (v.status, v.stale) {
        (Status::Valid, false) => 0,
        (Status::Valid, true) => 1,
        (Status::Invalid, _) => 2,
        (Status::Malformed, _) => 3,
        (Status::Missing, _) => 4,
        (Status::Unchecked, _) => 5,
    }
}

/// A payload string made fit to show: control characters out (whitespace ones become a space),
/// bidirectional overrides out (they can make text read backwards), at most `FIELD_CHARS`
/// characters, trimmed. Reads no more of `raw` than it keeps.
fn clean(raw: &str) -> String {
    let mut kept: Vec<char> = raw
        .chars()
        .filter_map(|c| match c {
            c if c.is_control() && c.is_whitespace() => Some(' '),
            c if c.is_control() || is_bidi_control(c) => None,
            c => Some(c),
        })
        .take(FIELD_CHARS + 1)
        .collect();
    if kept.len() > FIELD_CHARS {
        kept.truncate(FIELD_CHARS - 1);
        kept.push('…');
    }
    kept.into_iter().collect::<String>().trim().to_string()
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Escapes the characters the notification spec's body markup gives meaning to.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Sends the notifications. Clones share the warning state and the setting.
#[derive(Clone, Debug)]
pub struct Notifier {
    enabled: Arc<AtomicBool>,
    counts_only: Arc<AtomicBool>,
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    /// A failure was warned about and nothing has succeeded since.
    warned: AtomicBool,
    /// A notification is on its way.
    sending: AtomicBool,
}

impl Notifier {
    /// `enabled` and `counts_only` are the app's settings; they are read at every burst, so
    /// flipping one takes effect at once.
    pub fn new(enabled: Arc<AtomicBool>, counts_only: Arc<AtomicBool>) -> Notifier {
        Notifier {
            enabled,
            counts_only,
            state: Arc::default(),
        }
    }

    /// Announces a burst with one notification, sent on a thread of its own (sending blocks).
    /// Returns that thread, whose result is what the notification service answered, or None
    /// when nothing was sent: notifications are off, the burst is empty, or the previous
    /// notification is still on its way (a hung service then costs one thread, not one per
    /// burst; the window still lists every delivery).
    pub fn notify(&self, batch: &[Summary]) -> Option<JoinHandle<Result<(), String>>> {
        if !self.enabled.load(Ordering::Relaxed) {
            return None;
        }
        let text = match self.counts_only.load(Ordering::Relaxed) {
            true => counts_only(batch)?,
            false => text(batch)?,
        };
        if self.state.sending.swap(true, Ordering::AcqRel) {
            tracing::debug!(
                "not announcing {} new deliveries: the previous notification is still being sent",
                batch.len()
            );
            return None;
        }
        let state = Arc::clone(&self.state);
        let spawned = std::thread::Builder::new()
            .name("notification".into())
            .spawn(move || {
                let _sending = Sending(Arc::clone(&state));
                let result = show(&text);
                state.report(&result);
                result
            });
        match spawned {
            Ok(thread) => Some(thread),
            Err(error) => {
                self.state.sending.store(false, Ordering::Release);
                self.state
                    .report(&Err(format!("no thread to send it from: {error}")));
                None
            }
        }
    }

    /// Whether a failure has been warned about with no success since. While true, further
    /// failures are logged at debug level only.
    pub fn warned(&self) -> bool {
        self.state.warned.load(Ordering::Acquire)
    }
}

impl State {
    fn report(&self, result: &Result<(), String>) {
        match result {
            Ok(()) => self.warned.store(false, Ordering::Release),
            Err(error) if !self.warned.swap(true, Ordering::AcqRel) => tracing::warn!(
                "desktop notifications are unavailable ({error}); the app carries on without \
                 them, and further failures are logged at debug level"
            ),
            Err(error) => tracing::debug!("notification not shown: {error}"),
        }
    }
}

/// Clears `sending` when the sending thread ends, however it ends.
struct Sending(Arc<State>);

impl Drop for Sending {
    fn drop(&mut self) {
        self.0.sending.store(false, Ordering::Release);
    }
}

fn show(text: &Text) -> Result<(), String> {
    notify_rust::Notification::new()
        .appname(APP_NAME)
        .summary(&text.summary)
        .body(&text.body)
        .timeout(notify_rust::Timeout::Milliseconds(TIMEOUT_MS))
        .show()
        .map(drop)
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use persona_inspector::model::AttemptHeaders;
    use persona_inspector::store::ResourceSummary;

    fn delivery(id: i64, name: Option<&str>, status: Status) -> Summary {
        Summary {
            id,
            received_at: "2024-07-11T16:05:05.000Z".into(),
            received_at_ms: 1_720_713_905_000,
            method: "POST".into(),
            path: "/hook".into(),
            query: None,
            remote_addr: None,
            outcome: Outcome::Captured,
            event_id: Some(format!("evt_{id}")),
            event_name: name.map(String::from),
            event_created_at: None,
            event_group: None,
            known_event: false,
            resource: Some(ResourceSummary {
                kind: Some("inquiry".into()),
                id: Some(format!("inq_{id}")),
                status: None,
            }),
            signature: Verdict::new(status, String::new(), 300),
            attempts: AttemptHeaders::default(),
            body_size: 10,
            parse_error: None,
            event_deliveries: 1,
            forward: None,
            source: Default::default(),
            original_received_at: None,
            original_received_at_ms: None,
            source_ip: None,
            source_ip_listed: None,
        }
    }

    #[test]
    fn an_empty_burst_has_no_text() {
        assert_eq!(text(&[]), None);
        assert_eq!(counts_only(&[]), None);
    }

    #[test]
    fn counts_only_says_how_many_and_nothing_else() {
        let one = counts_only(&[delivery(3, Some("inquiry.approved"), Status::Valid)]);
        assert_eq!(
            one,
            Some(Text {
                summary: "1 new delivery".into(),
                body: String::new()
            })
        );
        let three: Vec<Summary> = (0..3)
            .map(|id| delivery(id, Some("inquiry.approved"), Status::Invalid))
            .collect();
        assert_eq!(
            counts_only(&three).map(|t| t.summary),
            Some("3 new deliveries".into())
        );
    }

    #[test]
    fn one_delivery_shows_its_event_resource_and_verdict() {
        let t = text(&[delivery(3, Some("inquiry.approved"), Status::Valid)]).expect("text");
        assert_eq!(t.summary, "inquiry.approved");
        assert_eq!(t.body, "inq_3 · signature valid");
    }

    #[test]
    fn each_verdict_has_words() {
        let words = |status, stale| {
            let mut d = delivery(1, Some("a"), status);
            d.signature.stale = stale;
            text(&[d]).expect("text").body
        };
        assert_eq!(
            words(Status::Valid, true),
            "inq_1 · signature valid but stale"
        );
        assert_eq!(words(Status::Invalid, true), "inq_1 · signature invalid");
        assert_eq!(words(Status::Missing, false), "inq_1 · no signature");
        assert_eq!(
            words(Status::Malformed, false),
            "inq_1 · malformed signature"
        );
        assert_eq!(
            words(Status::Unchecked, false),
            "inq_1 · signature unchecked"
        );
    }

    #[test]
    fn a_delivery_without_an_event_name_is_named_by_its_id_and_what_went_wrong() {
        let mut d = delivery(9, None, Status::Missing);
        d.resource = None;
        let plain = text(std::slice::from_ref(&d)).expect("text");
        assert_eq!(plain.summary, "Delivery #9");
        assert_eq!(plain.body, "POST /hook · no signature");

        d.parse_error = Some(persona_inspector::model::ParseError {
            message: "expected value".into(),
            line: 1,
            column: 1,
        });
        assert_eq!(
            text(std::slice::from_ref(&d)).expect("text").summary,
            "Delivery #9: not JSON"
        );

        d.parse_error = None;
        d.outcome = Outcome::TooLarge;
        assert_eq!(
            text(&[d]).expect("text").summary,
            "Delivery #9: 413 too large"
        );
    }

    #[test]
    fn a_burst_counts_verdicts_in_a_fixed_order_and_names_the_most_common_event() {
        let mut batch = Vec::new();
        for id in 0..5 {
            batch.push(delivery(id, Some("inquiry.approved"), Status::Valid));
        }
        batch.push(delivery(5, Some("report.ready"), Status::Invalid));
        batch.push(delivery(6, None, Status::Invalid));
        let t = text(&batch).expect("text");
        assert_eq!(t.summary, "7 new deliveries");
        assert_eq!(
            t.body,
            "Signatures: 5 valid, 2 invalid\nMost often: inquiry.approved (5)"
        );
    }

    #[test]
    fn a_burst_of_one_event_says_all_and_of_distinct_events_counts_them() {
        let same = [
            delivery(1, Some("b.x"), Status::Missing),
            delivery(2, Some("b.x"), Status::Unchecked),
        ];
        assert_eq!(
            text(&same).expect("text").body,
            "Signatures: 1 unsigned, 1 unchecked\nAll b.x"
        );
        let distinct = [
            delivery(1, Some("b.x"), Status::Valid),
            delivery(2, Some("a.x"), Status::Valid),
        ];
        assert_eq!(
            text(&distinct).expect("text").body,
            "Signatures: 2 valid\n2 different events"
        );
        let none = [
            delivery(1, None, Status::Valid),
            delivery(2, None, Status::Valid),
        ];
        assert_eq!(
            text(&none).expect("text").body,
            "Signatures: 2 valid\nNo Persona events"
        );
    }

    #[test]
    fn markup_in_payload_strings_is_escaped_in_the_body_and_kept_as_text_in_the_summary() {
        let mut d = delivery(1, Some("<b>x</b>"), Status::Valid);
        if let Some(r) = d.resource.as_mut() {
            r.id = Some("inq_<img src=x>&amp;".into());
        }
        let t = text(std::slice::from_ref(&d)).expect("text");
        assert_eq!(t.summary, "<b>x</b>");
        assert_eq!(t.body, "inq_&lt;img src=x&gt;&amp;amp; · signature valid");
        let t = text(&[d.clone(), d]).expect("text");
        assert!(t.body.ends_with("All &lt;b&gt;x&lt;/b&gt;"), "{}", t.body);
    }

    #[test]
    fn control_and_bidi_characters_are_dropped_and_long_strings_capped() {
        let d = delivery(1, Some("a\u{1b}[31m\tb\u{202E}c\u{7}\r\n"), Status::Valid);
        assert_eq!(text(&[d]).expect("text").summary, "a[31m bc");

        let long = "é".repeat(10_000);
        let d = delivery(1, Some(&long), Status::Valid);
        let summary = text(&[d]).expect("text").summary;
        assert_eq!(summary.chars().count(), FIELD_CHARS);
        assert!(summary.ends_with('…'), "{summary}");

        let d = delivery(4, Some("\u{1b}\u{7}"), Status::Valid);
        assert_eq!(text(&[d]).expect("text").summary, "Delivery #4");
    }
}
