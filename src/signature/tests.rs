use super::*;
use crate::model::parse_secret;

const SECRET: &str = "wbhsec_researchhub";
const T: i64 = 1_720_713_905;
const TOL: u64 = 300;

fn secret(label: &str, value: &str) -> Secret {
    Secret {
        label: label.into(),
        value: value.into(),
    }
}

fn check(header: &str, body: &[u8], secrets: &[Secret]) -> Verdict {
    verify(Some(header.as_bytes()), body, secrets, T, TOL)
}

/// The v1 hex of `sign`, for building odd headers by hand.
fn v1(secret: &str, t: i64, body: &[u8]) -> String {
    sign(secret, t, body)
        .split_once(",v1=")
        .map(|(_, v)| v.to_string())
        .unwrap()
}

fn raw_hmac(key: &[u8], msg: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).unwrap();
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

fn diagnosis_of(v: &Verdict) -> String {
    assert_eq!(v.status, Status::Invalid, "expected Invalid, got {v:?}");
    v.diagnosis
        .clone()
        .unwrap_or_else(|| panic!("expected a diagnosis, got none: {v:?}"))
}

#[test]
fn public_test_vector_is_valid() {
    let header = "t=1720713905,v1=0fd4586aa5cb67c098a920ed55906fb2669a2bb21c6ed2de58e4f5cfb79814c7";
    assert_eq!(
        sign(SECRET, T, b"abc123"),
        header,
        "sign() must reproduce Persona's published vector"
    );
    let v = check(header, b"abc123", &[secret("current", SECRET)]);
    assert_eq!(v.status, Status::Valid, "{v:?}");
    assert_eq!(
        v.explanation,
        "Signature is valid: pair 1 matches secret \"current\"."
    );
    assert_eq!(
        v.matched,
        Some(Matched {
            secret: "current".into(),
            pair: 0,
            timestamp: T
        })
    );
    assert_eq!(
        (v.timestamp, v.age_seconds, v.stale),
        (Some(T), Some(0), false)
    );
    assert_eq!(
        v.pairs,
        vec![Pair {
            t: T,
            v1: header[16..].into()
        }]
    );
}

#[test]
fn uppercase_hex_unknown_keys_and_any_key_order_are_accepted() {
    let mac = v1(SECRET, T, b"abc123").to_uppercase();
    let v = check(
        &format!("v0=whatever,v1={mac},t={T}"),
        b"abc123",
        &[secret("current", SECRET)],
    );
    assert_eq!(v.status, Status::Valid, "{v:?}");
    let v = check(
        &format!("t={T}, v1={mac}"),
        b"abc123",
        &[secret("current", SECRET)],
    );
    assert_eq!(
        v.status,
        Status::Valid,
        "a space after the comma must not split the pair: {v:?}"
    );
}

#[test]
fn rotation_header_with_two_pairs_valid_when_either_matches() {
    let (old, new) = ("wbhsec_old", "wbhsec_new");
    let header = format!("{} {}", sign(new, T, b"{}"), sign(old, T - 1, b"{}"));
    for (value, pair) in [(new, 0), (old, 1)] {
        let v = check(&header, b"{}", &[secret("mine", value)]);
        assert_eq!(
            v.status,
            Status::Valid,
            "secret {value} should match: {v:?}"
        );
        assert_eq!(v.matched.as_ref().map(|m| m.pair), Some(pair), "{v:?}");
        assert_eq!(v.pairs.len(), 2, "{v:?}");
        assert_eq!(
            v.explanation.contains("rotated"),
            pair == 1,
            "rotation mentioned only for pair 2: {}",
            v.explanation
        );
    }
    let reversed = format!("{} {}", sign(old, T, b"{}"), sign(new, T, b"{}"));
    for value in [old, new] {
        let v = check(&reversed, b"{}", &[secret("mine", value)]);
        assert_eq!(
            v.status,
            Status::Valid,
            "reversed order, secret {value}: {v:?}"
        );
    }
    let v = verify(
        Some(format!("{} {}", sign(old, T, b"{}"), sign(new, T, b"{}")).as_bytes()),
        b"{}",
        &[secret("x", "wbhsec_other")],
        T,
        TOL,
    );
    assert_eq!(v.status, Status::Invalid, "{v:?}");
    assert!(
        v.explanation.contains("in the 2 pairs"),
        "{}",
        v.explanation
    );
}

#[test]
fn second_secret_match_is_named() {
    let v = check(
        &sign("wbhsec_old", T, b"x"),
        b"x",
        &[secret("current", "wbhsec_cur"), secret("old", "wbhsec_old")],
    );
    assert_eq!(v.status, Status::Valid, "{v:?}");
    assert_eq!(v.matched.as_ref().map(|m| m.secret.as_str()), Some("old"));
    assert!(
        v.explanation
            .contains("second secret \"old\", not \"current\""),
        "explanation should name the second secret: {}",
        v.explanation
    );
}

#[test]
fn wrong_secret_is_invalid_without_diagnosis() {
    let v = check(
        &sign("wbhsec_other", T, b"{\"a\":1}"),
        b"{\"a\":1}",
        &[secret("current", SECRET)],
    );
    assert_eq!(v.status, Status::Invalid, "{v:?}");
    assert_eq!(
        v.diagnosis, None,
        "no known cause fits a different secret: {v:?}"
    );
    assert!(v.matched.is_none());
    assert!(
        v.explanation.contains("\"current\"") && v.explanation.contains("wrong secret"),
        "{}",
        v.explanation
    );
    let two = check(
        &sign("wbhsec_other", T, b"x"),
        b"x",
        &[secret("a", "wbhsec_a"), secret("b", "wbhsec_b")],
    );
    assert!(
        two.explanation.contains("any of the 2 configured secrets"),
        "{}",
        two.explanation
    );
}

#[test]
fn missing_header() {
    let v = verify(None, b"{}", &[secret("current", SECRET)], T, TOL);
    assert_eq!(v.status, Status::Missing);
    assert_eq!(v.explanation, "No Persona-Signature header was sent.");
    assert!(v.pairs.is_empty() && v.timestamp.is_none() && !v.stale);
}

#[test]
fn malformed_headers_explain_why() {
    let good = v1(SECRET, T, b"abc123");
    let b64 = "D8RYaqXLZ8CYqSDtVZBvsmaaK7IcbtLeWOT1z7eYFMc=";
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "empty"),
        (b"   ".to_vec(), "empty"),
        (vec![0x74, 0x3d, 0xff, 0xfe], "not valid UTF-8"),
        (format!("v1={good}").into_bytes(), "pair 1 has no t="),
        (
            format!("t=,v1={good}").into_bytes(),
            "pair 1 has an empty t=",
        ),
        (
            format!("t=yesterday,v1={good}").into_bytes(),
            "not an integer",
        ),
        (format!("t={T}").into_bytes(), "pair 1 has no v1="),
        (
            format!("t={T},v1={b64}").into_bytes(),
            "not hex (it looks like base64",
        ),
        (
            format!("t={T},v1={}", &good[..40]).into_bytes(),
            "v1 of 40 hex digits, but an HMAC-SHA256 has 64",
        ),
        (good.clone().into_bytes(), "bare hex digest"),
        (format!("sha256={good}").into_bytes(), "bare hex digest"),
        (format!("t={T},v1=zz!?").into_bytes(), "v1 that is not hex"),
    ];
    for (header, reason) in cases {
        let v = verify(
            Some(&header),
            b"abc123",
            &[secret("current", SECRET)],
            T,
            TOL,
        );
        assert_eq!(
            v.status,
            Status::Malformed,
            "header {:?}: {v:?}",
            String::from_utf8_lossy(&header)
        );
        assert!(
            v.explanation.contains(reason),
            "header {:?}: expected {reason:?} in {:?}",
            String::from_utf8_lossy(&header),
            v.explanation
        );
        assert!(v.pairs.is_empty(), "malformed verdicts carry no pairs");
    }
}

#[test]
fn a_bare_digest_is_called_the_body_only_scheme_only_when_it_is_one() {
    let secrets = [secret("current", SECRET), secret("old", "wbhsec_old")];
    let body_only = raw_hmac(b"wbhsec_old", b"abc123");
    assert_eq!(sign_body_only("wbhsec_old", b"abc123"), body_only);
    let (v, hmacs) = counted(&body_only, b"abc123", &secrets);
    assert_eq!(v.status, Status::Malformed, "{v:?}");
    assert!(
        v.explanation
            .contains("HMAC-SHA256 of the body alone under secret \"old\"")
            && v.explanation.contains("body-only scheme"),
        "{}",
        v.explanation
    );
    assert_eq!(hmacs, 2, "one HMAC of the body per secret");

    // Persona's own v1, sent without its t: not the body-only scheme, and not claimed as it.
    let personas = v1(SECRET, T, b"abc123");
    let random = "ab".repeat(32);
    for digest in [personas.clone(), random, format!("sha256={personas}")] {
        let v = check(&digest, b"abc123", &secrets);
        assert_eq!(v.status, Status::Malformed, "{v:?}");
        assert!(
            !v.explanation.contains("body-only scheme")
                && v.explanation.contains("matches none")
                && v.explanation.contains("each of the 2 configured secrets"),
            "{digest}: {}",
            v.explanation
        );
    }
    let v = check(&personas, b"abc123", &[]);
    assert!(
        v.explanation.contains("not checked") && !v.explanation.contains("body-only scheme"),
        "{}",
        v.explanation
    );
    let v = check(&"ab".repeat(20), b"abc123", &secrets);
    assert!(
        v.explanation.contains("40 hex digits") && !v.explanation.contains("body-only scheme"),
        "{}",
        v.explanation
    );
}

#[test]
fn unreadable_pairs_are_skipped_when_another_pair_parses() {
    let header = format!("t=oops,v1=abc {}", sign(SECRET, T, b"abc123"));
    let v = check(&header, b"abc123", &[secret("current", SECRET)]);
    assert_eq!(v.status, Status::Valid, "{v:?}");
    assert_eq!(v.pairs.len(), 1);
    let v = check(&header, b"abc123", &[secret("current", "wbhsec_other")]);
    assert_eq!(v.status, Status::Invalid, "{v:?}");
    assert!(
        v.explanation.contains("ignored as unreadable: pair 1"),
        "{}",
        v.explanation
    );
}

#[test]
fn stale_timestamp_is_flagged_but_mac_still_valid() {
    let t = T - 7_500;
    let v = check(&sign(SECRET, t, b"{}"), b"{}", &[secret("current", SECRET)]);
    assert_eq!(
        v.status,
        Status::Valid,
        "staleness must not change the status: {v:?}"
    );
    assert_eq!(
        (v.timestamp, v.age_seconds, v.stale),
        (Some(t), Some(7_500), true)
    );
    let note = v.stale_note.unwrap_or_default();
    assert!(
        note.contains("2 h 5 min older") && note.contains("tolerance 300 s"),
        "{note}"
    );
    let fresh = check(
        &sign(SECRET, T - 300, b"{}"),
        b"{}",
        &[secret("current", SECRET)],
    );
    assert!(
        !fresh.stale && fresh.stale_note.is_none(),
        "exactly at the tolerance is not stale: {fresh:?}"
    );
}

#[test]
fn future_and_millisecond_timestamps_are_flagged() {
    let v = check(
        &sign(SECRET, T + 600, b"{}"),
        b"{}",
        &[secret("current", SECRET)],
    );
    assert_eq!(
        (v.status, v.age_seconds, v.stale),
        (Status::Valid, Some(-600), true),
        "{v:?}"
    );
    assert!(
        v.stale_note
            .unwrap_or_default()
            .contains("10 min in the future")
    );
    let ms = T * 1000;
    let v = check(
        &sign(SECRET, ms, b"{}"),
        b"{}",
        &[secret("current", SECRET)],
    );
    assert!(v.stale, "{v:?}");
    assert!(
        v.stale_note.unwrap_or_default().contains("milliseconds"),
        "13-digit t should be called out as milliseconds"
    );
}

#[test]
fn age_is_measured_from_received_at_not_now() {
    let v = verify(
        Some(sign(SECRET, 1_000, b"").as_bytes()),
        b"",
        &[secret("c", SECRET)],
        1_010,
        TOL,
    );
    assert_eq!((v.age_seconds, v.stale), (Some(10), false), "{v:?}");
}

#[test]
fn unchecked_when_no_secret() {
    let header = format!(
        "{} {}",
        sign(SECRET, T - 9_000, b"{}"),
        sign("wbhsec_b", T - 8_000, b"{}")
    );
    let v = check(&header, b"{}", &[]);
    assert_eq!(v.status, Status::Unchecked, "{v:?}");
    assert!(
        v.explanation.contains("--secret label=wbhsec_"),
        "{}",
        v.explanation
    );
    assert_eq!(v.pairs.len(), 2);
    assert_eq!(
        (v.timestamp, v.age_seconds, v.stale),
        (Some(T - 8_000), Some(8_000), true),
        "newest t is used"
    );
}

#[test]
fn body_only_hmac_is_diagnosed() {
    let header = format!("t={T},v1={}", raw_hmac(SECRET.as_bytes(), b"{\"a\":1}"));
    let d = diagnosis_of(&check(&header, b"{\"a\":1}", &[secret("current", SECRET)]));
    assert!(
        d.contains("Pair 1") && d.contains("\"current\"") && d.contains("signed the body alone"),
        "{d}"
    );
}

#[test]
fn wrong_pairs_timestamp_is_diagnosed() {
    let header = format!(
        "{} t={},v1={}",
        sign("wbhsec_retired", T - 50, b"{}"),
        T,
        v1(SECRET, T - 50, b"{}")
    );
    let d = diagnosis_of(&check(&header, b"{}", &[secret("current", SECRET)]));
    assert!(
        d.contains("pair 2's v1 was computed with pair 1's timestamp"),
        "{d}"
    );
}

#[test]
fn trailing_newline_added_after_signing_is_diagnosed() {
    let header = sign(SECRET, T, b"{\"a\":1}");
    let d = diagnosis_of(&check(
        &header,
        b"{\"a\":1}\r\n",
        &[secret("current", SECRET)],
    ));
    assert!(d.contains("gained a trailing newline"), "{d}");
    let header = sign(SECRET, T, b"{\"a\":1}\n");
    let d = diagnosis_of(&check(&header, b"{\"a\":1}", &[secret("current", SECRET)]));
    assert!(d.contains("lost its trailing newline"), "{d}");
}

#[test]
fn reserialized_json_is_diagnosed() {
    // Key order is deliberately not alphabetical: re-serializing must preserve it.
    let signed = br#"{"data":{"type":"inquiry","id":"inq_1"},"attributes":[1,2]}"#;
    let received =
        serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(signed).unwrap())
            .unwrap();
    let d = diagnosis_of(&check(
        &sign(SECRET, T, signed),
        &received,
        &[secret("current", SECRET)],
    ));
    assert!(
        d.contains("re-serialized compactly") && d.contains("bytes differ from what was signed"),
        "{d}"
    );
    let pretty = received.clone();
    let d = diagnosis_of(&check(
        &sign(SECRET, T, &pretty),
        signed,
        &[secret("current", SECRET)],
    ));
    assert!(d.contains("re-serialized pretty-printed"), "{d}");
}

#[test]
fn secret_without_prefix_diagnosed() {
    let d = diagnosis_of(&check(
        &sign("researchhub", T, b"{}"),
        b"{}",
        &[secret("current", SECRET)],
    ));
    assert!(
        d.contains("\"current\" with its wbhsec_ prefix removed"),
        "{d}"
    );
    let d = diagnosis_of(&check(
        &sign(SECRET, T, b"{}"),
        b"{}",
        &[secret("current", "researchhub")],
    ));
    assert!(d.contains("wbhsec_ prefix added"), "{d}");
    let d = diagnosis_of(&check(
        &sign(SECRET, T, b"{}"),
        b"{}",
        &[secret("current", "\"wbhsec_researchhub\" ")],
    ));
    assert!(d.contains("quotes removed"), "{d}");
}

#[test]
fn decoded_secret_is_diagnosed() {
    let header = format!(
        "t={T},v1={}",
        raw_hmac(&[0xde, 0xad, 0xbe, 0xef], format!("{T}.{{}}").as_bytes())
    );
    let d = diagnosis_of(&check(&header, b"{}", &[secret("hexy", "wbhsec_deadbeef")]));
    assert!(d.contains("hex-decoded"), "{d}");
    let header = format!(
        "t={T},v1={}",
        raw_hmac(b"hello", format!("{T}.{{}}").as_bytes())
    );
    let d = diagnosis_of(&check(&header, b"{}", &[secret("b64", "wbhsec_aGVsbG8=")]));
    assert!(d.contains("base64-decoded"), "{d}");
}

#[test]
fn parse_secret_accepts_labels_and_bare_values() {
    assert_eq!(
        parse_secret(" current=wbhsec_abc "),
        Ok(secret("current", "wbhsec_abc"))
    );
    assert_eq!(
        parse_secret("wbhsec_abc"),
        Ok(secret("default", "wbhsec_abc"))
    );
    assert_eq!(
        parse_secret("test = plain-secret=="),
        Ok(secret("test", "plain-secret==")),
        "non-wbhsec values are allowed"
    );
}

#[test]
fn parse_secret_rejects_unusable_input_with_a_hint() {
    for (spec, says) in [
        ("", "empty"),
        ("   ", "empty"),
        ("=wbhsec_abc", "nothing before '='"),
        ("current=", "nothing after '='"),
        ("current=  ", "nothing after '='"),
        ("current=wbhsec_a b", "whitespace"),
        ("wbhsec_a\tb", "whitespace"),
        ("just-a-value", "no '='"),
    ] {
        match parse_secret(spec) {
            Ok(s) => panic!("{spec:?} should be rejected, got {s:?}"),
            Err(e) => {
                assert!(e.contains(says), "{spec:?}: expected {says:?} in {e:?}");
                assert!(
                    e.contains("--secret"),
                    "{spec:?}: the error should say what to type: {e:?}"
                );
            }
        }
    }
}

#[test]
fn status_round_trips_through_its_name() {
    for st in Status::ALL {
        assert_eq!(Status::parse(st.as_str()), Some(st));
        assert_eq!(
            serde_json::to_value(st).unwrap(),
            serde_json::json!(st.as_str())
        );
    }
    assert_eq!(Status::parse("VALID"), Some(Status::Valid));
    assert_eq!(Status::parse("bogus"), None);
}

#[test]
fn verdict_serializes_with_status_lowercase() {
    let v = check(
        &sign(SECRET, T, b"abc123"),
        b"abc123",
        &[secret("current", SECRET)],
    );
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["status"], "valid", "{json}");
    assert_eq!(json["matched"]["secret"], "current");
    let back: Verdict = serde_json::from_value(json).unwrap();
    assert_eq!(back, v, "a verdict must survive a JSON round trip");
}

/// The verdict and the number of HMACs it took.
fn counted(header: &str, body: &[u8], secrets: &[Secret]) -> (Verdict, u64) {
    let macs = Macs::default();
    let v = judge(Some(header.as_bytes()), body, secrets, T, TOL, &macs);
    (v, macs.computed.get())
}

#[test]
fn long_headers_and_more_than_eight_v1_values_are_malformed_before_any_hmac() {
    let mac = v1(SECRET, T, b"{}");
    let one_pair = format!("t={T},{}", format!("v1={mac},").repeat(5_000));
    let many_pairs = format!("{} ", sign(SECRET, T, b"{}")).repeat(5_000);
    let comma_joined = vec![sign(SECRET, T, b"{}"); 9].join(", ");
    let short_values = format!("t={T},{}", "v1=ab,".repeat(50));
    let no_t = "a,".repeat(200 * 1024);
    let secrets = [secret("current", SECRET), secret("old", "wbhsec_old")];
    for (header, what) in [
        (one_pair, "is not read"),
        (many_pairs, "is not read"),
        (no_t, "400 KiB long"),
        (comma_joined, "9 v1 values"),
        (short_values, "50 v1 values"),
    ] {
        let (v, hmacs) = counted(&header, b"{}", &secrets);
        assert_eq!(v.status, Status::Malformed, "{what}: {v:?}");
        assert!(
            v.explanation.contains(what) && v.explanation.contains("no HMAC was computed"),
            "{what}: {}",
            v.explanation
        );
        assert_eq!(hmacs, 0, "{what}: no HMAC may be computed");
    }
    let eight = vec![sign(SECRET, T, b"{}"); 8].join(" ");
    let (v, _) = counted(&eight, b"{}", &secrets);
    assert_eq!(v.status, Status::Valid, "8 v1 values are still read: {v:?}");
}

#[test]
fn one_hmac_per_secret_and_timestamp_however_many_v1_share_it() {
    let wrong = "0".repeat(64);
    let good = v1(SECRET, T, b"{}");
    let header = format!("t={T},{}v1={good}", format!("v1={wrong},").repeat(7));
    let (v, hmacs) = counted(&header, b"{}", &[secret("current", SECRET)]);
    assert_eq!(v.status, Status::Valid, "{v:?}");
    assert_eq!(v.matched.as_ref().map(|m| m.pair), Some(7), "{v:?}");
    assert_eq!(hmacs, 1, "8 v1 values with one timestamp need one HMAC");
}

#[test]
fn diagnosis_is_linear_in_secrets_and_timestamps() {
    let body = br#"{"data": {"id": "evt_1"}}"#;
    for t_count in [1usize, 2, 4, 8] {
        let header = (0..t_count)
            .map(|n| format!("t={},v1={}", T - n as i64, "0".repeat(64)))
            .collect::<Vec<_>>()
            .join(" ");
        let secrets: Vec<Secret> = (0..3)
            .map(|n| secret(&format!("s{n}"), &format!("wbhsec_{n}")))
            .collect();
        let (v, hmacs) = counted(&header, body, &secrets);
        assert_eq!(v.status, Status::Invalid, "{v:?}");
        assert!(v.diagnosis.is_none(), "nothing should fit: {v:?}");
        // Per secret: the check (one per timestamp), the body alone (one), another pair's
        // timestamp (one per timestamp), at most 4 changed bodies and 4 mangled secrets
        // (each one per timestamp).
        let bound = (secrets.len() * (1 + 10 * t_count)) as u64;
        assert!(
            hmacs <= bound,
            "{t_count} timestamps × 3 secrets took {hmacs} HMACs, over the linear bound {bound}"
        );
    }
}

#[test]
fn a_large_invalid_body_is_not_diagnosed_and_the_verdict_says_so() {
    let body = vec![b' '; DIAGNOSIS_MAX_BODY + 1];
    let header = sign("wbhsec_other", T, &body);
    let (v, hmacs) = counted(&header, &body, &[secret("current", SECRET)]);
    assert_eq!(v.status, Status::Invalid, "{v:?}");
    assert!(v.diagnosis.is_none(), "{v:?}");
    assert!(
        v.explanation.contains("so the usual mistakes") && v.explanation.contains("not tried"),
        "{}",
        v.explanation
    );
    assert_eq!(hmacs, 1, "only the check itself hashes a large body");
}

#[test]
fn rotation_pairs_joined_with_commas_are_two_pairs() {
    let (old, new) = ("wbhsec_old", "wbhsec_new");
    let (a, b) = (sign(new, T, b"{}"), sign(old, T - 1, b"{}"));
    for separator in [", ", ",", " , ", ";", "  "] {
        let header = format!("{a}{separator}{b}");
        let v = check(&header, b"{}", &[secret("mine", old)]);
        assert_eq!(v.status, Status::Valid, "separator {separator:?}: {v:?}");
        assert_eq!(v.pairs.len(), 2, "separator {separator:?}: {v:?}");
        assert_eq!(
            (v.pairs[0].t, v.pairs[1].t),
            (T, T - 1),
            "separator {separator:?}: each pair keeps its own t"
        );
        assert_eq!(v.matched.as_ref().map(|m| m.pair), Some(1), "{v:?}");
        assert_eq!(v.timestamp, Some(T - 1), "{v:?}");
    }
    // Keys in any order still make one pair each, across a space.
    let reordered = format!(
        "v1={},t={T} v1={},t={}",
        v1(new, T, b"{}"),
        v1(old, T - 1, b"{}"),
        T - 1
    );
    let v = check(&reordered, b"{}", &[secret("mine", old)]);
    assert_eq!(v.status, Status::Valid, "{v:?}");
    assert_eq!(v.pairs.len(), 2, "{v:?}");
}

#[test]
fn garbage_headers_never_panic_and_never_validate() {
    let long_v1 = format!("t=1,v1={}", "ab".repeat(50_000));
    let many = format!("{} ", sign(SECRET, T, b"{}")).repeat(1_000);
    let huge_t = format!("t=99999999999999999999,v1={}", v1(SECRET, T, b"{}"));
    let extreme = format!("t={},v1={}", i64::MIN, "0".repeat(64));
    let odd: Vec<Vec<u8>> = vec![
        b"t=".to_vec(),
        b",,,".to_vec(),
        b"t=1,v1=".to_vec(),
        b"=".to_vec(),
        b"t=1,t=2,v1=,v1=".to_vec(),
        b" , t=1 ,, v1=00 ".to_vec(),
        "t=١٢٣,v1=é".as_bytes().to_vec(),
        long_v1.into_bytes(),
        many.into_bytes(),
        huge_t.into_bytes(),
        extreme.into_bytes(),
        vec![0xff, 0x00, 0xc3],
        vec![0u8; 4096],
    ];
    for header in odd {
        for secrets in [vec![], vec![secret("current", SECRET)]] {
            let v = verify(Some(&header), b"{}", &secrets, T, TOL);
            let shown: String = String::from_utf8_lossy(&header).chars().take(60).collect();
            assert_ne!(v.status, Status::Valid, "{shown:?} must not validate");
            assert!(
                !v.explanation.is_empty() && v.explanation.ends_with('.'),
                "{shown:?}: {}",
                v.explanation
            );
        }
    }
}
