//! How a resource's timeline and an event's retry chain read in a terminal.

use std::io::Write;

use persona_inspector::clock;
use persona_inspector::model::human_duration;
use persona_inspector::story::{ChainCopy, MentionVia, Timeline};
use persona_inspector::view::Detail;
use time::UtcOffset;

use crate::terminal::{BOLD, DIM, YELLOW, paint, safe};

/// One line per entry in created-at order (when created, the arrival rank, the event, the
/// status, the flags), then the deliveries that only mention the resource, then what each
/// flag means.
pub fn timeline(out: &mut impl Write, t: &Timeline, offset: UtcOffset) -> std::io::Result<()> {
    let id = &t.resource.id;
    let what = match &t.resource.kind {
        Some(kind) => format!("{kind} {id}"),
        None => id.clone(),
    };
    if t.entries.is_empty() && t.mentions.is_empty() {
        return writeln!(
            out,
            "no stored delivery is about {} or mentions it — `list --search {}` looks for it \
             in every body",
            safe(id),
            safe(id)
        );
    }
    writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!(
                "Timeline of {what}: {} deliveries, in the order Persona created the events",
                t.total_entries
            )
        )
    )?;
    if !t.entries.is_empty() {
        writeln!(
            out,
            "  {}",
            paint(
                DIM,
                &format!(
                    "{:<24}  {:>7}  {:<12}  {:<28}  {:<12}  flags",
                    "created", "arrived", "at", "event", "status"
                )
            )
        )?;
    }
    for e in &t.entries {
        let flags: Vec<&str> = e.flags.iter().map(|f| f.as_str()).collect();
        writeln!(
            out,
            "  {:<24}  {:>7}  {:<12}  {:<28}  {:<12}  {}  {}",
            safe(e.event_created_at.as_deref().unwrap_or("(no created-at)")),
            format!("{}.", e.arrival_rank),
            clock::time_of_day(e.received_at_ms, offset),
            safe(e.event_name.as_deref().unwrap_or("(no event name)")),
            safe(e.status.as_deref().unwrap_or("-")),
            paint(YELLOW, &flags.join(", ")),
            paint(DIM, &format!("#{}", e.delivery_id)),
        )?;
    }
    if !t.mentions.is_empty() {
        writeln!(out, "\n{}", paint(BOLD, "Mentioned in"))?;
        for m in &t.mentions {
            let about = m
                .about
                .as_ref()
                .map(|r| format!("about {} {}", r.kind, r.id))
                .unwrap_or_else(|| "about no resource".into());
            let via = match m.via {
                MentionVia::Relationship => "in a relationship",
                MentionVia::Included => "in included",
            };
            writeln!(
                out,
                "  {}  {}  {}, {via}",
                paint(DIM, &format!("#{}", m.delivery_id)),
                safe(m.event_name.as_deref().unwrap_or("(no event name)")),
                safe(&about),
            )?;
        }
    }
    if !t.flags.is_empty() {
        writeln!(out, "\n{}", paint(BOLD, "Flags"))?;
        for note in &t.flags {
            let ids: Vec<String> = note
                .delivery_ids
                .iter()
                .map(|id| format!("#{id}"))
                .collect();
            writeln!(
                out,
                "  {} ({}): {}",
                paint(YELLOW, note.flag.as_str()),
                ids.join(", "),
                note.why
            )?;
        }
    }
    for note in &t.notes {
        writeln!(out, "  {}", paint(DIM, &safe(note)))?;
    }
    Ok(())
}

/// The copies of the delivery's event, this one marked, each timed against Persona's
/// schedule; nothing when the event was delivered once.
pub fn retry_chain(out: &mut impl Write, d: &Detail, offset: UtcOffset) -> std::io::Result<()> {
    if d.retry_chain.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n{}",
        paint(
            BOLD,
            &format!(
                "Retry chain ({} copies of this event, as they arrived)",
                d.retry_chain.len()
            )
        )
    )?;
    for copy in &d.retry_chain {
        let this = if copy.delivery_id == d.summary.id {
            "  ← this one"
        } else {
            ""
        };
        writeln!(
            out,
            "  {}  {}  {:<18}  {}{}{this}",
            paint(DIM, &format!("#{:<5}", copy.delivery_id)),
            clock::time_of_day(copy.received_at_ms, offset),
            attempt(copy),
            timing(copy),
            if copy.same_body {
                String::new()
            } else {
                paint(YELLOW, "  body differs from the first copy")
            },
        )?;
    }
    for note in &d.retry_chain_notes {
        writeln!(out, "  {}", paint(YELLOW, &safe(note)))?;
    }
    Ok(())
}

fn attempt(copy: &ChainCopy) -> String {
    match (copy.attempt, copy.attempts_left) {
        (Some(made), Some(left)) => format!("attempt {made} ({left} left)"),
        (Some(made), None) => format!("attempt {made}"),
        (None, Some(left)) => format!("{left} left"),
        (None, None) => "no attempt headers".into(),
    }
}

fn timing(copy: &ChainCopy) -> String {
    let Some(since) = copy.seconds_since_previous else {
        return "first".into();
    };
    let since = format!("+{}", human_duration(since * 1000.0));
    match copy.expected_seconds {
        Some(expected) => format!("{since} (Persona's schedule: {expected} s)"),
        None => since,
    }
}
