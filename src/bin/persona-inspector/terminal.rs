//! How deliveries read in a terminal: one line each while serving, a table, a detail page.
//! Colour only on a terminal, and never when NO_COLOR is set.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::LazyLock;

use axum::http::StatusCode;
use base64::Engine;
use persona_inspector::capture::Settings;
use persona_inspector::clock;
use persona_inspector::model::{Outcome, Status, Verdict, format_size, headers_from_json};
use persona_inspector::ngrok::NgrokStatus;
use persona_inspector::store::Summary;
use persona_inspector::view::Detail;
use time::UtcOffset;

static COLOUR: LazyLock<bool> =
    LazyLock::new(|| std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none());

/// Payloads come from the internet: control characters in them must not drive the terminal.
pub fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn paint(code: &str, text: &str) -> String {
    let text = safe(text);
    if *COLOUR {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text
    }
}

pub const GREEN: &str = "32";
pub const RED: &str = "31";
pub const YELLOW: &str = "33";
pub const DIM: &str = "2";
pub const BOLD: &str = "1";

pub fn banner(
    out: &mut impl Write,
    address: SocketAddr,
    database: &Path,
    settings: &Settings,
    forwarding: Option<&str>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Persona Webhook Inspector listening on http://{address}"
    )?;
    if !address.ip().is_loopback() {
        let warning =
            "warning: this address is reachable from other machines, not only through ngrok";
        writeln!(out, "  {}", paint(YELLOW, warning))?;
    }
    writeln!(out, "  expose it:   ngrok http {}", address.port())?;
    writeln!(out, "  stored in:   {}", database.display())?;
    let secrets = &settings.verification.secrets;
    if secrets.is_empty() {
        writeln!(
            out,
            "  signatures:  not checked — add --secret label=wbhsec_… (Persona dashboard → Webhooks → your webhook → secret)"
        )?;
    } else {
        let labels: Vec<String> = secrets
            .iter()
            .map(|s| format!("{} ({})", s.label, s.preview()))
            .collect();
        writeln!(
            out,
            "  signatures:  checked with {}; stale after {} s",
            labels.join(", "),
            settings.verification.tolerance_seconds
        )?;
    }
    if settings.reply.status.as_u16() != 200 || !settings.reply.delay.is_zero() {
        writeln!(
            out,
            "  answering:   {} after {} ms",
            settings.reply.status,
            settings.reply.delay.as_millis()
        )?;
    }
    if let Some(forwarding) = forwarding {
        writeln!(out, "  forwarding:  {}", safe(forwarding))?;
    }
    Ok(())
}

/// The banner's ngrok line: the public URL that leads to the listener on `port`, a warning
/// when ngrok's tunnels lead elsewhere, nothing when no agent runs.
pub fn ngrok_line(status: &NgrokStatus, port: u16) -> Option<String> {
    match status {
        NgrokStatus::NoAgent => None,
        NgrokStatus::Tunnel { public_url, .. } => Some(format!(
            "  ngrok:       {} → this listener (paste it into Persona's dashboard, Webhooks)",
            paint(BOLD, public_url)
        )),
        NgrokStatus::OtherPorts { tunnels, .. } if tunnels.is_empty() => Some(format!(
            "  ngrok:       {}",
            paint(
                YELLOW,
                &format!(
                    "warning: ngrok runs without a web tunnel — start one with `ngrok http {port}`"
                )
            )
        )),
        NgrokStatus::OtherPorts { tunnels, .. } => {
            let elsewhere: Vec<String> = tunnels
                .iter()
                .map(|t| format!("{} → {}", t.public_url, t.addr))
                .collect();
            Some(format!(
                "  ngrok:       {}",
                paint(
                    YELLOW,
                    &format!(
                        "warning: ngrok's tunnels lead elsewhere ({}), not to this listener's port \
                         {port} — start one with `ngrok http {port}`",
                        elsewhere.join(", ")
                    )
                )
            ))
        }
    }
}

fn verdict_badge(verdict: &Verdict) -> String {
    let (colour, word) = match verdict.status {
        Status::Valid => (GREEN, "✓ valid"),
        Status::Invalid => (RED, "✗ invalid"),
        Status::Missing => (YELLOW, "! missing"),
        Status::Malformed => (YELLOW, "! malformed"),
        Status::Unchecked => (DIM, "· unchecked"),
    };
    let mut badge = paint(colour, word);
    if let Some(m) = &verdict.matched {
        badge.push_str(&safe(&format!(" ({})", m.secret)));
    }
    if verdict.stale {
        badge.push(' ');
        badge.push_str(&paint(YELLOW, "stale"));
    }
    badge
}

fn target(summary: &Summary) -> String {
    safe(&match &summary.query {
        Some(q) => format!("{} {}?{}", summary.method, summary.path, q),
        None => format!("{} {}", summary.method, summary.path),
    })
}

/// One line per delivery while serving.
pub fn line(s: &Summary, offset: UtcOffset) -> String {
    let mut parts = vec![
        paint(DIM, &clock::time_of_day(s.received_at_ms, offset)),
        target(s),
    ];
    if s.outcome == Outcome::TooLarge {
        parts.push(paint(
            RED,
            &format!(
                "413 body too large ({}), headers kept",
                format_size(s.body_size)
            ),
        ));
        return parts.join("  ");
    }
    match (&s.event_name, &s.parse_error) {
        (Some(name), _) => parts.push(paint(BOLD, name)),
        (None, Some(e)) => parts.push(paint(
            YELLOW,
            &format!("not JSON ({} at {}:{})", e.message, e.line, e.column),
        )),
        (None, None) => parts.push(paint(DIM, "no event name")),
    }
    if let Some(id) = s.resource.as_ref().and_then(|r| r.id.as_deref()) {
        parts.push(safe(id));
    }
    parts.push(verdict_badge(&s.signature));
    if let Some(attempts) = s.attempts.describe() {
        parts.push(format!("attempts {attempts}"));
    }
    if s.event_deliveries > 1 {
        parts.push(paint(YELLOW, &format!("seen {}×", s.event_deliveries)));
    }
    parts.push(paint(DIM, &format!("#{}", s.id)));
    parts.join("  ")
}

pub fn list(out: &mut impl Write, rows: &[Summary], offset: UtcOffset) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(
            out,
            "no deliveries stored (yet) — start one with `persona-inspector serve`"
        );
    }
    for row in rows {
        writeln!(out, "{}", line(row, offset))?;
    }
    Ok(())
}

pub fn show(out: &mut impl Write, d: &Detail, offset: UtcOffset) -> std::io::Result<()> {
    let s = &d.summary;
    writeln!(out, "{}", paint(BOLD, &format!("Delivery #{}", s.id)))?;
    writeln!(
        out,
        "  received   {} ({} local)",
        s.received_at,
        clock::time_of_day(s.received_at_ms, offset)
    )?;
    match (s.source, &s.original_received_at) {
        (persona_inspector::model::Source::Imported, claimed) => writeln!(
            out,
            "  source     imported from a fixture{}",
            claimed
                .as_deref()
                .map(|at| format!(", which claims it arrived at {at}"))
                .unwrap_or_default()
        )?,
        (persona_inspector::model::Source::Test, _) => writeln!(
            out,
            "  source     a sample sent by this inspector (trigger, or the app's sample button)"
        )?,
        (persona_inspector::model::Source::Captured, _) => {}
    }
    writeln!(out, "  request    {}", target(s))?;
    if let Some(addr) = &s.remote_addr {
        writeln!(out, "  peer       {}", safe(addr))?;
    }
    let listed = match s.source_ip_listed {
        Some(true) => paint(GREEN, "in Persona's list of webhook addresses"),
        Some(false) => paint(YELLOW, "not in Persona's list of webhook addresses"),
        None => paint(DIM, "not looked up (no address, or the list is empty)"),
    };
    writeln!(
        out,
        "  source     {}  {listed}",
        safe(s.source_ip.as_deref().unwrap_or("unknown"))
    )?;
    writeln!(out, "             {}", paint(DIM, &d.source_ip_note))?;
    if let Some(status) = d.reply_status {
        let reason = StatusCode::from_u16(status)
            .ok()
            .and_then(|code| code.canonical_reason())
            .unwrap_or("");
        writeln!(out, "  answered   {status} {reason}")?;
    }
    if let Some(name) = &s.event_name {
        let known = if s.known_event {
            String::new()
        } else {
            format!(
                "  (not in the catalog of {}: maybe newer)",
                persona_inspector::catalog::AS_OF
            )
        };
        writeln!(out, "  event      {}{known}", safe(name))?;
        if let Some(description) = d.event_description {
            writeln!(out, "             {}", paint(DIM, description))?;
        }
    }
    if let Some(id) = &s.event_id {
        let seen = if s.event_deliveries > 1 {
            format!("  (delivered {} times)", s.event_deliveries)
        } else {
            String::new()
        };
        writeln!(out, "  event id   {}{seen}", safe(id))?;
    }
    if let Some(at) = &s.event_created_at {
        writeln!(out, "  created    {}", safe(at))?;
    }
    if let Some(r) = &s.resource {
        let text = [r.kind.as_deref(), r.id.as_deref(), r.status.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        writeln!(out, "  resource   {}", safe(&text))?;
    }
    if let Some(attempt) = s.attempts.describe() {
        writeln!(out, "  attempts   {attempt}")?;
    }
    writeln!(out, "  signature  {}", verdict_badge(&s.signature))?;
    writeln!(out, "             {}", safe(&s.signature.explanation))?;
    if let Some(diagnosis) = &s.signature.diagnosis {
        writeln!(out, "             {}", paint(YELLOW, diagnosis))?;
    }
    if let Some(note) = &s.signature.stale_note {
        writeln!(out, "             {}", paint(YELLOW, note))?;
    }
    for note in &d.event_notes {
        writeln!(out, "  note       {}", safe(note))?;
    }
    crate::story::retry_chain(out, d, offset)?;

    writeln!(out, "\n{}", paint(BOLD, "Headers"))?;
    for (name, value) in headers_from_json(&d.headers) {
        writeln!(
            out,
            "  {}: {}",
            safe(&name),
            safe(&String::from_utf8_lossy(&value))
        )?;
    }

    if !d.relationships.is_empty() {
        writeln!(out, "\n{}", paint(BOLD, "Relationships"))?;
        for rel in &d.relationships {
            if rel.targets.is_empty() {
                writeln!(out, "  {}: (none)", safe(&rel.name))?;
            }
            for t in &rel.targets {
                let mark = if t.included {
                    paint(GREEN, "included")
                } else if t.primary {
                    paint(GREEN, "the primary resource (payload.data)")
                } else if let Some(api) = &t.api {
                    paint(DIM, &format!("not included — GET {}", safe(&api.path)))
                } else {
                    paint(DIM, "not included — fetch it through Persona's API")
                };
                writeln!(
                    out,
                    "  {}  {mark}",
                    safe(&format!("{}: {} {}", rel.name, t.kind, t.id))
                )?;
            }
        }
    }

    writeln!(
        out,
        "\n{} ({})",
        paint(BOLD, "Body"),
        format_size(s.body_size)
    )?;
    if let Some(e) = &s.parse_error {
        writeln!(
            out,
            "  {}",
            paint(
                YELLOW,
                &format!(
                    "not parsed: {} at line {}, column {}",
                    e.message, e.line, e.column
                )
            )
        )?;
    }
    let body = base64::engine::general_purpose::STANDARD
        .decode(&d.body_base64)
        .unwrap_or_default();
    match std::str::from_utf8(&body) {
        Ok(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value) if s.parse_error.is_none() => writeln!(
                out,
                "{}",
                safe(&serde_json::to_string_pretty(&value).unwrap_or_else(|_| text.to_string()))
            ),
            _ => writeln!(out, "{}", safe(text)),
        },
        Err(_) => writeln!(
            out,
            "  (not UTF-8: {} bytes; `show {} --json` has them exactly in body_base64)",
            body.len(),
            s.id
        ),
    }
}
