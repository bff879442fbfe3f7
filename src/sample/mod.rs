//! Made-up Persona events: a realistic, signed delivery for any event in the catalog, for
//! `trigger`, the window's "Send a sample event…" and the endpoint check; and the key that marks
//! the app's own test events.
//!
//! All data is invented and looks it (`Sample`, `sample-user-1234`, example.com addresses). What
//! each resource family looks like follows Persona's public API reference; each family in
//! `families/` names its page, and `docs/samples.md` lists them with what had to be assumed.

mod casing;
mod families;
mod rng;
mod test_key;

use serde::Serialize;

pub use casing::Casing;
pub use families::{Family, Types};
pub use rng::fresh_seed;
pub use test_key::{TEST_EVENT_HEADER, TestEventKey, source_of};

use crate::error::{Error, Result};
use crate::jsonapi::ResourceRef;
use crate::model::Headers;
use crate::{catalog, clock, signature};

/// The secret a sample is signed with when the user has configured none, so the verdict can
/// say how to add the real one rather than pass.
pub const EXAMPLE_SECRET: &str = "wbhsec_example_not_from_persona";

/// What to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// A name from the catalog (`inquiry.approved`, `report/watchlist.matched`, …).
    pub event: String,
    /// The same seed, event and options give the same bytes; None draws one from the system's
    /// random source (two samples sent in one millisecond still get their own ids).
    pub seed: Option<u64>,
    pub casing: Casing,
    /// Send `included: []`, as a webhook created without an Included Allowlist does.
    pub empty_included: bool,
    /// The primary resource's id, to tell one resource's story over several events.
    pub resource_id: Option<String>,
    /// When the event happened: its `created-at` and the resource's timestamps.
    pub now_ms: i64,
}

impl Options {
    pub fn new(event: impl Into<String>, now_ms: i64) -> Options {
        Options {
            event: event.into(),
            seed: None,
            casing: Casing::Kebab,
            empty_included: false,
            resource_id: None,
            now_ms,
        }
    }
}

/// One made-up event, ready to sign and send.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    pub event_name: String,
    pub event_id: String,
    /// `payload.data`'s type and id.
    pub resource: ResourceRef,
    pub created_at: String,
    #[serde(skip)]
    pub body: Vec<u8>,
}

/// The bodies the store's body dictionary v2 is trained on (`store/body.rs`): every catalog
/// event's sample for seeds 0-3, and the verification events' for seeds 4-39 as well, so each
/// verification type's checks list is in ~50 of them rather than in a few (a verification's
/// checks are most of its bytes, and a capture's when an inquiry includes its verifications).
pub fn training_bodies(now_ms: i64) -> Result<Vec<Vec<u8>>> {
    let mut bodies = bodies(|_| true, 0..4, now_ms)?;
    bodies.extend(self::bodies(
        |name| name.starts_with("verification."),
        4..40,
        now_ms,
    )?);
    Ok(bodies)
}

/// Samples no body dictionary was trained on: every catalog event's for two seeds far from
/// those of [`training_bodies`].
pub fn held_out_bodies(now_ms: i64) -> Result<Vec<Vec<u8>>> {
    bodies(|_| true, 1_000..1_002, now_ms)
}

/// The body of the sample of every catalog event `fits` for each of `seeds` (kebab-case,
/// `included` filled).
fn bodies(
    fits: impl Fn(&str) -> bool,
    seeds: std::ops::Range<u64>,
    now_ms: i64,
) -> Result<Vec<Vec<u8>>> {
    let mut bodies = Vec::new();
    for entry in catalog::all().iter().filter(|entry| fits(entry.name)) {
        for seed in seeds.clone() {
            let options = Options {
                seed: Some(seed),
                ..Options::new(entry.name, now_ms)
            };
            bodies.push(generate(&options)?.body);
        }
    }
    Ok(bodies)
}

/// A sample of `options.event`, or an error naming the closest catalog names.
pub fn generate(options: &Options) -> Result<Sample> {
    let Some(entry) = catalog::lookup(&options.event) else {
        return Err(Error::Invalid(unknown_event(&options.event)));
    };
    if options
        .resource_id
        .as_ref()
        .is_some_and(|id| id.trim().is_empty())
    {
        return Err(Error::Invalid(
            "the resource id is empty; give an id such as inq_… or leave it out for a made-up one"
                .to_string(),
        ));
    }
    let seed = match options.seed {
        Some(seed) => seed,
        None => rng::fresh_seed()?,
    };
    let mut rng = rng::Rng::new(seed ^ rng::hash(entry.name));
    let created_at = clock::rfc3339(options.now_ms);
    let made = families::build(entry, options, &mut rng);
    let event_id = format!("evt_{}", rng.id());
    let envelope = serde_json::json!({
        "data": {
            "type": "event",
            "id": event_id,
            "attributes": {
                "name": entry.name,
                "created-at": created_at,
                "redacted-at": null,
                "payload": {
                    "data": made.data,
                    "included": if options.empty_included { Vec::new() } else { made.included },
                }
            }
        }
    });
    let envelope = options.casing.apply(envelope);
    let body = serde_json::to_vec_pretty(&envelope)
        .map_err(|e| Error::Invalid(format!("the sample could not be written as JSON ({e})")))?;
    Ok(Sample {
        event_name: entry.name.to_string(),
        event_id,
        resource: made.resource,
        created_at,
        body,
    })
}

/// The types `event`'s payload can have (`payload.data.type`), for `trigger --list`; empty for
/// a name not in the catalog.
pub fn resource_types(event: &str) -> Vec<&'static str> {
    catalog::lookup(event)
        .map(|entry| families::types(families::split(entry.name).0))
        .unwrap_or_default()
}

/// The family that makes `event`'s samples (its id prefix and the docs page it follows); None
/// for a name not in the catalog.
pub fn family(event: &str) -> Option<&'static Family> {
    catalog::lookup(event).map(|entry| families::family(families::split(entry.name).0))
}

/// The headers Persona sends with a first attempt, signed with `secret` at `now_ms`.
pub fn headers(body: &[u8], secret: &str, now_ms: i64) -> Headers {
    let t = now_ms.div_euclid(1000);
    [
        ("content-type", "application/json".to_string()),
        (
            "user-agent",
            "Persona Webhook Inspector (sample)".to_string(),
        ),
        ("persona-signature", signature::sign(secret, t, body)),
        ("persona-webhook-attempts-made", "1".to_string()),
        ("persona-webhook-attempts-left", "7".to_string()),
        ("persona-webhook-first-attempted-at", t.to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value.into_bytes()))
    .collect()
}

/// "no event named …; the closest are …".
pub fn unknown_event(name: &str) -> String {
    let closest = catalog::closest(name, 3);
    // Whatever was typed is shown, never a page of it.
    let name: String = match name.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    };
    if closest.is_empty() {
        format!("{name:?} is not in Persona's event catalog — `trigger --list` lists them")
    } else {
        format!(
            "{name:?} is not in Persona's event catalog; did you mean {}? (`trigger --list` lists them all)",
            closest.join(", ")
        )
    }
}

#[cfg(test)]
mod tests;
