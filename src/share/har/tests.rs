use super::*;
use crate::model::Arrival;

fn raw(headers: &[(&str, &[u8])], body: &[u8], remote: Option<&str>) -> Raw {
    Raw {
        id: 3,
        arrival: Arrival {
            received_at_ms: 1_795_341_845_123,
            method: "POST".into(),
            path: "/hooks/persona".into(),
            query: Some("a=1&b=x%20y".into()),
            remote_addr: remote.map(str::to_string),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_vec()))
                .collect(),
        },
        body: body.to_vec(),
        body_size: body.len() as u64,
        outcome: Outcome::Captured,
        source: Source::Captured,
        reply_status: Some(200),
        signature: crate::model::Status::Valid,
        stale: None,
    }
}

fn har_of(entries: Vec<Value>) -> Value {
    json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}})
}

fn read(value: &Value) -> Result<Vec<FixtureDelivery>> {
    read_har("x.har", value, &Limits::default())
}

#[test]
fn the_url_names_the_host_and_the_scheme_ngrok_says_was_used() {
    let headers: &[(&str, &[u8])] = &[
        ("host", b"abc.ngrok-free.app"),
        ("x-forwarded-proto", b"https"),
    ];
    let through_ngrok = entry(&raw(headers, b"{}", Some("127.0.0.1:5000")));
    assert_eq!(
        through_ngrok["request"]["url"],
        "https://abc.ngrok-free.app/hooks/persona?a=1&b=x%20y"
    );
    // From elsewhere the header is the sender's claim; without a usable Host, localhost.
    let direct = entry(&raw(headers, b"{}", Some("198.51.100.7:1")));
    assert_eq!(
        direct["request"]["url"],
        "http://abc.ngrok-free.app/hooks/persona?a=1&b=x%20y"
    );
    let hostless = entry(&raw(&[("host", b"a b/c")], b"{}", None));
    assert_eq!(
        hostless["request"]["url"],
        "http://localhost/hooks/persona?a=1&b=x%20y"
    );
    assert_eq!(
        through_ngrok["request"]["queryString"],
        json!([{"name": "a", "value": "1"}, {"name": "b", "value": "x y"}])
    );
}

#[test]
fn cookies_and_non_utf8_header_values_are_kept() {
    let e = entry(&raw(
        &[("cookie", b"a=1; b=two"), ("x-bin", &[0xff, b'x'])],
        b"",
        None,
    ));
    assert_eq!(
        e["request"]["cookies"],
        json!([{"name": "a", "value": "1"}, {"name": "b", "value": "two"}])
    );
    assert_eq!(e["request"]["headers"][1]["_valueBase64"], "/3g=");
    assert!(
        e["request"].get("postData").is_none(),
        "an empty body has no postData"
    );
    let back = read(&har_of(vec![e])).expect("reads");
    assert_eq!(back[0].arrival.headers[1].1, vec![0xff, b'x']);
    assert!(back[0].body.is_empty());
}

#[test]
fn urls_are_split_exactly_and_fragments_dropped() {
    let at = Place::new("x.har", String::new());
    assert_eq!(
        path_and_query(&at, "https://h/a%2Fb?q=%zz#frag").expect("splits"),
        ("/a%2Fb".to_string(), Some("q=%zz".to_string()))
    );
    assert_eq!(
        path_and_query(&at, "http://h").expect("splits"),
        ("/".to_string(), None)
    );
    let error = path_and_query(&at, "/relative").expect_err("relative");
    assert!(error.to_string().contains("not an absolute URL"), "{error}");
}

#[test]
fn a_har_listing_only_form_parameters_reads_as_a_form_body() {
    let entry = json!({
        "startedDateTime": "2026-11-22T10:04:05.123+01:00",
        "request": {"method": "POST", "url": "http://h/form", "headers": [
            {"name": ":authority", "value": "h"}, {"name": "Content-Type", "value": "application/x-www-form-urlencoded"}
        ], "postData": {"mimeType": "application/x-www-form-urlencoded",
                        "params": [{"name": "a b", "value": "1&2"}, {"name": "c"}]}}
    });
    let read = read(&har_of(vec![entry])).expect("reads");
    assert_eq!(read[0].body, b"a+b=1%262&c=");
    assert_eq!(
        read[0].arrival.headers,
        vec![(
            "content-type".to_string(),
            b"application/x-www-form-urlencoded".to_vec()
        )],
        "pseudo-headers are left out, names lower-cased"
    );
    assert_eq!(read[0].arrival.received_at_ms, 1_795_338_245_123);
}
