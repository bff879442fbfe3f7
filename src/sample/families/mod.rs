//! What each family of Persona events carries in `payload.data`, and which related resources
//! come along in `included`.
//!
//! A family makes the resources of one or a few event groups of the catalog. Each names the
//! page of Persona's docs it follows (`source`); what a page does not say (an id prefix, a
//! status) is marked "assumed" in `docs/samples.md`. Persona's webhooks overview says the
//! objects in a payload "use the same schema as their API resource endpoints"
//! (https://docs.withpersona.com/webhooks), so the API reference pages are the model.

mod access;
mod account;
mod case;
mod checks;
mod compliance;
mod connect;
mod document;
mod inquiry;
mod jobs;
mod report;
mod team;
mod transaction;
mod verification;

use serde_json::{Value, json};

use super::Options;
use super::rng::{self, Rng};
use crate::catalog::CatalogEntry;
use crate::clock;
use crate::jsonapi::ResourceRef;

/// One family: the resources it makes, their JSON:API type(s), id prefix and source.
pub struct Family {
    pub name: &'static str,
    /// The event resources (an event name without its last `.action`) it makes; one ending in
    /// `/` stands for every resource under it (`report/` for all report types).
    pub resources: &'static [&'static str],
    pub types: Types,
    /// What a fresh primary id starts with, before the `_`.
    pub prefix: &'static str,
    /// The page of Persona's docs the family follows.
    pub source: &'static str,
    pub(crate) build: fn(&mut Ctx) -> Parts,
}

/// The `payload.data.type` of an event.
#[derive(Clone, Copy, Debug)]
pub enum Types {
    /// The event's resource itself (`inquiry`, `report/watchlist`, `connect/share-token`).
    Resource,
    /// One subtype, picked per resource id (`verification/government-id`, …).
    OneOf(&'static [&'static str]),
}

/// What a family builds for the primary resource; the envelope is assembled in [`build`].
pub struct Parts {
    pub attributes: Value,
    pub relationships: Value,
    pub included: Vec<Value>,
}

/// The primary resource and the resources included with it.
pub struct Made {
    pub data: Value,
    pub included: Vec<Value>,
    pub resource: ResourceRef,
}

const ALL: &[Family] = &[
    inquiry::INQUIRY,
    inquiry::INQUIRY_SESSION,
    inquiry::INQUIRY_TEMPLATE_VERSION,
    account::ACCOUNT,
    account::ACCOUNT_TYPE,
    case::CASE,
    case::CASE_COMMENT,
    case::CASE_MESSAGE,
    case::CASE_TEMPLATE,
    verification::VERIFICATION,
    report::REPORT,
    document::DOCUMENT,
    document::SELFIE,
    transaction::TRANSACTION,
    transaction::TRANSACTION_TYPE,
    jobs::WORKFLOW,
    jobs::WORKFLOW_RUN,
    jobs::GRAPH_QUERY,
    jobs::IMPORTER_PIPELINE_RUN,
    jobs::INTEGRATION_LOG,
    connect::SHARE_TOKEN,
    access::AUTHENTICATION,
    access::CHECKPOINT,
    access::SESSION,
    team::USER,
    team::USER_NOTIFICATION,
    team::AGENT_CONVERSATION,
    compliance::FILING,
    compliance::SAR,
];

/// A resource the catalog gained after these families were written: typed after its name, the
/// status the action word, so a sample can still be sent.
const NEWER: Family = Family {
    name: "newer than the sample families",
    resources: &[],
    types: Types::Resource,
    prefix: "obj",
    source: "https://docs.withpersona.com/events",
    build: newer,
};

fn newer(ctx: &mut Ctx) -> Parts {
    Parts {
        attributes: json!({ "status": ctx.action, "created-at": ctx.now() }),
        relationships: json!({}),
        included: Vec::new(),
    }
}

/// The family that makes events of `resource` (an event name without its action).
pub fn family(resource: &str) -> &'static Family {
    ALL.iter()
        .find(|f| {
            f.resources.iter().any(|r| {
                if r.ends_with('/') {
                    resource.len() > r.len() && resource.starts_with(r)
                } else {
                    *r == resource
                }
            })
        })
        .unwrap_or(&NEWER)
}

/// Splits `report/watchlist.matched` into its resource and action.
pub fn split(event: &str) -> (&str, &str) {
    event.rsplit_once('.').unwrap_or((event, ""))
}

/// The types an event's payload can have.
pub fn types(resource: &'static str) -> Vec<&'static str> {
    match family(resource).types {
        Types::Resource => vec![resource],
        Types::OneOf(types) => types.to_vec(),
    }
}

pub fn build(entry: &CatalogEntry, options: &Options, rng: &mut Rng) -> Made {
    let (resource, action) = split(entry.name);
    let family = family(resource);
    let id = options
        .resource_id
        .clone()
        .unwrap_or_else(|| format!("{}_{}", family.prefix, rng.id()));
    // Picked from the id, not the event, so one resource keeps its subtype over its story.
    let kind = match family.types {
        Types::Resource => resource,
        Types::OneOf(types) => *Rng::new(rng::hash(&id) ^ rng::hash("type")).pick(types),
    };
    let mut ctx = Ctx {
        action,
        kind,
        id,
        now_ms: options.now_ms,
        rng: Rng::new(rng.next()),
    };
    let parts = (family.build)(&mut ctx);
    let data = object(kind, &ctx.id, parts.attributes, parts.relationships);
    Made {
        data,
        included: parts.included,
        resource: ResourceRef {
            kind: kind.to_string(),
            id: ctx.id,
        },
    }
}

/// What a family knows while it builds: the event, the primary resource, the time, and
/// randomness. Everything that belongs to the resource rather than to one event (its related
/// ids, the person, its subtype) is derived from the resource id, so the same `resource_id`
/// tells one consistent story over several events.
pub struct Ctx<'a> {
    pub action: &'a str,
    pub kind: &'static str,
    pub id: String,
    now_ms: i64,
    rng: Rng,
}

impl Ctx<'_> {
    /// The event's own randomness (differs from one event to the next).
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// Randomness fixed by the resource id and `salt`.
    pub fn story(&self, salt: &str) -> Rng {
        Rng::new(rng::hash(&self.id) ^ rng::hash(salt))
    }

    /// The id of the related resource playing `role` (`account`, `template`, …): the same for
    /// every event of this resource.
    pub fn related(&self, role: &str, prefix: &str) -> String {
        format!("{prefix}_{}", self.story(role).id())
    }

    pub fn now(&self) -> String {
        clock::rfc3339(self.now_ms)
    }

    pub fn minutes_ago(&self, minutes: i64) -> String {
        clock::rfc3339(self.now_ms - minutes * 60_000)
    }

    /// The time `minutes` ago if `happened`, else null: a timestamp set only once its moment came.
    pub fn when(&self, happened: bool, minutes: i64) -> Value {
        if happened {
            Value::String(self.minutes_ago(minutes))
        } else {
            Value::Null
        }
    }

    pub fn person(&self) -> Person {
        Person::draw(&mut self.story("person"))
    }

    /// The status the action implies: the first matching row of `table`, else `default`.
    pub fn status(&self, table: &[(&str, &'static str)], default: &'static str) -> &'static str {
        table
            .iter()
            .find(|(action, _)| *action == self.action)
            .map_or(default, |(_, status)| status)
    }

    /// A link back to the primary resource (from an included resource).
    pub fn back(&self) -> Value {
        link(self.kind, &self.id)
    }
}

/// A made-up end user; every value is obviously fake (`example.com`, `555-01xx` numbers,
/// `192.0.2.x` addresses reserved for documentation).
pub struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub birthdate: String,
    pub email: String,
    pub phone: String,
    pub reference_id: String,
    pub ip: String,
}

impl Person {
    fn draw(rng: &mut Rng) -> Person {
        const FIRST: &[&str] = &["Alex", "Sam", "Jordan", "Riley", "Casey", "Morgan"];
        const LAST: &[&str] = &["Sample", "Example", "Testcase", "Placeholder", "Demo"];
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        let number = 1000 + rng.below(9000);
        Person {
            first,
            last,
            birthdate: format!(
                "19{:02}-0{}-1{}",
                70 + rng.below(30),
                1 + rng.below(9),
                rng.below(10)
            ),
            email: format!(
                "{}.{}{number}@example.com",
                first.to_lowercase(),
                last.to_lowercase()
            ),
            phone: format!("+1202555010{}", rng.below(10)),
            reference_id: format!("sample-user-{number}"),
            ip: format!("192.0.2.{}", 1 + rng.below(254)),
        }
    }

    /// Persona's `fields` block: each field with its type and value.
    pub fn fields(&self) -> Value {
        json!({
            "name-first": { "type": "string", "value": self.first },
            "name-last": { "type": "string", "value": self.last },
            "birthdate": { "type": "date", "value": self.birthdate },
            "email-address": { "type": "string", "value": self.email },
            "phone-number": { "type": "string", "value": self.phone },
            "address-street-1": { "type": "string", "value": "123 Example Street" },
            "address-city": { "type": "string", "value": "Sampletown" },
            "address-postal-code": { "type": "string", "value": "00000" },
            "address-country-code": { "type": "string", "value": "US" },
        })
    }
}

/// A JSON:API resource object.
pub fn object(kind: &str, id: &str, attributes: Value, relationships: Value) -> Value {
    json!({ "type": kind, "id": id, "attributes": attributes, "relationships": relationships })
}

/// A to-one relationship.
pub fn link(kind: &str, id: &str) -> Value {
    json!({ "data": { "type": kind, "id": id } })
}

/// A to-many relationship.
pub fn links<'a>(targets: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    let data: Vec<Value> = targets
        .into_iter()
        .map(|(kind, id)| json!({ "type": kind, "id": id }))
        .collect();
    json!({ "data": data })
}

/// An empty to-one relationship.
pub fn none() -> Value {
    json!({ "data": null })
}

/// A redacted resource: the personal attributes nulled and `redacted-at` set, as Persona's
/// `*.redacted` events report it.
pub fn redact(ctx: &Ctx, attributes: &mut Value, personal: &[&str]) {
    if let Some(map) = attributes.as_object_mut() {
        for key in personal {
            if let Some(value) = map.get_mut(*key) {
                *value = Value::Null;
            }
        }
        map.insert("redacted-at".into(), Value::String(ctx.now()));
    }
}
