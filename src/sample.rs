//! A sample Persona event for the "Send a test event" button: shaped like a real
//! `inquiry.completed` delivery (kebab-case keys, an included account, a relationship Persona
//! leaves out), with made-up data.

use crate::clock;

/// The secret a test event is signed with when the user has configured none, so the verdict
/// can say how to add the real one rather than pass.
pub const EXAMPLE_SECRET: &str = "wbhsec_example_not_from_persona";

/// The event's JSON body, ids unique to `now_ms`.
pub fn inquiry_completed(now_ms: i64) -> Vec<u8> {
    let created = clock::rfc3339(now_ms);
    let tag = format!("{:x}", now_ms);
    let body = serde_json::json!({
        "data": {
            "type": "event",
            "id": format!("evt_test{tag}"),
            "attributes": {
                "name": "inquiry.completed",
                "created-at": created,
                "redacted-at": null,
                "payload": {
                    "data": {
                        "type": "inquiry",
                        "id": format!("inq_test{tag}"),
                        "attributes": {
                            "status": "completed",
                            "reference-id": "user-1234",
                            "note": "Sent by Persona Webhook Inspector's test button",
                            "tags": [],
                            "name-first": "Alex",
                            "name-last": "Sample",
                            "birthdate": "1990-04-12",
                            "created-at": created,
                            "completed-at": created,
                            "fields": {
                                "name-first": {"type": "string", "value": "Alex"},
                                "name-last": {"type": "string", "value": "Sample"}
                            }
                        },
                        "relationships": {
                            "account": {"data": {"type": "account", "id": format!("act_test{tag}")}},
                            "template": {"data": null},
                            "inquiry-template": {"data": {"type": "inquiry-template", "id": "itmpl_test"}},
                            "verifications": {"data": [
                                {"type": "verification/government-id", "id": format!("ver_test{tag}")}
                            ]}
                        }
                    },
                    "included": [{
                        "type": "account",
                        "id": format!("act_test{tag}"),
                        "attributes": {
                            "reference-id": "user-1234",
                            "created-at": created,
                            "tags": []
                        }
                    }]
                }
            }
        }
    });
    serde_json::to_vec_pretty(&body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_parses_as_persona_event_with_its_account_included() {
        let body = inquiry_completed(1_720_713_905_000);
        let event = crate::jsonapi::parse(&body).expect("parses");
        assert_eq!(event.name.as_deref(), Some("inquiry.completed"));
        // The only note is the one every partial `included` gets: no envelope deviations.
        assert_eq!(event.notes.len(), 1, "{:?}", event.notes);
        assert!(event.notes[0].contains("allowlist"), "{:?}", event.notes);
        let resource = event.resource.expect("resource");
        assert_eq!(resource.kind, "inquiry");
        assert_eq!(event.included.len(), 1);
        assert_eq!(event.included[0].kind, "account");
        let account = resource
            .relationships
            .iter()
            .find(|r| r.name == "account")
            .expect("account relationship");
        assert!(account.targets[0].included);
        let template = resource
            .relationships
            .iter()
            .find(|r| r.name == "inquiry-template")
            .expect("template relationship");
        assert!(
            !template.targets[0].included,
            "shows what 'not included' looks like"
        );
    }
}
