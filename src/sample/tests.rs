use serde_json::Value;

use super::*;
use crate::model::{Secret, Status};

const NOW: i64 = 1_720_713_905_123;

fn options(event: &str, casing: Casing, seed: u64) -> Options {
    Options {
        seed: Some(seed),
        casing,
        ..Options::new(event, NOW)
    }
}

fn make(options: &Options) -> (Sample, Value) {
    let sample = generate(options).unwrap_or_else(|e| panic!("{}: {e}", options.event));
    let json = serde_json::from_slice(&sample.body).expect("the body is JSON");
    (sample, json)
}

fn payload(json: &Value) -> &Value {
    &json["data"]["attributes"]["payload"]
}

fn attribute<'a>(json: &'a Value, kebab: &str) -> Option<&'a Value> {
    crate::jsonapi::attribute(&payload(json)["data"]["attributes"], kebab)
}

fn status(json: &Value) -> Option<&str> {
    attribute(json, "status").and_then(Value::as_str)
}

/// The type a payload must have, from the event's catalog group (the docs' Events page groups
/// events by the resource they are about).
fn type_fits_group(group: &str, resource: &str, kind: &str) -> bool {
    match group {
        // Each report type has its own events: `report/watchlist.*` carries a `report/watchlist`.
        "Report" => kind == resource && kind.starts_with("report/"),
        "Verification" => kind.starts_with("verification/"),
        "Document" => kind.starts_with("document/"),
        "Selfie" => kind.starts_with("selfie/"),
        "Connect / Share Token" => kind == "connect/share-token",
        _ => kind == resource,
    }
}

/// Every object key, at any depth.
fn keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                out.push(key.clone());
                keys(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn every_catalog_event_in_every_casing_parses_as_itself_with_at_most_the_allowlist_note() {
    let events = catalog::all();
    assert!(events.len() >= 240, "{} events", events.len());
    for entry in events {
        for casing in Casing::ALL {
            for empty_included in [false, true] {
                let options = Options {
                    empty_included,
                    ..options(entry.name, casing, 7)
                };
                let (sample, json) = make(&options);
                let what = format!("{} {casing:?} empty_included={empty_included}", entry.name);
                let event = crate::jsonapi::parse(&sample.body).expect("parses");
                assert_eq!(event.name.as_deref(), Some(entry.name), "{what}");
                assert_eq!(
                    event.id.as_deref(),
                    Some(sample.event_id.as_str()),
                    "{what}"
                );
                assert_eq!(
                    event.created_at.as_deref(),
                    Some(sample.created_at.as_str()),
                    "{what}"
                );
                assert!(
                    event.notes.len() <= 1
                        && event.notes.iter().all(|n| n.contains("Included Allowlist")),
                    "{what}: {:?}",
                    event.notes
                );
                let resource = event.resource.expect("a resource");
                assert_eq!(resource.kind, sample.resource.kind, "{what}");
                assert_eq!(resource.id, sample.resource.id, "{what}");
                if empty_included {
                    assert_eq!(payload(&json)["included"], serde_json::json!([]), "{what}");
                }

                let mut all = Vec::new();
                keys(&json, &mut all);
                let misfit = all.iter().find(|k| match casing {
                    Casing::Kebab => k.contains('_') || k.chars().any(char::is_uppercase),
                    Casing::Snake => k.contains('-') || k.chars().any(char::is_uppercase),
                    Casing::Camel => k.contains('-') || k.contains('_'),
                });
                assert_eq!(misfit, None, "{what}: a key not in {casing:?} case");
            }
        }
    }
}

#[test]
fn the_payload_type_fits_the_events_catalog_group_and_its_listed_types() {
    for entry in catalog::all() {
        let (sample, _) = make(&options(entry.name, Casing::Kebab, 3));
        let (resource, _) = families::split(entry.name);
        let kind = sample.resource.kind.as_str();
        assert!(
            type_fits_group(entry.group, resource, kind),
            "{} ({}) sent a {kind}",
            entry.name,
            entry.group
        );
        assert!(
            resource_types(entry.name).contains(&kind),
            "{}: {kind} is not in {:?}",
            entry.name,
            resource_types(entry.name)
        );
        let family = family(entry.name).expect("a catalog event has a family");
        assert!(
            !family.resources.is_empty(),
            "{} has no family of its own",
            entry.name
        );
    }
}

#[test]
fn resource_types_name_the_subtypes_a_verification_can_have_and_nothing_for_unknown_names() {
    let verification = resource_types("verification.passed");
    assert!(verification.len() > 1, "{verification:?}");
    assert!(verification.contains(&"verification/government-id"));
    assert_eq!(
        resource_types("report/watchlist.matched"),
        ["report/watchlist"]
    );
    assert_eq!(resource_types("inquiry.approved"), ["inquiry"]);
    assert!(resource_types("widget.exploded").is_empty());
    assert!(family("widget.exploded").is_none());
}

#[test]
fn ids_carry_their_familys_prefix_and_every_linkage_looks_like_a_persona_id() {
    let looks_like_id = |id: &str| {
        id.split_once('_').is_some_and(|(prefix, rest)| {
            !prefix.is_empty()
                && prefix.chars().all(|c| c.is_ascii_lowercase())
                && rest.len() >= 20
                && rest.chars().all(|c| c.is_ascii_alphanumeric())
        })
    };
    for entry in catalog::all() {
        let (sample, _) = make(&options(entry.name, Casing::Kebab, 11));
        let prefix = family(entry.name).expect("family").prefix;
        assert!(
            sample.resource.id.starts_with(&format!("{prefix}_")),
            "{}: {}",
            entry.name,
            sample.resource.id
        );
        assert!(sample.event_id.starts_with("evt_"), "{}", sample.event_id);
        let event = crate::jsonapi::parse(&sample.body).expect("parses");
        let resources = event.resource.iter().chain(&event.included);
        for target in resources.flat_map(|r| r.relationships.iter().flat_map(|rel| &rel.targets)) {
            assert!(looks_like_id(&target.id), "{}: {}", entry.name, target.id);
        }
    }
}

#[test]
fn the_status_fits_the_event() {
    let cases = [
        ("inquiry.created", "created"),
        ("inquiry.started", "pending"),
        ("inquiry.marked-for-review", "needs_review"),
        ("inquiry.approved", "approved"),
        ("verification.created", "initiated"),
        ("verification.passed", "passed"),
        ("verification.requires-retry", "requires_retry"),
        ("report/middesk.submitted", "pending"),
        ("report/watchlist.matched", "ready"),
        ("report/phone-number.errored", "errored"),
        ("case.created", "open"),
        ("case.resolved", "resolved"),
        ("document.created", "initiated"),
        ("graph-query.submitted", "submitted"),
        ("connect/share-token.outbound-created", "created"),
        ("transaction.created", "created"),
    ];
    for (event, expected) in cases {
        let (_, json) = make(&options(event, Casing::Kebab, 5));
        assert_eq!(status(&json), Some(expected), "{event}");
    }
    // An action that is itself a status word leaves the resource in that status.
    const STATUS_WORDS: &[&str] = &[
        "approved",
        "declined",
        "failed",
        "expired",
        "completed",
        "passed",
        "ready",
        "errored",
        "processed",
        "filed",
        "delivered",
        "canceled",
        "cancelled",
        "resolved",
        "paused",
        "published",
    ];
    for entry in catalog::all() {
        let (_, action) = families::split(entry.name);
        if STATUS_WORDS.contains(&action) {
            let (_, json) = make(&options(entry.name, Casing::Snake, 5));
            assert_eq!(status(&json), Some(action), "{}", entry.name);
        }
    }
}

#[test]
fn a_matched_report_has_a_match_and_a_ready_one_or_a_dismissed_one_has_none() {
    let mut matched = 0;
    for entry in catalog::all() {
        let (_, action) = families::split(entry.name);
        let expected = match action {
            "matched" => true,
            "dismissed" | "ready"
                if catalog::lookup(&entry.name.replace(action, "matched")).is_some() =>
            {
                false
            }
            _ => continue,
        };
        let (_, json) = make(&options(entry.name, Casing::Camel, 9));
        assert_eq!(
            attribute(&json, "has-match"),
            Some(&Value::Bool(expected)),
            "{}",
            entry.name
        );
        matched += usize::from(expected);
    }
    assert!(matched >= 10, "{matched} matched events");
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_ids() {
    for event in [
        "inquiry.completed",
        "report/watchlist.matched",
        "verification.passed",
        "case.resolved",
    ] {
        let first = make(&options(event, Casing::Kebab, 42)).0;
        let again = make(&options(event, Casing::Kebab, 42)).0;
        assert_eq!(first.body, again.body, "{event}");
        let other = make(&options(event, Casing::Kebab, 43)).0;
        assert_ne!(first.event_id, other.event_id, "{event}");
        assert_ne!(first.resource.id, other.resource.id, "{event}");
    }
    // Without a seed, the clock picks one: two moments, two different events.
    let a = generate(&Options::new("inquiry.created", NOW)).expect("sample");
    let b = generate(&Options::new("inquiry.created", NOW + 1)).expect("sample");
    assert_ne!(a.event_id, b.event_id);
}

#[test]
fn a_chosen_resource_id_tells_one_story_over_several_events() {
    let id = "inq_SampleStory0000000000001";
    let story: Vec<(Sample, Value)> = ["inquiry.created", "inquiry.completed", "inquiry.approved"]
        .iter()
        .enumerate()
        .map(|(i, event)| {
            make(&Options {
                resource_id: Some(id.to_string()),
                ..options(event, Casing::Kebab, i as u64)
            })
        })
        .collect();
    let statuses: Vec<_> = story.iter().map(|(_, json)| status(json)).collect();
    assert_eq!(
        statuses,
        [Some("created"), Some("completed"), Some("approved")]
    );
    for (sample, json) in &story {
        assert_eq!(sample.resource.id, id);
        assert_eq!(payload(json)["data"]["id"], id);
    }
    let same = |pointer: &str| {
        let values: Vec<_> = story
            .iter()
            .map(|(_, json)| payload(json)["data"].pointer(pointer))
            .collect();
        assert!(values[0].is_some(), "{pointer}");
        assert!(
            values.iter().all(|v| *v == values[0]),
            "{pointer}: {values:?}"
        );
    };
    same("/relationships/account/data/id");
    same("/attributes/name-first");
    same("/attributes/reference-id");

    // A verification keeps its subtype from one event to the next.
    let kinds: Vec<String> = [
        "verification.created",
        "verification.submitted",
        "verification.passed",
    ]
    .iter()
    .enumerate()
    .map(|(i, event)| {
        let options = Options {
            resource_id: Some("ver_SampleStory0000000000001".into()),
            ..options(event, Casing::Kebab, 100 + i as u64)
        };
        make(&options).0.resource.kind
    })
    .collect();
    assert!(kinds.iter().all(|k| *k == kinds[0]), "{kinds:?}");

    let empty = Options {
        resource_id: Some("  ".into()),
        ..options("inquiry.created", Casing::Kebab, 1)
    };
    let error = generate(&empty)
        .expect_err("an empty id is refused")
        .to_string();
    assert!(error.contains("resource id"), "{error}");
}

#[test]
fn verification_subtypes_vary_with_the_resource() {
    let kinds: std::collections::BTreeSet<String> = (0..30)
        .map(|seed| {
            make(&options("verification.passed", Casing::Kebab, seed))
                .0
                .resource
                .kind
        })
        .collect();
    assert!(kinds.len() > 2, "{kinds:?}");
}

#[test]
fn inquiry_completed_includes_its_account_and_leaves_the_template_out() {
    let (sample, _) = make(&options("inquiry.completed", Casing::Kebab, 1));
    let event = crate::jsonapi::parse(&sample.body).expect("parses");
    assert_eq!(event.notes.len(), 1, "{:?}", event.notes);
    assert!(
        event.notes[0].contains("Included Allowlist"),
        "{:?}",
        event.notes
    );
    let resource = event.resource.expect("resource");
    assert_eq!(resource.kind, "inquiry");
    assert_eq!(resource.status.as_deref(), Some("completed"));
    let relationship = |name: &str| {
        resource
            .relationships
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no {name} relationship"))
    };
    assert!(relationship("account").targets[0].included);
    assert!(
        !relationship("inquiry-template").targets[0].included,
        "shows what 'not included' looks like"
    );
    assert!(event.included.iter().any(|r| r.kind == "account"));
    assert!(event.included.iter().all(|r| r.kind != "inquiry-template"));
}

#[test]
fn the_headers_verify_with_the_projects_verifier_and_not_with_another_secret() {
    let secret = Secret {
        label: "sample".into(),
        value: "wbhsec_sample_secret_for_tests".into(),
    };
    let other = Secret {
        label: "other".into(),
        value: "wbhsec_some_other_secret".into(),
    };
    for (entry, casing) in catalog::all()
        .iter()
        .flat_map(|entry| Casing::ALL.map(|casing| (entry, casing)))
    {
        let (sample, _) = make(&options(entry.name, casing, 2));
        let headers = headers(&sample.body, &secret.value, NOW);
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("no {name} header"))
        };
        let signature = header("persona-signature");
        let verdict = signature::verify(
            Some(&signature),
            &sample.body,
            std::slice::from_ref(&secret),
            NOW / 1000,
            300,
        );
        assert_eq!(
            verdict.status,
            Status::Valid,
            "{} ({casing:?}): {}",
            entry.name,
            verdict.explanation
        );
        assert!(!verdict.stale, "{}", entry.name);
        let verdict = signature::verify(
            Some(&signature),
            &sample.body,
            std::slice::from_ref(&other),
            NOW / 1000,
            300,
        );
        assert_eq!(verdict.status, Status::Invalid, "{}", entry.name);
        assert_eq!(header("persona-webhook-attempts-made"), b"1");
    }
}

#[test]
fn an_unknown_event_is_refused_with_the_closest_names() {
    let error = generate(&Options::new("inquiry.aproved", NOW))
        .expect_err("not in the catalog")
        .to_string();
    assert!(error.contains("inquiry.approved"), "{error}");
}

#[test]
fn an_event_newer_than_the_families_still_gets_a_sample_typed_after_its_name() {
    let entry = catalog::CatalogEntry {
        name: "widget.exploded",
        group: "Widget",
        description: "",
    };
    let made = families::build(
        &entry,
        &Options::new(entry.name, NOW),
        &mut rng::Rng::new(1),
    );
    assert_eq!(made.resource.kind, "widget");
    assert!(made.resource.id.starts_with("obj_"), "{}", made.resource.id);
    assert_eq!(made.data["attributes"]["status"], "exploded");
}

/// The included or primary verification's checks of `event`'s sample for `seed`, with its type.
fn verification_checks(event: &str, seed: u64) -> (String, Vec<Value>) {
    let (sample, json) = make(&options(event, Casing::Kebab, seed));
    let checks = attribute(&json, "checks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| panic!("{event} {seed}: no checks list"));
    (sample.resource.kind, checks)
}

#[test]
fn verifications_list_every_check_their_template_runs_in_personas_shape() {
    let mut kinds = std::collections::BTreeMap::new();
    let mut lists = std::collections::BTreeSet::new();
    for seed in 0..60 {
        for (event, passed) in [
            ("verification.passed", true),
            ("verification.failed", false),
        ] {
            let (kind, checks) = verification_checks(event, seed);
            let what = format!("{event} {seed} {kind}");
            let prefix = match kind.as_str() {
                "verification/government-id" => "id_",
                "verification/selfie" => "selfie_",
                "verification/database" => "database_",
                "verification/document" => "document_",
                "verification/phone-number" => "phone_number_",
                "verification/email-address" => "email_address_",
                other => panic!("{other}"),
            };
            let mut failed_required = 0;
            for check in &checks {
                let object = check.as_object().expect("a check is an object");
                let keys: Vec<&str> = object.keys().map(String::as_str).collect();
                assert_eq!(
                    keys,
                    ["name", "status", "reasons", "requirement", "metadata"],
                    "{what}"
                );
                let name = check["name"].as_str().expect("a name");
                assert!(name.starts_with(prefix), "{what}: {name}");
                let status = check["status"].as_str().expect("a status");
                let requirement = check["requirement"].as_str().expect("a requirement");
                assert!(
                    ["required", "not_required"].contains(&requirement),
                    "{what}"
                );
                let reasons = check["reasons"].as_array().expect("reasons");
                match status {
                    "passed" => assert!(reasons.is_empty(), "{what}: {check}"),
                    "failed" | "not_applicable" => assert!(!reasons.is_empty(), "{what}: {check}"),
                    other => panic!("{what}: status {other}"),
                }
                assert!(check["metadata"].is_object(), "{what}");
                failed_required += usize::from(status == "failed" && requirement == "required");
            }
            // A required check failing is what fails a verification.
            match passed {
                true => assert_eq!(failed_required, 0, "{what}"),
                false => assert_eq!(failed_required, 1, "{what}"),
            }
            let names: Vec<&str> = checks.iter().filter_map(|c| c["name"].as_str()).collect();
            let distinct: std::collections::BTreeSet<&&str> = names.iter().collect();
            assert_eq!(distinct.len(), names.len(), "{what}: a check listed twice");
            *kinds.entry(kind.clone()).or_insert(0) += 1;
            if kind == "verification/government-id" {
                assert_eq!(checks.len(), 35, "{what}");
                for documented in [
                    "id_age_comparison",
                    "id_barcode_detection",
                    "id_color_inconsistency_detection",
                    "id_double_side_detection",
                    "id_fabrication_detection",
                    "id_tamper_detection",
                    "id_unprocessable_submission_detection",
                ] {
                    assert!(names.contains(&documented), "{what}: no {documented}");
                }
                lists.insert(checks.iter().map(|c| c.to_string()).collect::<String>());
            }
        }
    }
    assert_eq!(
        kinds.len(),
        6,
        "every verification type was made: {kinds:?}"
    );
    assert!(
        lists.len() > 10,
        "the checks vary with the seed: {}",
        lists.len()
    );

    // Before its checks ran, a verification lists none.
    for seed in 0..5 {
        assert_eq!(
            verification_checks("verification.created", seed).1,
            Vec::<Value>::new()
        );
    }
}
