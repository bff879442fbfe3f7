use super::*;
use serde_json::json;

const REUSABLE_PERSONA: &str =
    include_str!("../../tests/fixtures/inquiry-reusable-persona-created.json");
const DOCS_EXAMPLE_INVALID: &str = include_str!("../../tests/fixtures/docs-example-invalid.json");
const DOCS_EXAMPLE: &str = include_str!("../../tests/fixtures/docs-example.json");

fn parsed(body: &str) -> Event {
    parse(body.as_bytes()).unwrap_or_else(|e| panic!("expected a parse, got {e}"))
}

fn relationship<'a>(r: &'a Resource, name: &str) -> &'a Relationship {
    r.relationships
        .iter()
        .find(|rel| rel.name == name)
        .unwrap_or_else(|| panic!("no relationship {name:?} on {} {}", r.kind, r.id))
}

#[test]
fn the_reusable_persona_docs_payload_parses_with_relationships_resolved() {
    let event = parsed(REUSABLE_PERSONA);
    assert_eq!(
        event.id.as_deref(),
        Some("evt_kLmNoPqRsTuVwXyZaBcDeFgH"),
        "event id"
    );
    assert_eq!(
        event.name.as_deref(),
        Some("inquiry.reusable-persona-created"),
        "event name"
    );
    assert_eq!(
        event.created_at.as_deref(),
        Some("2024-03-15T18:35:01.100Z"),
        "created-at"
    );
    assert!(
        event.known_event,
        "inquiry.reusable-persona-created is in the catalog"
    );
    assert!(
        event
            .description
            .is_some_and(|d| d.contains("reusable persona")),
        "description"
    );

    let inquiry = event.resource.as_ref().expect("payload.data is a resource");
    assert_eq!(
        (inquiry.kind.as_str(), inquiry.id.as_str()),
        ("inquiry", "inq_kT4xVnR2bPmYwL9sTgD3cExZ")
    );
    assert_eq!(
        inquiry.status.as_deref(),
        Some("approved"),
        "inquiry status"
    );
    assert_eq!(event.included.len(), 3, "included resources");

    let template = &relationship(inquiry, "inquiry-template").targets;
    assert_eq!(
        template.len(),
        1,
        "inquiry-template is to-one with one target"
    );
    assert_eq!(
        template[0].included_index,
        Some(0),
        "inquiry-template resolves to included[0]"
    );
    assert!(template[0].included, "inquiry-template is included");

    let sessions = relationship(inquiry, "sessions");
    assert!(sessions.to_many, "sessions is to-many");
    assert_eq!(
        sessions.targets[0].included_index,
        Some(2),
        "session resolves to included[2]"
    );

    let account = &relationship(inquiry, "account").targets[0];
    assert_eq!(account.id, "act_fJ8mQpDLrYvNcBzWk5HsAxRy", "account id");
    assert!(
        !account.included && account.included_index.is_none(),
        "the account is not included"
    );
    let verification = &relationship(inquiry, "verifications").targets[0];
    assert!(
        !verification.included,
        "the government-id verification is not included"
    );

    let template_rel = relationship(inquiry, "template");
    assert!(
        !template_rel.to_many && template_rel.targets.is_empty(),
        "`template: {{}}` has no targets"
    );
    assert!(
        relationship(inquiry, "documents").to_many,
        "`data: []` is to-many"
    );

    let missing = event
        .notes
        .iter()
        .find(|n| n.contains("not in included"))
        .expect("a not-included note");
    assert!(
        missing.contains("act_fJ8mQpDLrYvNcBzWk5HsAxRy"),
        "note lists the account: {missing}"
    );
    assert!(
        missing.contains("ver_X3kHmRqV9YpZ2nBwL5tGdJcE"),
        "note lists the verification: {missing}"
    );
    assert_eq!(
        event.notes.len(),
        1,
        "only the not-included note: {:?}",
        event.notes
    );

    let version = &event.included[1];
    assert_eq!(
        version.status.as_deref(),
        Some("published"),
        "included[1] status"
    );
    let back = &relationship(version, "inquiry-template").targets[0];
    assert_eq!(
        back.included_index,
        Some(0),
        "included resources resolve against included too"
    );
    let session = &event.included[2];
    let to_primary = &relationship(session, "inquiry").targets[0];
    assert!(!to_primary.included, "the primary is not in included");
    assert!(
        to_primary.primary,
        "but it is payload.data, so it is not missing"
    );
    let account = &relationship(inquiry, "account").targets[0];
    assert!(!account.primary && !account.included);
    assert_eq!(
        account.api.as_ref().map(|a| a.path.as_str()),
        Some("/api/v1/accounts/act_fJ8mQpDLrYvNcBzWk5HsAxRy"),
        "a missing account is fetched at the documented path"
    );
}

#[test]
fn the_invalid_docs_example_reports_the_first_error_position() {
    let err =
        parse(DOCS_EXAMPLE_INVALID.as_bytes()).expect_err("the docs example is not valid JSON");
    // Line 9 is `"type": "inquiry"` with no comma; the parser stops at line 10's `"id"`.
    assert_eq!((err.line, err.column), (10, 11), "error position: {err}");
    assert_eq!(err.message, "expected `,` or `}`", "message");
}

#[test]
fn the_hand_fixed_docs_example_parses_with_verifications_resolved() {
    let event = parsed(DOCS_EXAMPLE);
    assert_eq!(
        event.id.as_deref(),
        Some("evt_XGuYWp7WuDzNxie5z16s7sGJ"),
        "event id"
    );
    assert_eq!(
        event.name.as_deref(),
        Some("inquiry.approved"),
        "event name"
    );
    assert_eq!(
        event.created_at.as_deref(),
        Some("2019-09-09T22:46:27.598Z"),
        "created-at"
    );
    assert!(event.known_event, "inquiry.approved is known");
    assert!(
        event.notes.is_empty(),
        "a conforming event has no notes: {:?}",
        event.notes
    );

    let inquiry = event.resource.as_ref().expect("payload.data");
    assert_eq!(inquiry.status.as_deref(), Some("approved"), "status");
    assert_eq!(
        relationship(inquiry, "template").targets[0].included_index,
        Some(0),
        "template"
    );
    let verifications = relationship(inquiry, "verifications");
    let resolved: Vec<_> = verifications
        .targets
        .iter()
        .map(|t| (t.kind.as_str(), t.included_index))
        .collect();
    assert_eq!(
        resolved,
        [
            ("verification/driver-license", Some(1)),
            ("verification/selfie", Some(2))
        ],
        "verification targets"
    );
    assert_eq!(
        event.included[1].status.as_deref(),
        Some("passed"),
        "driver-license status"
    );
    let reports = relationship(inquiry, "reports");
    assert!(
        reports.to_many && reports.targets.is_empty(),
        "reports is an empty to-many"
    );
}

fn small_event(created_at: &str, reference_id: &str) -> Value {
    json!({"data": {"type": "event", "id": "evt_1", "attributes": {
        "name": "inquiry.completed",
        created_at: "2024-01-02T03:04:05.000Z",
        "payload": {"data": {"type": "inquiry", "id": "inq_1",
            "attributes": {"status": "completed", reference_id: "ref-9"}}, "included": []}
    }}})
}

#[test]
fn camel_case_and_snake_case_keys_read_like_kebab_case() {
    for (created_at, reference_id) in [
        ("created-at", "reference-id"),
        ("createdAt", "referenceId"),
        ("created_at", "reference_id"),
    ] {
        let event = event_from_value(&small_event(created_at, reference_id));
        assert_eq!(
            event.created_at.as_deref(),
            Some("2024-01-02T03:04:05.000Z"),
            "created_at via {created_at}"
        );
        let inquiry = event.resource.expect("payload.data");
        assert_eq!(
            inquiry.status.as_deref(),
            Some("completed"),
            "status with {created_at}"
        );
        assert_eq!(
            attribute(&inquiry.attributes, "reference-id"),
            Some(&json!("ref-9")),
            "{reference_id}"
        );
        assert!(
            event.notes.is_empty(),
            "no notes with {created_at}: {:?}",
            event.notes
        );
    }
}

#[test]
fn json_that_is_not_an_envelope_still_yields_an_event_with_notes() {
    for body in [r#"{"hello":1}"#, "[]", "42", r#""x""#, "null", "{}"] {
        let event = parsed(body);
        let empty = event.id.is_none() && event.name.is_none() && event.created_at.is_none();
        assert!(
            empty && event.resource.is_none() && event.included.is_empty(),
            "{body}: {event:?}"
        );
        assert!(
            !event.notes.is_empty(),
            "{body} should explain itself in notes"
        );
    }
    assert_eq!(
        parsed("[]").notes,
        ["the body is an array, not a JSON:API document object"]
    );
}

#[test]
fn wrongly_typed_fields_do_not_panic_and_are_noted() {
    let event = parsed(r#"{"data":{"id":5,"attributes":"x"}}"#);
    assert_eq!(
        event.id.as_deref(),
        Some("5"),
        "numeric ids are stringified"
    );
    assert!(
        event
            .notes
            .iter()
            .any(|n| n.contains("data.id is a number")),
        "{:?}",
        event.notes
    );
    assert!(
        event
            .notes
            .iter()
            .any(|n| n == "data.attributes is a string, not an object"),
        "{:?}",
        event.notes
    );

    let odd = json!({"data": {"type": {}, "id": [1], "attributes": {"name": 7, "createdAt": false,
        "payload": {"data": {"type": 1, "id": 2.5, "attributes": [], "relationships": {
            "a": 5, "b": {"data": 7}, "c": {"data": [1, {"type": "x"}, {"type": "x", "id": "1"}]}}},
        "included": [3, {"type": "x", "id": "1", "relationships": []}, {"type": "x", "id": "1"}]}}}});
    let event = event_from_value(&odd);
    assert_eq!(event.id, None, "an array id is ignored");
    assert_eq!(
        event.name.as_deref(),
        Some("7"),
        "a numeric name is stringified"
    );
    assert!(!event.known_event, "\"7\" is not a known event");
    let primary = event
        .resource
        .as_ref()
        .expect("payload.data is still an object");
    assert_eq!(
        (primary.kind.as_str(), primary.id.as_str()),
        ("1", "2.5"),
        "numbers stringified"
    );
    let c = relationship(primary, "c");
    assert_eq!(c.targets.len(), 1, "only the well-formed linkage survives");
    assert_eq!(
        c.targets[0].included_index,
        Some(1),
        "resolves to the first duplicate"
    );
    assert_eq!(
        event.included.len(),
        3,
        "included keeps one entry per element"
    );
    assert_eq!(
        event.included[0],
        placeholder(),
        "a non-object included entry is a placeholder"
    );
    assert!(
        event
            .notes
            .iter()
            .any(|n| n == "included has 2 entries with the same (type, id): x 1"),
        "{:?}",
        event.notes
    );
}

#[test]
fn unexpected_envelope_values_are_noted() {
    let event = event_from_value(&json!({"data": {"type": "inquiry", "id": "inq_1",
        "attributes": {"name": "foo.bar", "created-at": "t"}}}));
    let expected = [
        "data.type is \"inquiry\", not \"event\"",
        "event name \"foo.bar\" is not in the inspector's catalog of Persona's events \
         (taken 2026-11-22); Persona keeps adding events, so it may be newer than the catalog",
        "no data.attributes.payload",
    ];
    assert_eq!(event.notes, expected, "notes");
    assert_eq!(
        event.name.as_deref(),
        Some("foo.bar"),
        "the unknown name is still reported"
    );
}

#[test]
fn nesting_beyond_serde_jsons_limit_is_a_parse_error_not_a_stack_overflow() {
    const DEPTH: usize = 300_000;
    let arrays = "[".repeat(DEPTH);
    let objects = r#"{"a":"#.repeat(DEPTH);
    let bodies = [
        format!("{arrays}{}", "]".repeat(DEPTH)),
        arrays,
        format!("{objects}1{}", "}".repeat(DEPTH)),
        objects,
    ];
    for body in &bodies {
        let err = parse(body.as_bytes()).expect_err("deep nesting must not parse");
        assert!(
            err.message.contains("deeper than 128 levels"),
            "message: {}",
            err.message
        );
        assert!(
            err.message.contains("stored without being parsed"),
            "message: {}",
            err.message
        );
    }
}

#[test]
fn invalid_utf8_is_a_parse_error() {
    for body in [
        &b"{\"data\":\"\xff\xfe\"}"[..],
        b"\xff",
        b"{\"\xc3\x28\":1}",
    ] {
        let err = parse(body).expect_err("invalid UTF-8 must not parse");
        assert_eq!(err.line, 1, "error line for {body:?}: {err}");
    }
}

#[test]
fn an_empty_body_is_a_parse_error_at_line_1_column_0() {
    let err = parse(b"").expect_err("empty body");
    assert_eq!(
        err,
        ParseError {
            message: "empty body".to_string(),
            line: 1,
            column: 0
        },
        "empty body"
    );
}

#[test]
fn many_missing_targets_make_one_short_note() {
    let targets: Vec<Value> = (0..8)
        .map(|i| json!({"type": "report", "id": format!("rep_{i}")}))
        .collect();
    let event = event_from_value(
        &json!({"data": {"type": "event", "id": "evt_1", "attributes": {
        "name": "inquiry.completed", "created-at": "t",
        "payload": {"data": {"type": "inquiry", "id": "inq_1", "relationships": {"reports": {"data": targets}}}}}}}),
    );
    assert_eq!(event.notes.len(), 1, "{:?}", event.notes);
    assert!(
        event.notes[0].ends_with("\"reports\" → report rep_4 and 3 more"),
        "{}",
        event.notes[0]
    );
}

#[test]
fn the_fast_headline_agrees_with_the_full_parse_on_every_shape() {
    let deep = "[".repeat(300_000);
    let bodies: Vec<String> = vec![
        REUSABLE_PERSONA.to_string(),
        DOCS_EXAMPLE.to_string(),
        DOCS_EXAMPLE_INVALID.to_string(),
        deep,
        String::new(),
        "{}".into(),
        "[]".into(),
        "42".into(),
        r#"{"data": null}"#.into(),
        r#"{"data": {"id": 5, "attributes": "x"}}"#.into(),
        r#"{"data": {"id": "evt_1", "attributes": {"name": "a.b", "createdAt": "t1",
            "payload": {"data": {"type": "inquiry", "id": "inq_1",
            "attributes": {"status": null}}}}}}"#
            .into(),
        r#"{"data": {"id": "evt_2", "attributes": {"name": "a.b", "created_at": "t2",
            "payload": {"data": {"id": "inq_no_type", "attributes": {"status": "x"}}}}}}"#
            .into(),
        r#"{"data": {"id": "evt_3", "id": "evt_dup", "attributes": {"payload": []}}}"#.into(),
        r#"{"data": {"id": "evt_4", "attributes": {"name": 7, "payload": {"data":
            {"type": "inquiry", "id": "inq_4", "attributes": {"status": 3}}}}}}"#
            .into(),
        // Shapes the typed read refuses, read by the pruned one.
        r#""just a string""#.into(),
        r#"{"data": [1, 2], "data": {"id": "evt_last"}}"#.into(),
        r#"{"data": {"id": "evt_5", "id": 5}}"#.into(),
        r#"{"data": {"id": 1.5e3, "attributes": {"name": ["x"], "created_at": {"a": 1},
            "createdAt": "t5", "payload": {"included": 3, "data": {"type": "inquiry",
            "id": 42, "attributes": {"status": true}}}}}}"#
            .into(),
        r#"{"data": {"attributes": {"payload": {"data": {"type": "inquiry", "id": "inq_6",
            "attributes": {"status": "done", "status": null}}, "data": {"type": "x",
            "id": "inq_7", "attributes": {"status": "kept"}}}}}, "pad": [[[{"a": []}]]]}"#
            .into(),
    ];
    for body in &bodies {
        let full = parse(body.as_bytes()).map(Headline::from);
        let fast = headline(body.as_bytes());
        let shown: String = body.chars().take(80).collect();
        assert_eq!(fast, full, "headline differs for {shown}");
    }
    let seed = headline(REUSABLE_PERSONA.as_bytes()).expect("seed 000 parses");
    assert_eq!(
        seed.resource_id.as_deref(),
        Some("inq_kT4xVnR2bPmYwL9sTgD3cExZ")
    );
    assert_eq!(seed.created_at.as_deref(), Some("2024-03-15T18:35:01.100Z"));
}
