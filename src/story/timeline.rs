//! A resource's timeline: every stored delivery whose `payload.data` is the resource, in the
//! order Persona created the events, with the order they arrived in beside it and what a
//! handler should know of each (`TimelineFlag`); and, apart, the deliveries that only mention it.

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;

use crate::clock;
use crate::error::{Error, Result};
use crate::jsonapi;
use crate::model::Lifecycle;
use crate::store::{ResourceRow, Store};

/// The most entries a timeline lists; past it the rest are counted, not read.
pub const MAX_ENTRIES: u32 = 1000;
/// The most deliveries read to find the ones that mention the resource.
pub const MAX_MENTION_CANDIDATES: u32 = 200;

/// What a handler should know about one delivery of the resource.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineFlag {
    OutOfOrder,
    Duplicate,
    ConflictingOutcome,
    StatusRegression,
}

impl TimelineFlag {
    pub const ALL: [TimelineFlag; 4] = [
        TimelineFlag::OutOfOrder,
        TimelineFlag::Duplicate,
        TimelineFlag::ConflictingOutcome,
        TimelineFlag::StatusRegression,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TimelineFlag::OutOfOrder => "out_of_order",
            TimelineFlag::Duplicate => "duplicate",
            TimelineFlag::ConflictingOutcome => "conflicting_outcome",
            TimelineFlag::StatusRegression => "status_regression",
        }
    }

    /// Why it matters to a handler, in one sentence.
    pub fn why(self) -> &'static str {
        match self {
            TimelineFlag::OutOfOrder => {
                "It arrived after an event Persona created later had arrived: Persona does not \
                 promise order, so a handler that applies events as they come lets older news \
                 overwrite newer — compare created-at, or fetch the resource, before acting."
            }
            TimelineFlag::Duplicate => {
                "It is another delivery of an event id already received: Persona sends an event \
                 again until it gets a 2xx within 5 s, so a handler must recognise the event id \
                 and do its work once."
            }
            TimelineFlag::ConflictingOutcome => {
                "The resource received final outcomes that contradict each other (such as \
                 inquiry.approved and inquiry.failed): a handler that acts on the first to arrive must decide what \
                 the other means — fetch the resource for its current status."
            }
            TimelineFlag::StatusRegression => {
                "Its status comes earlier in the resource's lifecycle than one created or \
                 received before it (e.g. approved, then pending): a handler that stores each \
                 status as it comes moves the resource backwards."
            }
        }
    }
}

/// The resource a timeline is about.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimelineResource {
    /// `payload.data.type` of its deliveries (or the type a mention gives it); None when no
    /// stored delivery tells.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub id: String,
}

/// One delivery whose `payload.data` is the resource.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub delivery_id: i64,
    pub event_id: Option<String>,
    pub event_name: Option<String>,
    /// As sent.
    pub event_created_at: Option<String>,
    /// RFC 3339, UTC, milliseconds.
    pub received_at: String,
    pub received_at_ms: i64,
    /// 1 for the entry that arrived first, and so on.
    pub arrival_rank: u32,
    /// `payload.data.attributes.status` as sent.
    pub status: Option<String>,
    pub flags: Vec<TimelineFlag>,
}

/// A flag present in the timeline, why it matters, and the entries that carry it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimelineFlagNote {
    pub flag: TimelineFlag,
    pub why: &'static str,
    pub delivery_ids: Vec<i64>,
}

/// Where a delivery about another resource names this one.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MentionVia {
    /// A relationship of its `payload.data`.
    Relationship,
    /// `payload.included`: the resource itself, or a relationship of an included resource.
    Included,
}

/// A delivery that mentions the resource without being about it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mention {
    pub delivery_id: i64,
    pub event_name: Option<String>,
    pub event_created_at: Option<String>,
    /// What the delivery is about: its `payload.data`.
    pub about: Option<jsonapi::ResourceRef>,
    pub via: MentionVia,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Timeline {
    pub resource: TimelineResource,
    /// In the order of the events' created-at (those without one last), then of arrival.
    pub entries: Vec<TimelineEntry>,
    /// How many stored deliveries are about the resource; more than `entries` when capped.
    pub total_entries: u64,
    /// The deliveries about other resources that name this one, oldest first.
    pub mentioned_in: Vec<i64>,
    /// The same deliveries, with what they are about and where they name it.
    pub mentions: Vec<Mention>,
    /// Each flag present, once, in the order of [`TimelineFlag::ALL`].
    pub flags: Vec<TimelineFlagNote>,
    /// What was left out, and why.
    pub notes: Vec<String>,
}

impl Store {
    /// The timeline of resource `resource_id` (an inquiry, account, verification, … id). An id
    /// no delivery names gives an empty timeline, not an error.
    pub fn timeline(&self, resource_id: &str) -> Result<Timeline> {
        let id = resource_id.trim();
        if id.is_empty() {
            return Err(Error::Invalid(
                "the resource id is empty; give one such as inq_… (list shows each delivery's)"
                    .into(),
            ));
        }
        let (rows, total_entries) = self.resource_rows(id, MAX_ENTRIES)?;
        let kind = rows.iter().find_map(|r| r.resource_type.clone());
        let entries = entries(rows, kind.as_deref().and_then(Lifecycle::of));
        let mut notes = Vec::new();
        if total_entries > entries.len() as u64 {
            notes.push(format!(
                "{total_entries} deliveries are about {id}; the first {} by created-at are \
                 listed and judged",
                entries.len()
            ));
        }
        let mentions = self.mentions(id, &mut notes)?;
        let kind = kind.or_else(|| mentions.iter().find_map(|(_, kind)| kind.clone()));
        let mentions: Vec<Mention> = mentions.into_iter().map(|(m, _)| m).collect();
        Ok(Timeline {
            resource: TimelineResource {
                kind,
                id: id.to_string(),
            },
            flags: flag_notes(&entries),
            entries,
            total_entries,
            mentioned_in: mentions.iter().map(|m| m.delivery_id).collect(),
            mentions,
            notes,
        })
    }

    /// The deliveries about other resources that name `id`, each with the type it gives `id`:
    /// the search index's candidates, read one at a time (one body in memory) and confirmed
    /// by their envelope. Past [`MAX_MENTION_CANDIDATES`] a note says so.
    fn mentions(
        &self,
        id: &str,
        notes: &mut Vec<String>,
    ) -> Result<Vec<(Mention, Option<String>)>> {
        let candidates = self.mention_candidates(id, MAX_MENTION_CANDIDATES + 1)?;
        if candidates.len() > MAX_MENTION_CANDIDATES as usize {
            notes.push(format!(
                "more than {MAX_MENTION_CANDIDATES} other deliveries hold {id}; the oldest \
                 {MAX_MENTION_CANDIDATES} were read for mentions"
            ));
        }
        let mut mentions = Vec::new();
        for delivery_id in candidates.into_iter().take(MAX_MENTION_CANDIDATES as usize) {
            let body = match self.body(delivery_id) {
                Ok(body) => body,
                // Purged since the index listed it.
                Err(Error::NotFound(_)) => continue,
                // One damaged row must not hide the rest of the timeline.
                Err(error @ Error::CorruptBody { .. }) => {
                    notes.push(format!("#{delivery_id} was not read for mentions: {error}"));
                    continue;
                }
                Err(error) => return Err(error),
            };
            let Ok(event) = jsonapi::parse(&body) else {
                continue;
            };
            if let Some((via, kind)) = mentioned(&event, id) {
                let mention = Mention {
                    delivery_id,
                    event_name: event.name,
                    event_created_at: event.created_at,
                    about: event.resource.map(|r| jsonapi::ResourceRef {
                        kind: r.kind,
                        id: r.id,
                    }),
                    via,
                };
                mentions.push((mention, kind));
            }
        }
        Ok(mentions)
    }
}

/// The rows as entries, in created-at order, ranked by arrival and flagged. `lifecycle` is the
/// resource's (None: no status order or outcomes to judge by).
pub fn entries(rows: Vec<ResourceRow>, lifecycle: Option<&Lifecycle>) -> Vec<TimelineEntry> {
    let mut rows: Vec<(Option<i64>, ResourceRow)> = rows
        .into_iter()
        .map(|r| {
            (
                r.event_created_at.as_deref().and_then(clock::parse_rfc3339),
                r,
            )
        })
        .collect();
    // Created-at as an instant (text order fails across precisions and offsets); unknown last.
    rows.sort_by_key(|(created, r)| (created.is_none(), *created, r.received_at_ms, r.id));
    let created: Vec<Option<i64>> = rows.iter().map(|(c, _)| *c).collect();
    let mut entries: Vec<TimelineEntry> = rows
        .into_iter()
        .map(|(_, r)| TimelineEntry {
            delivery_id: r.id,
            event_id: r.event_id,
            event_name: r.event_name,
            event_created_at: r.event_created_at,
            received_at: clock::rfc3339(r.received_at_ms),
            received_at_ms: r.received_at_ms,
            arrival_rank: 0,
            status: r.resource_status,
            flags: Vec::new(),
        })
        .collect();
    let mut arrival: Vec<usize> = (0..entries.len()).collect();
    arrival.sort_by_key(|&i| (entries[i].received_at_ms, entries[i].delivery_id));
    for (rank, &i) in arrival.iter().enumerate() {
        entries[i].arrival_rank = rank as u32 + 1;
    }

    let mut flagged: Vec<BTreeSet<TimelineFlag>> = vec![BTreeSet::new(); entries.len()];
    let phase = |e: &TimelineEntry| lifecycle?.phase(e.status.as_deref()?);

    // In arrival order: what a handler has already seen when each one comes.
    let mut latest_created = None;
    let mut seen_events = HashSet::new();
    let mut furthest_received = None;
    for &i in &arrival {
        if created[i].is_some() && created[i] < latest_created {
            flagged[i].insert(TimelineFlag::OutOfOrder);
        }
        latest_created = latest_created.max(created[i]);
        if let Some(event_id) = &entries[i].event_id
            && !seen_events.insert(event_id.as_str())
        {
            flagged[i].insert(TimelineFlag::Duplicate);
        }
        if let Some(p) = phase(&entries[i]) {
            if furthest_received.is_some_and(|f| p < f) {
                flagged[i].insert(TimelineFlag::StatusRegression);
            }
            furthest_received = furthest_received.max(Some(p));
        }
    }

    // In created-at order: a status that goes back in Persona's own account. Events created
    // at the same instant have no order between them.
    let mut furthest_created: Option<usize> = None;
    let mut group_start = 0;
    while group_start < entries.len() && created[group_start].is_some() {
        let group_end = (group_start..entries.len())
            .find(|&j| created[j] != created[group_start])
            .unwrap_or(entries.len());
        let phases: Vec<(usize, usize)> = (group_start..group_end)
            .filter_map(|j| Some((j, phase(&entries[j])?)))
            .collect();
        for &(j, p) in &phases {
            if furthest_created.is_some_and(|f| p < f) {
                flagged[j].insert(TimelineFlag::StatusRegression);
            }
        }
        furthest_created = furthest_created.max(phases.iter().map(|&(_, p)| p).max());
        group_start = group_end;
    }

    // An outcome that lets the user through and one that stops them: every entry carrying
    // either is flagged, since which one stands is for the handler (or Persona's API) to say.
    if let Some(lifecycle) = lifecycle {
        let sided = |outcome: &str| {
            lifecycle.approving.contains(&outcome) || lifecycle.refusing.contains(&outcome)
        };
        let outcomes: Vec<Option<&str>> = entries
            .iter()
            .map(|e| {
                lifecycle
                    .outcome(e.event_name.as_deref()?)
                    .filter(|o| sided(o))
            })
            .collect();
        let present = |side: &[&str]| outcomes.iter().flatten().any(|o| side.contains(o));
        if present(lifecycle.approving) && present(lifecycle.refusing) {
            for (i, outcome) in outcomes.iter().enumerate() {
                if outcome.is_some() {
                    flagged[i].insert(TimelineFlag::ConflictingOutcome);
                }
            }
        }
    }

    for (entry, flags) in entries.iter_mut().zip(flagged) {
        entry.flags = flags.into_iter().collect();
    }
    entries
}

/// Each flag the entries carry, once, with the entries that carry it.
pub fn flag_notes(entries: &[TimelineEntry]) -> Vec<TimelineFlagNote> {
    TimelineFlag::ALL
        .into_iter()
        .filter_map(|flag| {
            let delivery_ids: Vec<i64> = entries
                .iter()
                .filter(|e| e.flags.contains(&flag))
                .map(|e| e.delivery_id)
                .collect();
            (!delivery_ids.is_empty()).then_some(TimelineFlagNote {
                flag,
                why: flag.why(),
                delivery_ids,
            })
        })
        .collect()
}

/// Where `event`, about another resource, names resource `id`, and the type it gives it; None
/// when it does not (or when it is about `id` itself).
pub fn mentioned(event: &jsonapi::Event, id: &str) -> Option<(MentionVia, Option<String>)> {
    let primary = event.resource.as_ref();
    if primary.is_some_and(|r| r.id == id) {
        return None;
    }
    let linked = |r: &jsonapi::Resource| {
        r.relationships
            .iter()
            .flat_map(|rel| &rel.targets)
            .find(|t| t.id == id)
            .map(|t| t.kind.clone())
    };
    if let Some(kind) = primary.and_then(linked) {
        return Some((MentionVia::Relationship, Some(kind)));
    }
    event.included.iter().find_map(|r| {
        if r.id == id {
            Some((MentionVia::Included, Some(r.kind.clone())))
        } else {
            linked(r).map(|kind| (MentionVia::Included, Some(kind)))
        }
    })
}

#[cfg(test)]
mod tests;
