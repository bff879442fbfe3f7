//! Realistic Persona webhook bodies, made up deterministically (a fixed-seed generator, so two
//! runs store the same data and their figures compare).

use persona_inspector::clock;
use serde_json::{Value, json};

/// splitmix64: tiny, fast, good enough for test data, and no extra dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0..n; n must be above 0.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A Persona-style id: `inq_` and 24 letters and digits. 24 random base-57 characters make
    /// a collision practically impossible, so ids drawn here are distinct.
    pub fn id(&mut self, prefix: &str) -> String {
        const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        let mut id = String::with_capacity(prefix.len() + 25);
        id.push_str(prefix);
        id.push('_');
        id.extend((0..24).map(|_| char::from(*self.pick(CHARS))));
        id
    }
}

/// The id prefix Persona uses for a resource type ("inquiry" → "inq").
pub fn id_prefix(resource: &str) -> &'static str {
    match resource.split('/').next().unwrap_or(resource) {
        "inquiry" => "inq",
        "inquiry-session" => "iqse",
        "account" => "act",
        "verification" => "ver",
        "report" => "rep",
        "case" => "case",
        "transaction" => "txn",
        "document" => "doc",
        "selfie" => "self",
        "workflow-run" => "wfr",
        _ => "obj",
    }
}

/// What one event is about; the rest of the body is filled in with plausible data.
pub struct Event<'a> {
    pub name: &'a str,
    pub event_id: &'a str,
    pub resource_id: &'a str,
    pub account_id: &'a str,
    pub created_at_ms: i64,
    /// Roughly how big the body should be, in bytes (never smaller than the bare envelope).
    pub size: usize,
}

const FIRST: &[&str] = &[
    "Alexander",
    "Maria",
    "Wei",
    "Fatima",
    "Jonas",
    "Aiko",
    "Carlos",
    "Priya",
    "Olumide",
    "Sofia",
];
const LAST: &[&str] = &[
    "Sample", "Garcia", "Chen", "Okafor", "Schmidt", "Tanaka", "Silva", "Patel", "Novak", "Rossi",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("San Francisco", "CA", "94111"),
    ("Austin", "TX", "78701"),
    ("Brooklyn", "NY", "11201"),
    ("Seattle", "WA", "98101"),
    ("Denver", "CO", "80202"),
];
const CHECKS: &[&str] = &[
    "id_aamva_database_lookup",
    "id_account_comparison",
    "id_age_comparison",
    "id_age_inconsistency_detection",
    "id_barcode_detection",
    "id_barcode_inconsistency_detection",
    "id_blur_detection",
    "id_color_inconsistency_detection",
    "id_compromised_detection",
    "id_disallowed_country_detection",
    "id_disallowed_type_detection",
    "id_double_side_detection",
    "id_electronic_replica_detection",
    "id_entity_detection",
    "id_expired_detection",
    "id_extracted_properties_detection",
    "id_fabrication_detection",
    "id_glare_detection",
    "id_handwriting_detection",
    "id_inconsistent_repeat_detection",
    "id_inquiry_comparison",
    "id_mrz_detection",
    "id_mrz_inconsistency_detection",
    "id_paper_detection",
    "id_po_box_detection",
    "id_portrait_clarity_detection",
    "id_portrait_detection",
    "id_public_figure_detection",
    "id_real_id_detection",
    "id_repeat_detection",
    "id_selfie_comparison",
    "id_tamper_detection",
    "id_valid_dates_detection",
];

/// An event envelope as Persona sends it: the resource with its attributes and relationships,
/// plus an included account and government-id verification whose `checks` list pads the body
/// to about `size` bytes. Every body contains the word "passed" (the first check passes).
pub fn event_body(rng: &mut Rng, e: &Event) -> Vec<u8> {
    let mut doc = envelope(rng, e);
    // Pad with checks up to the size asked for, measuring each rather than re-serializing.
    // (`to_vec`, not `to_string`: serde_json's Display path is several times slower.)
    let mut size = json_len(&doc);
    let mut checks = Vec::new();
    while size < e.size {
        let status = match checks.len() {
            0 => "passed",
            _ => *rng.pick(&["passed", "passed", "not_applicable", "failed"]),
        };
        let check = json!({
            "name": CHECKS[checks.len() % CHECKS.len()],
            "status": status,
            "reasons": [],
            "requirement": if rng.chance(50) { "required" } else { "not_required" },
            "metadata": {}
        });
        size += json_len(&check) + 1;
        checks.push(check);
    }
    if let Some(slot) = doc.pointer_mut("/data/attributes/payload/included/1/attributes/checks") {
        *slot = Value::Array(checks);
    }
    serde_json::to_vec(&doc).unwrap_or_default() // cannot fail, as in `json_len`
}

/// Government-id checks each verification of [`many_verifications_body`] lists: with them a
/// verification is about 2 KB, as a real one is.
const CHECKS_PER_VERIFICATION: usize = 14;

/// The envelope of [`event_body`], whose resource relates to more government-id verifications,
/// each included with its checks, until the body is about `size` bytes: a large real payload's
/// shape, thousands of resources rather than one long list (the desktop app's 5 MB figures).
pub fn many_verifications_body(rng: &mut Rng, e: &Event) -> Vec<u8> {
    let mut doc = envelope(rng, e);
    let resource_type = doc
        .pointer("/data/attributes/payload/data/type")
        .cloned()
        .unwrap_or(Value::Null);
    let mut size = json_len(&doc);
    let (mut links, mut included) = (Vec::new(), Vec::new());
    while size < e.size {
        let n = included.len() as i64;
        let at = |seconds: i64| clock::rfc3339(e.created_at_ms + (n + seconds) * 1000);
        let failed = rng.chance(3);
        let (first, last) = (*rng.pick(FIRST), *rng.pick(LAST));
        let (city, state, zip) = *rng.pick(CITIES);
        let start = rng.below(CHECKS.len());
        let checks: Vec<Value> = (0..CHECKS_PER_VERIFICATION)
            .map(|k| {
                let expired = failed && k == 0;
                json!({
                    "name": CHECKS[(start + k) % CHECKS.len()],
                    "status": if expired { "failed" } else { "passed" },
                    "reasons": if expired { json!(["expired"]) } else { json!([]) },
                    "requirement": if k < 4 { "required" } else { "not_required" }
                })
            })
            .collect();
        let id = rng.id("ver");
        let link = json!({"type": "verification/government-id", "id": id});
        let verification = json!({
            "type": "verification/government-id", "id": id,
            "attributes": {
                "status": if failed { "failed" } else { "passed" },
                "created-at": at(0), "submitted-at": at(1), "completed-at": at(2),
                "country-code": "US", "entity-confidence-score": 100, "id-class": "dl",
                "name-first": first, "name-middle": null, "name-last": last,
                "address-street-1": format!("{} Market St", 1 + rng.below(2000)),
                "address-city": city, "address-subdivision": state, "address-postal-code": zip,
                "birthdate": format!("19{:02}-{:02}-{:02}", 50 + rng.below(50), 1 + rng.below(12), 1 + rng.below(28)),
                "front-photo-url": format!("https://files.withpersona.com/{id}/front.jpg?signature={:016x}", rng.next_u64()),
                "checks": checks
            },
            "relationships": {"inquiry": {"data": {"type": resource_type, "id": e.resource_id}}}
        });
        size += json_len(&link) + json_len(&verification) + 2;
        links.push(link);
        included.push(verification);
    }
    if let Some(Value::Array(slot)) =
        doc.pointer_mut("/data/attributes/payload/data/relationships/verifications/data")
    {
        slot.extend(links);
    }
    if let Some(Value::Array(slot)) = doc.pointer_mut("/data/attributes/payload/included") {
        slot.extend(included);
    }
    serde_json::to_vec(&doc).unwrap_or_default() // cannot fail, as in `json_len`
}

/// What [`event_body`] and [`many_verifications_body`] share: the event, its resource, an
/// included account and one government-id verification with no checks yet.
fn envelope(rng: &mut Rng, e: &Event) -> Value {
    let (resource, action) = e.name.rsplit_once('.').unwrap_or((e.name, "updated"));
    let at = clock::rfc3339(e.created_at_ms);
    let (first, last) = (*rng.pick(FIRST), *rng.pick(LAST));
    let (city, state, zip) = *rng.pick(CITIES);
    let birthdate = format!(
        "19{:02}-{:02}-{:02}",
        50 + rng.below(50),
        1 + rng.below(12),
        1 + rng.below(28)
    );
    let verification_id = rng.id("ver");
    json!({
        "data": {
            "type": "event",
            "id": e.event_id,
            "attributes": {
                "name": e.name,
                "payload": {
                    "data": {
                        "type": resource,
                        "id": e.resource_id,
                        "attributes": {
                            "status": action,
                            "reference-id": format!("user-{}", rng.below(1_000_000)),
                            "note": null,
                            "tags": [],
                            "creator": "API",
                            "created-at": at, "updated-at": at, "completed-at": at,
                            "name-first": first, "name-middle": null, "name-last": last,
                            "birthdate": birthdate,
                            "address-street-1": format!("{} Market St", 1 + rng.below(2000)),
                            "address-city": city, "address-subdivision": state,
                            "address-postal-code": zip, "address-country-code": "US",
                            "phone-number": format!("+1415555{:04}", rng.below(10_000)),
                            "email-address": format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
                            "fields": {
                                "name-first": {"type": "string", "value": first},
                                "name-last": {"type": "string", "value": last},
                                "birthdate": {"type": "date", "value": birthdate},
                                "address-city": {"type": "string", "value": city},
                                "identification-class": {"type": "string", "value": "dl"},
                                "selected-country-code": {"type": "string", "value": "US"}
                            }
                        },
                        "relationships": {
                            "account": {"data": {"type": "account", "id": e.account_id}},
                            "inquiry-template": {"data": {"type": "inquiry-template", "id": "itmpl_BenchTemplate000000001"}},
                            "reviewer": {"data": null},
                            "reports": {"data": []},
                            "verifications": {"data": [{"type": "verification/government-id", "id": verification_id}]},
                            "sessions": {"data": [{"type": "inquiry-session", "id": rng.id("iqse")}]}
                        }
                    },
                    "included": [
                        {
                            "type": "account", "id": e.account_id,
                            "attributes": {"reference-id": format!("user-{}", rng.below(1_000_000)), "created-at": at, "tags": []}
                        },
                        {
                            "type": "verification/government-id", "id": verification_id,
                            "attributes": {
                                "status": "passed", "created-at": at, "submitted-at": at, "completed-at": at,
                                "country-code": "US", "id-class": "dl", "entity-confidence-score": 100,
                                "name-first": first, "name-last": last, "birthdate": birthdate,
                                "checks": []
                            }
                        }
                    ]
                },
                "created-at": at,
                "redacted-at": null
            }
        }
    })
}

fn json_len(value: &Value) -> usize {
    // Serializing a `Value` cannot fail (its keys are strings).
    serde_json::to_vec(value).map_or(0, |v| v.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use persona_inspector::jsonapi::headline;

    #[test]
    fn bodies_parse_as_persona_events_of_about_the_size_asked() {
        let mut rng = Rng::new(7);
        let body = event_body(
            &mut rng,
            &Event {
                name: "report/watchlist.ready",
                event_id: "evt_1",
                resource_id: "rep_1",
                account_id: "act_1",
                created_at_ms: 1_700_000_000_000,
                size: 5000,
            },
        );
        assert!((5000..5300).contains(&body.len()), "{} bytes", body.len());
        let indexed = headline(&body).expect("the body parses");
        assert_eq!(
            indexed.event_name.as_deref(),
            Some("report/watchlist.ready")
        );
        assert_eq!(indexed.resource_type.as_deref(), Some("report/watchlist"));
        assert_eq!(indexed.resource_id.as_deref(), Some("rep_1"));
    }

    #[test]
    fn many_verifications_bodies_spread_their_size_over_included_verifications() {
        let mut rng = Rng::new(7);
        let body = many_verifications_body(
            &mut rng,
            &Event {
                name: "inquiry.approved",
                event_id: "evt_1",
                resource_id: "inq_1",
                account_id: "act_1",
                created_at_ms: 1_700_000_000_000,
                size: 200_000,
            },
        );
        assert!(
            (200_000..204_000).contains(&body.len()),
            "{} bytes",
            body.len()
        );
        let doc: Value = serde_json::from_slice(&body).expect("the body parses");
        let payload = &doc["data"]["attributes"]["payload"];
        let included = payload["included"].as_array().expect("included");
        let linked = payload["data"]["relationships"]["verifications"]["data"]
            .as_array()
            .expect("verifications");
        assert!(included.len() > 80, "{} included", included.len());
        assert_eq!(
            linked.len() + 1,
            included.len(),
            "each verification linked, and the account"
        );
        assert_eq!(
            included[2]["relationships"]["inquiry"]["data"],
            json!({"type": "inquiry", "id": "inq_1"})
        );
        assert_eq!(
            included[2]["attributes"]["checks"].as_array().map(Vec::len),
            Some(14)
        );
    }
}
