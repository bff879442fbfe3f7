use axum::body::Bytes;

use super::{Options, Spelling, Target, Unverified, prepare, unverified};
use crate::model::{
    Arrival, DEFAULT_TIMEOUT_MS, Headers, Outcome, Secret, Signing, Source, Status, human_duration,
    persona_would_accept,
};
use crate::store::Raw;

fn raw(headers: &[(&str, &str)], body: &[u8]) -> Raw {
    Raw {
        id: 7,
        arrival: Arrival {
            received_at_ms: 0,
            method: "POST".into(),
            path: "/webhooks/persona".into(),
            query: Some("source=ngrok".into()),
            remote_addr: None,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect(),
        },
        body: body.to_vec(),
        body_size: body.len() as u64,
        outcome: Outcome::Captured,
        source: Source::Captured,
        reply_status: Some(200),
        signature: Status::Valid,
        stale: None,
    }
}

/// The URL a re-delivery requests.
fn target_url(
    target: &str,
    path: &str,
    query: Option<&str>,
    keep_path: bool,
) -> crate::Result<String> {
    Ok(Target::parse(target, keep_path)?.join(path, query, Spelling::Standard))
}

fn names(headers: &Headers) -> Vec<&str> {
    headers.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn paths_and_queries_join_with_one_slash_and_one_ampersand() {
    let cases = [
        (
            "http://h:3000",
            "/a/b",
            Some("x=1"),
            "http://h:3000/a/b?x=1",
        ),
        ("http://h:3000/", "/a", None, "http://h:3000/a"),
        ("http://h/api", "/a", None, "http://h/api/a"),
        ("http://h/api/", "/a", None, "http://h/api/a"),
        ("http://h/api/", "/", None, "http://h/api/"),
        ("http://h/api", "/", Some("x=1"), "http://h/api?x=1"),
        (
            "http://h/api?k=v",
            "/a",
            Some("x=1"),
            "http://h/api/a?k=v&x=1",
        ),
        ("http://h/api?k=v", "/a", None, "http://h/api/a?k=v"),
        ("http://h/api?", "/a", Some("x=1"), "http://h/api/a?x=1"),
        ("http://h/p#frag", "/a", None, "http://h/p/a"),
        (
            "http://h/p",
            "/a%20b/c",
            Some("q=%2F"),
            "http://h/p/a%20b/c?q=%2F",
        ),
    ];
    for (target, path, query, want) in cases {
        assert_eq!(
            target_url(target, path, query, true).unwrap(),
            want,
            "{target} + {path} ? {query:?}"
        );
    }
    assert_eq!(
        target_url("http://h/api?k=v", "/a", Some("x=1"), false).unwrap(),
        "http://h/api?k=v",
        "without keep_path the target is used as given"
    );
}

#[test]
fn the_delivery_s_own_path_and_query_are_spelled_as_received_or_as_the_url_standard_writes_them() {
    let target = Target::parse("HTTP://H:80/api/./x?k='v'#f", true).unwrap();
    for (path, query, standard, as_received) in [
        (
            "/a",
            Some("x=1"),
            "http://h/api/x/a?k=%27v%27&x=1",
            "http://h/api/x/a?k=%27v%27&x=1",
        ),
        (
            "/a/../b{c}",
            Some("q='x'&l[]=1"),
            "http://h/api/x/b%7Bc%7D?k=%27v%27&q=%27x%27&l[]=1",
            "http://h/api/x/a/../b{c}?k=%27v%27&q='x'&l[]=1",
        ),
        (
            "/",
            None,
            "http://h/api/x?k=%27v%27",
            "http://h/api/x?k=%27v%27",
        ),
    ] {
        assert_eq!(target.join(path, query, Spelling::Standard), standard);
        let received = target.join(path, query, Spelling::AsReceived);
        assert_eq!(received, as_received);
        assert_eq!(
            reqwest::Url::parse(&received).unwrap().as_str(),
            standard,
            "the same URL once a client parses it"
        );
    }
    let whole = Target::parse("http://h/api?k=v", false).unwrap();
    for spelling in [Spelling::Standard, Spelling::AsReceived] {
        assert_eq!(whole.join("/a", Some("x=1"), spelling), "http://h/api?k=v");
    }
    assert_eq!(
        Target::local(4747)
            .unwrap()
            .join("/hook", Some("a=b"), Spelling::AsReceived),
        "http://127.0.0.1:4747/hook?a=b"
    );
}

#[test]
fn unusable_targets_say_what_to_type() {
    for (target, says) in [
        ("", "no URL"),
        ("   ", "no URL"),
        ("localhost:3000/hooks", "write http://localhost:3000/hooks"),
        ("127.0.0.1:3000", "write http://127.0.0.1:3000"),
        ("ftp://example.com/x", "only http:// and https://"),
        ("http://", "not a URL"),
        ("http://exa mple.com", "not a URL"),
        ("http:///x", "names no host"),
    ] {
        match target_url(target, "/", None, false) {
            Ok(url) => panic!("{target:?} should be refused, got {url}"),
            Err(e) => assert!(e.to_string().contains(says), "{target:?}: {e}"),
        }
    }
}

#[test]
fn hop_by_hop_and_derived_headers_are_dropped_the_rest_kept_in_order() {
    let r = raw(
        &[
            ("host", "abc.ngrok.app"),
            ("user-agent", "Persona"),
            ("connection", "keep-alive, X-Private"),
            ("x-private", "drop me"),
            ("content-length", "2"),
            ("transfer-encoding", "chunked"),
            ("keep-alive", "timeout=5"),
            ("proxy-authorization", "Basic x"),
            ("te", "trailers"),
            ("trailer", "x"),
            ("upgrade", "h2c"),
            ("expect", "100-continue"),
            ("persona-signature", "t=1,v1=aa"),
            ("x-forwarded-for", "1.2.3.4"),
            ("content-type", "application/json"),
        ],
        b"{}",
    );
    let out = prepare(r, &Options::new("http://127.0.0.1:1"), &[], 0).unwrap();
    assert_eq!(
        names(&out.headers),
        [
            "user-agent",
            "persona-signature",
            "x-forwarded-for",
            "content-type"
        ]
    );
    assert_eq!(out.body, Bytes::from_static(b"{}"));
    assert!(!out.body_edited);
}

#[test]
fn resigning_replaces_every_signature_in_the_first_ones_place() {
    let r = raw(
        &[
            ("a", "1"),
            ("persona-signature", "t=1,v1=aa"),
            ("b", "2"),
            ("Persona-Signature", "t=2,v1=bb"),
        ],
        b"abc123",
    );
    let secrets = [Secret {
        label: "current".into(),
        value: "wbhsec_researchhub".into(),
    }];
    let mut options = Options::new("http://127.0.0.1:1");
    options.signing = Signing::Resign {
        secret: "current".into(),
    };
    let out = prepare(r, &options, &secrets, 1720713905).unwrap();
    assert_eq!(names(&out.headers), ["a", "persona-signature", "b"]);
    assert_eq!(
        out.headers[1].1,
        b"t=1720713905,v1=0fd4586aa5cb67c098a920ed55906fb2669a2bb21c6ed2de58e4f5cfb79814c7",
        "Persona's public test vector"
    );
}

#[test]
fn resigning_signs_the_edited_body_and_adds_a_missing_header() {
    let secrets = [Secret {
        label: "current".into(),
        value: "wbhsec_researchhub".into(),
    }];
    let mut options = Options::new("http://127.0.0.1:1");
    options.signing = Signing::Resign {
        secret: "current".into(),
    };
    options.edits.body = Some(b"abc123".to_vec());
    options.edits.headers = Some(vec![("x-edited".into(), b"yes".to_vec())]);
    let out = prepare(
        raw(&[("a", "1")], b"stored"),
        &options,
        &secrets,
        1720713905,
    )
    .unwrap();
    assert_eq!(names(&out.headers), ["x-edited", "persona-signature"]);
    assert!(String::from_utf8_lossy(&out.headers[1].1).ends_with("79814c7"));
    assert_eq!(out.body, Bytes::from_static(b"abc123"));
    assert!(out.body_edited);
}

#[test]
fn an_unknown_label_or_bad_edit_is_refused_before_sending() {
    let mut options = Options::new("http://127.0.0.1:1");
    options.signing = Signing::Resign {
        secret: "nope".into(),
    };
    let secrets = [Secret {
        label: "current".into(),
        value: "wbhsec_x".into(),
    }];
    let e = prepare(raw(&[], b""), &options, &secrets, 0).unwrap_err();
    assert!(
        e.to_string().contains("no secret is labelled \"nope\"")
            && e.to_string().contains("\"current\""),
        "{e}"
    );
    let mut options = Options::new("http://127.0.0.1:1");
    options.edits.headers = Some(vec![("bad name".into(), b"x".to_vec())]);
    let e = prepare(raw(&[], b""), &options, &[], 0).unwrap_err();
    assert!(e.to_string().contains("not an HTTP header name"), "{e}");
    options.edits.headers = Some(vec![("x".into(), b"a\nb".to_vec())]);
    let e = prepare(raw(&[], b""), &options, &[], 0).unwrap_err();
    assert!(e.to_string().contains("line break"), "{e}");
    let mut options = Options::new("http://127.0.0.1:1");
    options.timeout_ms = 0;
    let e = prepare(raw(&[], b""), &options, &[], 0).unwrap_err();
    assert!(e.to_string().contains("timeout of 0 ms"), "{e}");
}

#[test]
fn a_too_large_delivery_needs_an_edited_body() {
    let mut r = raw(&[], b"");
    r.outcome = Outcome::TooLarge;
    let e = prepare(r.clone(), &Options::new("http://h"), &[], 0).unwrap_err();
    assert!(e.to_string().contains("edit a body"), "{e}");
    let mut options = Options::new("http://h");
    options.edits.body = Some(b"{}".to_vec());
    assert!(prepare(r, &options, &[], 0).is_ok());
}

#[test]
fn options_round_trip_through_json_with_defaults() {
    let options: Options =
        serde_json::from_str(r#"{"target":"http://h","signing":{"mode":"resign","secret":"current"},"edits":{"body_base64":"AP8=","headers":[["a","b"]]}}"#)
            .unwrap();
    assert_eq!(options.timeout_ms, DEFAULT_TIMEOUT_MS);
    assert!(!options.keep_path);
    assert_eq!(options.edits.body.as_deref(), Some(&[0u8, 0xff][..]));
    assert_eq!(
        options.edits.headers,
        Some(vec![("a".to_string(), b"b".to_vec())])
    );
    let back: Options = serde_json::from_value(serde_json::to_value(&options).unwrap()).unwrap();
    assert_eq!(back, options);
}

#[test]
fn durations_read_naturally() {
    assert_eq!(human_duration(0.84), "0.8 ms");
    assert_eq!(human_duration(12.3), "12 ms");
    assert_eq!(human_duration(6_200.0), "6.2 s");
    assert_eq!(human_duration(5_000.0), "5 s");
    assert!(persona_would_accept(204, 4_999.0));
    assert!(!persona_would_accept(204, 5_001.0));
    assert!(!persona_would_accept(203, 1.0));
}

#[test]
fn only_a_fresh_valid_capture_or_a_test_event_is_re_signed_without_asking() {
    assert_eq!(unverified(Source::Captured, Status::Valid, None), None);
    for status in Status::ALL {
        assert_eq!(
            unverified(Source::Test, status, Some(7_200)),
            None,
            "{status:?}"
        );
        assert_eq!(
            unverified(Source::Imported, status, None),
            Some(Unverified::Imported),
            "{status:?}"
        );
    }
    for status in [
        Status::Invalid,
        Status::Missing,
        Status::Malformed,
        Status::Unchecked,
    ] {
        for stale in [None, Some(7_200)] {
            assert_eq!(
                unverified(Source::Captured, status, stale),
                Some(Unverified::Verdict(status)),
                "the verdict says more than its age: {status:?} {stale:?}"
            );
        }
    }
    assert_eq!(
        unverified(Source::Captured, Status::Valid, Some(7_200)),
        Some(Unverified::Stale { age_seconds: 7_200 })
    );
}

#[test]
fn a_stale_capture_is_its_own_kind_and_says_how_old_it_was() {
    let old = Unverified::Stale { age_seconds: 7_260 };
    assert_eq!(old.kind(), "stale");
    assert_eq!(
        old.note(),
        "sent with its original signature: not re-signed because its signature is valid but \
         was made 2 h 1 min before it arrived: an old request sent again?"
    );
    let ahead = Unverified::Stale { age_seconds: -600 };
    assert_eq!(
        ahead.reason(),
        "its signature is valid but dated 10 min after it arrived"
    );
}

#[test]
fn a_stale_capture_keeps_its_signature_unless_the_user_opts_in() {
    let original = "t=1,v1=abc";
    let secrets = [Secret {
        label: "current".into(),
        value: "wbhsec_x".into(),
    }];
    let mut stale = raw(&[("persona-signature", original)], b"{}");
    stale.stale = Some(400);
    let mut options = Options::new("http://h");
    options.signing = Signing::Resign {
        secret: "current".into(),
    };
    let kept = prepare(stale.clone(), &options, &secrets, 1_000).expect("prepared");
    assert_eq!(kept.signing, Signing::Keep);
    assert_eq!(
        kept.signing_note.as_deref(),
        Some(
            "sent with its original signature: not re-signed because its signature is valid \
             but was made 6 min 40 s before it arrived: an old request sent again?"
        )
    );
    assert!(
        kept.headers
            .contains(&("persona-signature".into(), original.into()))
    );
    options.resign_unverified = true;
    let resigned = prepare(stale, &options, &secrets, 1_000).expect("prepared");
    assert_eq!(
        (resigned.signing, resigned.signing_note),
        (options.signing, None)
    );
    assert!(
        resigned
            .headers
            .iter()
            .any(|(n, v)| n == "persona-signature" && v.starts_with(b"t=1000,")),
        "{:?}",
        resigned.headers
    );
}
