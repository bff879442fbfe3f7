use super::*;
use crate::model::Lifecycle;

const T0: &str = "2026-11-22T10:00:00.000Z";
const T1: &str = "2026-11-22T10:01:00.000Z";
const T2: &str = "2026-11-22T10:02:00.000Z";
const T3: &str = "2026-11-22T10:03:00.000Z";

fn row(
    id: i64,
    received_s: i64,
    event: &str,
    name: &str,
    created: &str,
    status: &str,
) -> ResourceRow {
    ResourceRow {
        id,
        received_at_ms: received_s * 1000,
        event_id: Some(event.to_string()),
        event_name: Some(name.to_string()),
        event_created_at: (!created.is_empty()).then(|| created.to_string()),
        resource_type: Some("inquiry".to_string()),
        resource_status: Some(status.to_string()),
    }
}

fn inquiry() -> Option<&'static Lifecycle> {
    Lifecycle::of("inquiry")
}

fn entries_flags_empty(rows: Vec<ResourceRow>) -> bool {
    entries(rows, inquiry()).iter().all(|e| e.flags.is_empty())
}

fn entries_flags_empty_without_lifecycle(rows: Vec<ResourceRow>) -> bool {
    entries(rows, None).iter().all(|e| e.flags.is_empty())
}

fn flags_of(entries: &[TimelineEntry]) -> Vec<(i64, Vec<TimelineFlag>)> {
    entries
        .iter()
        .map(|e| (e.delivery_id, e.flags.clone()))
        .collect()
}

#[test]
fn entries_follow_created_at_with_arrival_ranks_and_every_flag() {
    use TimelineFlag::*;
    let rows = vec![
        row(1, 10, "evt_a", "inquiry.created", T0, "created"),
        row(2, 20, "evt_c", "inquiry.approved", T2, "approved"),
        // Created before the approval, arrived after it.
        row(3, 30, "evt_b", "inquiry.started", T1, "pending"),
        // Persona's retry of the approval.
        row(4, 40, "evt_c", "inquiry.approved", T2, "approved"),
        // A second outcome, and a status from an earlier phase than approved.
        row(5, 50, "evt_d", "inquiry.failed", T3, "failed"),
    ];
    let entries = entries(rows, inquiry());
    let order: Vec<(i64, u32)> = entries
        .iter()
        .map(|e| (e.delivery_id, e.arrival_rank))
        .collect();
    assert_eq!(order, [(1, 1), (3, 3), (2, 2), (4, 4), (5, 5)]);
    assert_eq!(
        flags_of(&entries),
        [
            (1, vec![]),
            (3, vec![OutOfOrder, StatusRegression]),
            (2, vec![ConflictingOutcome]),
            (4, vec![Duplicate, ConflictingOutcome]),
            (5, vec![ConflictingOutcome, StatusRegression]),
        ]
    );
    let notes = flag_notes(&entries);
    let summary: Vec<(TimelineFlag, Vec<i64>)> = notes
        .iter()
        .map(|n| (n.flag, n.delivery_ids.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (OutOfOrder, vec![3]),
            (Duplicate, vec![4]),
            (ConflictingOutcome, vec![2, 4, 5]),
            (StatusRegression, vec![3, 5]),
        ]
    );
    assert!(notes.iter().all(|n| n.why == n.flag.why()));
}

#[test]
fn a_status_that_goes_back_in_persona_s_own_order_is_flagged_though_it_arrived_in_order() {
    let rows = vec![
        row(1, 10, "evt_a", "inquiry.approved", T1, "approved"),
        row(2, 20, "evt_b", "inquiry.started", T2, "pending"),
    ];
    let entries = entries(rows, inquiry());
    assert_eq!(
        flags_of(&entries),
        [(1, vec![]), (2, vec![TimelineFlag::StatusRegression])]
    );
}

#[test]
fn events_created_at_one_instant_have_no_order_between_them() {
    let rows = vec![
        row(1, 10, "evt_a", "inquiry.completed", T1, "completed"),
        row(2, 20, "evt_b", "inquiry.started", T1, "pending"),
        // Arrival is an order, though: pending after completed goes back.
    ];
    let entries = entries(rows, inquiry());
    assert_eq!(
        flags_of(&entries),
        [(1, vec![]), (2, vec![TimelineFlag::StatusRegression])]
    );
    let rows = vec![
        row(1, 10, "evt_a", "inquiry.started", T1, "pending"),
        row(2, 20, "evt_b", "inquiry.completed", T1, "completed"),
    ];
    assert!(entries_flags_empty(rows));
}

#[test]
fn created_at_is_compared_as_an_instant_and_unknown_times_go_last() {
    let rows = vec![
        row(1, 10, "evt_a", "inquiry.started", "", "pending"),
        // 10:00:30 in another offset and precision: after T0, before T1.
        row(
            2,
            20,
            "evt_b",
            "inquiry.started",
            "2026-11-22T11:00:30+01:00",
            "pending",
        ),
        row(3, 30, "evt_c", "inquiry.created", T0, "created"),
        row(4, 40, "evt_d", "inquiry.completed", T1, "completed"),
    ];
    let entries = entries(rows, inquiry());
    let order: Vec<i64> = entries.iter().map(|e| e.delivery_id).collect();
    assert_eq!(order, [3, 2, 4, 1]);
    // The creation arrived after both starts: out of order, and back to an earlier status. The
    // start without a time is judged by arrival alone, and it arrived first.
    assert_eq!(
        flags_of(&entries),
        [
            (
                3,
                vec![TimelineFlag::OutOfOrder, TimelineFlag::StatusRegression]
            ),
            (2, vec![]),
            (4, vec![]),
            (1, vec![]),
        ]
    );
}

#[test]
fn resources_without_a_documented_lifecycle_get_no_status_or_outcome_flags() {
    let rows = vec![
        row(1, 10, "evt_a", "inquiry.approved", T1, "approved"),
        row(2, 20, "evt_b", "inquiry.failed", T2, "pending"),
    ];
    assert!(entries_flags_empty_without_lifecycle(rows.clone()));
    let judged = entries(rows, inquiry());
    assert_eq!(
        flags_of(&judged)[1],
        (
            2,
            vec![
                TimelineFlag::ConflictingOutcome,
                TimelineFlag::StatusRegression
            ]
        )
    );
}

#[test]
fn one_outcome_delivered_twice_is_no_conflict() {
    let rows = vec![
        row(1, 10, "evt_a", "inquiry.approved", T1, "approved"),
        row(2, 20, "evt_b", "inquiry.approved", T2, "approved"),
    ];
    assert!(entries_flags_empty(rows.clone()));
    assert!(entries_flags_empty_without_lifecycle(rows));
}

#[test]
fn two_outcomes_that_stop_the_user_are_no_conflict_but_one_of_each_side_is() {
    let failed_then_declined = vec![
        row(1, 10, "evt_a", "inquiry.failed", T0, "failed"),
        row(2, 20, "evt_b", "inquiry.declined", T1, "declined"),
    ];
    assert!(
        entries(failed_then_declined, inquiry())
            .iter()
            .all(|e| !e.flags.contains(&TimelineFlag::ConflictingOutcome)),
        "a workflow declining a failed inquiry is Persona's normal course"
    );
    let expired_then_approved = vec![
        row(1, 10, "evt_a", "inquiry.expired", T0, "expired"),
        row(2, 20, "evt_b", "inquiry.approved", T1, "approved"),
    ];
    assert!(
        entries(expired_then_approved, inquiry())
            .iter()
            .all(|e| e.flags.contains(&TimelineFlag::ConflictingOutcome))
    );
}

fn event(json: serde_json::Value) -> jsonapi::Event {
    jsonapi::parse(json.to_string().as_bytes()).expect("valid JSON")
}

fn envelope(data: serde_json::Value, included: serde_json::Value) -> jsonapi::Event {
    event(
        serde_json::json!({"data": {"type": "event", "id": "evt_1", "attributes": {
        "name": "verification.passed", "created-at": T0,
        "payload": {"data": data, "included": included}}}}),
    )
}

#[test]
fn mentions_are_found_in_relationships_and_included_only() {
    let linked = envelope(
        serde_json::json!({"type": "verification/selfie", "id": "ver_1",
            "relationships": {"inquiry": {"data": {"type": "inquiry", "id": "inq_1"}}}}),
        serde_json::json!([]),
    );
    assert_eq!(
        mentioned(&linked, "inq_1"),
        Some((MentionVia::Relationship, Some("inquiry".to_string())))
    );
    let included = envelope(
        serde_json::json!({"type": "verification/selfie", "id": "ver_1"}),
        serde_json::json!([{"type": "inquiry", "id": "inq_1"}]),
    );
    assert_eq!(
        mentioned(&included, "inq_1"),
        Some((MentionVia::Included, Some("inquiry".to_string())))
    );
    let included_link = envelope(
        serde_json::json!({"type": "verification/selfie", "id": "ver_1"}),
        serde_json::json!([{"type": "account", "id": "act_1",
            "relationships": {"inquiries": {"data": [{"type": "inquiry", "id": "inq_1"}]}}}]),
    );
    assert_eq!(
        mentioned(&included_link, "inq_1"),
        Some((MentionVia::Included, Some("inquiry".to_string())))
    );
    // The id as mere text (a note, a reference id) is no mention; nor is the resource itself.
    let text = envelope(
        serde_json::json!({"type": "verification/selfie", "id": "ver_1",
            "attributes": {"note": "see inq_1"}}),
        serde_json::json!([]),
    );
    assert_eq!(mentioned(&text, "inq_1"), None);
    assert_eq!(mentioned(&linked, "ver_1"), None);
}
