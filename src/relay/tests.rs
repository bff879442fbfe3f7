use std::time::Duration;

use super::points_at;
use super::runtime::{as_retry, first_step};
use crate::model::{Headers, Outcome, Rule};

#[test]
fn retries_follow_personas_schedule_divided_by_the_speedup() {
    let rule = Rule {
        retry_speedup: Some(1000),
        ..Rule::default()
    };
    let delays: Vec<u128> = (0..8)
        .map_while(|n| rule.retry_delay(n))
        .map(|d| d.as_millis())
        .collect();
    assert_eq!(delays, [3, 64, 729, 4096, 15625, 46656, 117649]);
    let real = Rule {
        retry_speedup: Some(1),
        ..Rule::default()
    };
    assert_eq!(real.retry_delay(6), Some(Duration::from_secs(117_649)));
    assert_eq!(real.retry_delay(7), None, "Persona stops after 7 retries");
    assert_eq!(Rule::default().retry_delay(0), None, "retries are off");
}

#[test]
fn retries_carry_the_attempt_numbers_persona_would_send() {
    let mut headers: Headers = vec![
        ("Persona-Webhook-Attempts-Made".into(), b"1".to_vec()),
        ("persona-webhook-attempts-left".into(), b"7".to_vec()),
        (
            "persona-webhook-first-attempted-at".into(),
            b"1720713905".to_vec(),
        ),
        ("persona-signature".into(), b"t=1,v1=aa".to_vec()),
    ];
    as_retry(&mut headers, 3);
    let values: Vec<&[u8]> = headers.iter().map(|(_, v)| v.as_slice()).collect();
    assert_eq!(values, [&b"4"[..], b"4", b"1720713905", b"t=1,v1=aa"]);
    let mut odd: Headers = vec![("persona-webhook-attempts-left".into(), b"x".to_vec())];
    as_retry(&mut odd, 2);
    assert_eq!(odd[0].1, b"x", "a value that is not a number is left alone");
}

fn counted(made: &str, left: &str) -> Headers {
    vec![
        (
            "persona-webhook-attempts-made".into(),
            made.as_bytes().to_vec(),
        ),
        (
            "persona-webhook-attempts-left".into(),
            left.as_bytes().to_vec(),
        ),
    ]
}

#[test]
fn retries_continue_the_captures_own_count_and_stop_where_persona_would() {
    let rule = Rule {
        retry_speedup: Some(1),
        ..Rule::default()
    };
    // Persona's first attempt: all 7 retries follow, the first after 3 s.
    assert_eq!(first_step(&counted("1", "7")), 0);
    // Two retries were made: the next waits 729 s, and 5 are left.
    let third = first_step(&counted("3", "5"));
    assert_eq!(rule.retry_delay(third), Some(Duration::from_secs(729)));
    assert_eq!((third..7).count(), 5);
    // The last attempt: no retry, so never "Made 9, Left 0".
    let last = counted("8", "0");
    assert_eq!(rule.retry_delay(first_step(&last)), None);
    let mut sent = counted("3", "5");
    as_retry(&mut sent, 5);
    assert_eq!(sent, counted("8", "0"), "the last retry says 0 left");
    // More left than Persona ever makes: the whole schedule, no more.
    assert_eq!(first_step(&counted("0", "12")), 0);
}

#[test]
fn a_capture_without_a_count_restarts_the_schedule_and_keeps_its_headers() {
    assert_eq!(first_step(&Headers::new()), 0);
    let mut made_only: Headers = vec![("persona-webhook-attempts-made".into(), b"3".to_vec())];
    assert_eq!(first_step(&made_only), 0);
    as_retry(&mut made_only, 2);
    assert_eq!(
        made_only[0].1, b"3",
        "no count is invented without Attempts-Left"
    );
}

impl Rule {
    fn takes_event_of(&self, (outcome, name): (Outcome, Option<&str>)) -> bool {
        self.takes_event(outcome, name)
    }
}

#[test]
fn the_rule_takes_captures_by_event_name() {
    let summary = |name: Option<&'static str>, outcome| (outcome, name);
    let all = Rule {
        enabled: true,
        target: "http://127.0.0.1:3000".into(),
        ..Rule::default()
    };
    assert!(all.takes_event_of(summary(Some("inquiry.completed"), Outcome::Captured)));
    assert!(all.takes_event_of(summary(None, Outcome::Captured)));
    assert!(
        !all.takes_event_of(summary(None, Outcome::TooLarge)),
        "no body kept"
    );
    let some = Rule {
        events: vec!["inquiry.completed".into()],
        ..all.clone()
    };
    assert!(some.takes_event_of(summary(Some("inquiry.completed"), Outcome::Captured)));
    assert!(!some.takes_event_of(summary(Some("inquiry.created"), Outcome::Captured)));
    assert!(!some.takes_event_of(summary(None, Outcome::Captured)));
    let off = Rule {
        enabled: false,
        ..all
    };
    assert!(!off.takes_event_of(summary(Some("inquiry.completed"), Outcome::Captured)));
}

#[test]
fn a_target_on_the_listeners_own_port_is_recognised() {
    let here: std::net::SocketAddr = "127.0.0.1:4747".parse().unwrap();
    assert!(points_at("http://127.0.0.1:4747/x", here));
    assert!(points_at("http://localhost:4747", here));
    assert!(points_at("http://[::1]:4747", here));
    assert!(!points_at("http://127.0.0.1:3000", here));
    assert!(!points_at("https://example.com:4747", here));
    assert!(!points_at("not a url", here));
}
