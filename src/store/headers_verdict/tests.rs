use super::*;
use crate::model::{Headers, Secret, headers_to_json};

const NOW_MS: i64 = 1_700_000_000_000;
const TOLERANCE: u64 = 300;

fn secret(value: &str) -> Secret {
    Secret {
        label: "default".into(),
        value: value.into(),
    }
}

/// A catalog sample of `event` with Persona's headers (and, when `transport`, what an HTTP
/// client and ngrok add), and its verdict of each kind: valid, invalid (another secret),
/// unchecked (none saved), missing, malformed, and valid but stale.
fn shapes(event: &str, seed: u64, transport: bool) -> Vec<(Verdict, Headers)> {
    let options = crate::sample::Options {
        seed: Some(seed),
        ..crate::sample::Options::new(event, NOW_MS)
    };
    let body = crate::sample::generate(&options).expect("sample").body;
    let right = format!("wbhsec_{seed:08x}right");
    let mut headers = crate::sample::headers(&body, &right, NOW_MS);
    if transport {
        let length = body.len().to_string();
        let extra = [
            ("host", "abcd-203-0-113-7.ngrok-free.app"),
            ("content-length", length.as_str()),
            ("accept-encoding", "gzip"),
            ("x-forwarded-for", "35.232.44.140"),
            ("x-forwarded-host", "abcd-203-0-113-7.ngrok-free.app"),
            ("x-forwarded-proto", "https"),
        ];
        for (i, (name, value)) in extra.into_iter().enumerate() {
            headers.insert(i.min(1), (name.to_string(), value.as_bytes().to_vec()));
        }
    }
    let header = headers
        .iter()
        .find(|(name, _)| name == "persona-signature")
        .map(|(_, value)| value.clone());
    let now = NOW_MS / 1000;
    let verify = |header: Option<&[u8]>, secrets: &[Secret], at: i64| {
        crate::signature::verify(header, &body, secrets, at, TOLERANCE)
    };
    let without_signature: Headers = headers
        .iter()
        .filter(|(name, _)| name != "persona-signature")
        .cloned()
        .collect();
    let malformed = b"t=yesterday,v1=".to_vec();
    vec![
        (
            verify(header.as_deref(), &[secret(&right)], now),
            headers.clone(),
        ),
        (
            verify(header.as_deref(), &[secret("wbhsec_wrong")], now),
            headers.clone(),
        ),
        (verify(header.as_deref(), &[], now), headers.clone()),
        (verify(None, &[secret(&right)], now), without_signature),
        (
            verify(Some(&malformed), &[secret(&right)], now),
            headers.clone(),
        ),
        (
            verify(header.as_deref(), &[secret(&right)], now + 3600),
            headers,
        ),
    ]
}

fn round_trip(verdict: &Verdict, headers: &Headers) -> Columns {
    let json = headers_to_json(headers).to_string();
    let columns = encode(verdict, json.clone()).expect("encoded");
    let back = decode(
        7,
        columns.headers_verdict.clone(),
        columns.signature.clone(),
        Some(columns.headers.clone()),
    )
    .expect("decodes");
    assert_eq!(back.headers, json, "the headers' JSON comes back exactly");
    assert_eq!(
        back.verdict,
        serde_json::to_string(verdict).expect("json"),
        "the verdict's JSON comes back exactly"
    );
    let parsed: serde_json::Value = serde_json::from_str(&back.headers).expect("json");
    assert_eq!(crate::model::headers_from_json(&parsed), *headers);
    let only_verdict = decode(
        7,
        columns.headers_verdict.clone(),
        columns.signature.clone(),
        None,
    )
    .expect("decodes");
    assert_eq!(only_verdict.verdict, back.verdict);
    columns
}

#[test]
fn every_verdict_kind_and_header_shape_comes_back_exactly() {
    let mut kinds = std::collections::BTreeSet::new();
    for (verdict, headers) in shapes("inquiry.approved", 99, true) {
        kinds.insert((verdict.status.as_str(), verdict.stale));
        let columns = round_trip(&verdict, &headers);
        assert!(columns.headers_verdict.is_some(), "compressed");
        assert_eq!(columns.headers, NO_HEADERS);
        assert_eq!(columns.signature, NO_VERDICT);
        assert_eq!(
            columns.stale_age,
            verdict.stale.then(|| verdict.age_seconds.unwrap_or(0))
        );
    }
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    let verdict = shapes("inquiry.approved", 99, false).remove(0).0;

    // Empty headers, a non-UTF-8 value (kept in base64), names and values with quotes,
    // newlines, control characters and non-ASCII text, a repeated name, an empty value.
    let odd: Headers = vec![
        ("x-binary".into(), vec![0xff, 0xfe, 0x00, b'a', 0x80]),
        (
            "x-quote".into(),
            b"\"quoted\" \\ back\nslash\r\t\x01".to_vec(),
        ),
        (
            "x-unicode".into(),
            "d\u{e9}j\u{e0} vu \u{1F600}".as_bytes().to_vec(),
        ),
        ("x-repeated".into(), b"one".to_vec()),
        ("x-repeated".into(), b"two".to_vec()),
        ("x-empty".into(), Vec::new()),
    ];
    for headers in [Vec::new(), odd] {
        assert!(round_trip(&verdict, &headers).headers_verdict.is_some());
    }

    // A huge set under the bound is compressed; one over it is kept as text. Both read.
    let huge: Headers = (0..5_000)
        .map(|i| {
            (
                format!("x-header-{i}"),
                format!("value {i} {}", i * 7919).into_bytes(),
            )
        })
        .collect();
    let columns = round_trip(&verdict, &huge);
    assert!(columns.headers_verdict.is_some());
    let over: Headers = (0..40)
        .map(|i| (format!("x-big-{i}"), vec![b'a' + (i % 26) as u8; 30_000]))
        .collect();
    let columns = round_trip(&verdict, &over);
    assert_eq!(
        columns.headers_verdict, None,
        "over {MAX_TEXTS} bytes: text"
    );
    assert_ne!(columns.headers, NO_HEADERS);
}

#[test]
fn a_row_from_before_reads_its_text_columns() {
    let texts =
        decode(3, None, "{\"status\":\"valid\"}".into(), Some("[]".into())).expect("text columns");
    assert_eq!(texts.verdict, "{\"status\":\"valid\"}");
    assert_eq!(texts.headers, "[]");
}

#[test]
fn a_corrupt_or_hostile_column_is_an_error() {
    let (verdict, headers) = shapes("inquiry.approved", 5, false).remove(0);
    let columns = encode(&verdict, headers_to_json(&headers).to_string()).expect("encoded");
    let good = columns.headers_verdict.expect("compressed");
    let read = |stored: Vec<u8>| {
        decode(11, Some(stored), NO_VERDICT.into(), Some(NO_HEADERS.into()))
            .expect_err("refused")
            .to_string()
    };
    let expect = |stored: Vec<u8>, says: &str| {
        let refused = read(stored);
        assert!(
            refused.contains(says) && refused.contains("delivery 11"),
            "{refused}"
        );
    };
    expect(Vec::new(), "empty");
    expect(vec![ZSTD_DICT_V1], "not a zstd frame");
    expect(
        [&[ZSTD_DICT_V1][..], b"not zstd at all"].concat(),
        "not a zstd frame",
    );
    let mut unknown = good.clone();
    unknown[0] = 9;
    expect(unknown, "newer inspector");
    let mut truncated = good.clone();
    truncated.truncate(good.len() - 3);
    expect(truncated, "does not decompress");
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x55;
    // A changed byte may still decode (there is no checksum); reading it must not panic.
    let _ = decode(
        11,
        Some(flipped),
        NO_VERDICT.into(),
        Some(NO_HEADERS.into()),
    );

    // Frames whose content is not what this module writes.
    let frame = |content: &[u8]| {
        let mut compressor =
            Compressor::with_prepared_dictionary(encoder_dictionary().expect("dictionary"))
                .expect("compressor");
        [
            &[ZSTD_DICT_V1][..],
            &compressor.compress(content).expect("frame"),
        ]
        .concat()
    };
    expect(frame(b"\x7f{}[]"), "verdict's length");
    expect(frame(b"\xff\xff\xff\xff\xff"), "does not start with");
    expect(frame(b"\x02\xff\xfe[]"), "verdict is not UTF-8");
    expect(frame(b"\x02{}\xff"), "headers is not UTF-8");

    // A frame that declares more than a row may hold is refused before anything is
    // allocated: an RLE block of 2 MiB is a few bytes.
    let mut bomb = vec![ZSTD_DICT_V1];
    bomb.extend(zstd::bulk::compress(&vec![b'a'; 2 * MAX_TEXTS], 1).expect("frame"));
    assert!(bomb.len() < 1_000);
    expect(bomb, "over the");
    // One that does not declare its size is refused too.
    let mut compressor =
        Compressor::with_prepared_dictionary(encoder_dictionary().expect("dictionary"))
            .expect("compressor");
    compressor
        .set_parameter(zstd::zstd_safe::CParameter::ContentSizeFlag(false))
        .expect("no size");
    let unsized_frame = compressor.compress(b"\x02{}[]").expect("frame");
    expect(
        [&[ZSTD_DICT_V1][..], &unsized_frame].concat(),
        "does not declare",
    );
}

/// Bytes a row's headers and verdict take, as text and compressed, for the benchmark's kind of
/// delivery (a first attempt, signed, with what an HTTP client sends) over seeds the
/// dictionary was not trained on. Prints the figures (`--nocapture`).
#[test]
fn compressing_saves_most_of_the_bytes() {
    let (mut text, mut packed, mut rows) = (0, 0, 0);
    for event in crate::catalog::all().iter().step_by(7) {
        for (verdict, headers) in shapes(event.name, 1_000, true).into_iter().take(1) {
            let json = headers_to_json(&headers).to_string();
            text += json.len() + serde_json::to_string(&verdict).expect("json").len();
            let columns = encode(&verdict, json).expect("encoded");
            packed += columns.headers_verdict.expect("compressed").len()
                + columns.headers.len()
                + columns.signature.len();
            rows += 1;
        }
    }
    // What the list pays a row: decompressing the frame for its verdict.
    let (verdict, headers) = shapes("inquiry.approved", 1_000, true).remove(0);
    let columns = encode(&verdict, headers_to_json(&headers).to_string()).expect("encoded");
    let started = std::time::Instant::now();
    for _ in 0..1_000 {
        let stored = columns.headers_verdict.clone();
        decode(1, stored, NO_VERDICT.into(), None).expect("decodes");
    }
    println!(
        "headers + verdict: {} B a row as text, {} B compressed ({rows} rows); a verdict \
         decoded in {:.1} µs",
        text / rows,
        packed / rows,
        started.elapsed().as_secs_f64() * 1e3
    );
    assert!(packed * 2 < text, "{packed} of {text} bytes");
}

/// The dictionary is versioned data: written once and never changed for its format code
/// (rows written with it decode with it alone), so it is pinned by its hash. It was trained by
/// this test with PERSONA_INSPECTOR_WRITE_DICT=headers, which writes the file only where it is
/// absent (a new dictionary gets a file and a format code of its own). Trained on
/// frames' contents as `pack` makes them: each catalog event's samples with Persona's headers
/// (half of them with what an HTTP client and ngrok add) and every kind of verdict.
#[test]
fn the_dictionary_is_trained_on_headers_and_verdicts_of_every_kind() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/store/headers_verdict_dict_v1.bin");
    if std::env::var_os("PERSONA_INSPECTOR_WRITE_DICT").is_some_and(|v| v == "headers")
        && !path.exists()
    {
        let mut samples = Vec::new();
        for event in crate::catalog::all() {
            for seed in 0..2 {
                for (verdict, headers) in shapes(event.name, seed, seed == 1) {
                    let verdict = serde_json::to_string(&verdict).expect("json");
                    samples.push(content(&verdict, &headers_to_json(&headers).to_string()));
                }
            }
        }
        let dict = zstd::dict::from_samples(&samples, 4 * 1024).expect("trained");
        std::fs::write(&path, dict).expect("written");
    }
    let committed = std::fs::read(&path).expect("the dictionary file");
    assert_eq!(
        crate::store::body::tests::sha256_hex(&committed),
        "72cf507f092985d18532122c240c8a0e305fbb94addb74d08d349f8243acab4d",
        "headers_verdict_dict_v1.bin changed: rows written with it would not read"
    );
    assert_eq!(
        committed, DICT_V1,
        "the build embeds the committed dictionary"
    );
    // A zstd dictionary's magic number.
    assert_eq!(committed[..4], [0x37, 0xA4, 0x30, 0xEC]);
}

/// Tests over a real database: rows of both kinds through every reader of the store.
mod in_a_database {
    use rusqlite::{Connection, params};

    use super::*;
    use crate::model::{Arrival, Filter, NewDelivery, Status, Verification};
    use crate::store::{DATABASE_FILE, Store, schema};

    /// Headers of every shape: an X-Forwarded-For (the list's source), a non-UTF-8 value and
    /// the signature; a verdict flagged stale, 400 s old.
    fn headers() -> Headers {
        vec![
            ("host".into(), b"example.test".to_vec()),
            (
                "x-forwarded-for".into(),
                b"198.51.100.1, 35.232.44.140".to_vec(),
            ),
            ("x-binary".into(), vec![0xff, 0x00, 0xc3, b'z']),
            ("persona-signature".into(), b"t=1700000000,v1=abc".to_vec()),
        ]
    }

    fn stale_verdict(explanation: &str) -> Verdict {
        let mut verdict = Verdict::new(Status::Valid, explanation.into(), TOLERANCE);
        verdict.timestamp = Some(1_700_000_000);
        verdict.age_seconds = Some(400);
        verdict.stale = true;
        verdict.stale_note = Some("400 s old".into());
        verdict
    }

    fn delivery(verdict: Verdict) -> NewDelivery {
        let arrival = Arrival {
            received_at_ms: NOW_MS,
            method: "POST".into(),
            path: "/hooks".into(),
            query: None,
            remote_addr: Some("127.0.0.1:50000".into()),
            headers: headers(),
        };
        let mut delivery =
            NewDelivery::captured(arrival, b"{\"data\":{}}".to_vec(), &Verification::default());
        delivery.signature = verdict;
        delivery
    }

    /// A schema 11 database holding one row as the inspector before this one wrote it, with
    /// no X-Forwarded-For column (as rows from before schema 9 have).
    fn schema_11() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp");
        let mut conn = Connection::open(dir.path().join(DATABASE_FILE)).expect("db");
        schema::migrations()
            .to_version(&mut conn, 11)
            .expect("schema 11");
        let verdict = serde_json::to_string(&stale_verdict("old")).expect("json");
        conn.execute(
            "INSERT INTO deliveries (received_at, method, path, remote_addr, headers, body,
                 body_size, outcome, signature_status, signature)
             VALUES (?1, 'POST', '/hooks', '127.0.0.1:50000', ?2, x'7b7d', 2, 'captured',
                 'valid', ?3)",
            params![NOW_MS, headers_to_json(&headers()).to_string(), verdict],
        )
        .expect("old row");
        dir
    }

    fn columns(store: &Store, id: i64) -> (String, String, Option<Vec<u8>>, Option<i64>) {
        store
            .write(move |conn| {
                Ok(conn.query_row(
                    "SELECT headers, signature, headers_verdict, stale_age FROM deliveries
                     WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?)
            })
            .expect("columns")
    }

    /// What every reader makes of row `id`: its verdict in the list and in full, its headers
    /// in full and for sending again, its source and staleness.
    fn read(store: &Store, id: i64, explanation: &str) {
        let listed = store.list_stored(&Filter::default()).expect("list");
        let summary = listed.iter().find(|s| s.id == id).expect("listed");
        assert_eq!(summary.signature.explanation, explanation);
        assert!(summary.signature.stale);
        assert_eq!(summary.source_ip.as_deref(), Some("35.232.44.140"));
        let record = store.record(id).expect("record");
        assert_eq!(record.summary.signature, summary.signature);
        assert_eq!(crate::model::headers_from_json(&record.headers), headers());
        let raw = store.raw(id).expect("raw");
        assert_eq!(raw.arrival.headers, headers(), "every header byte for byte");
        assert_eq!(raw.stale, Some(400));
        let counts = store.signing_counts(&[id]).expect("counts");
        assert_eq!(counts.len(), 1);
        assert_eq!(counts[0].stale, Some(400));
    }

    #[test]
    fn a_schema_11_database_is_migrated_and_both_kinds_of_rows_read() {
        let dir = schema_11();
        let store = Store::open(dir.path()).expect("opens");
        let version: i64 = store
            .write(|conn| Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?))
            .expect("version");
        assert_eq!(version, crate::store::schema::latest_version());

        // The old row is read from its text columns, and not rewritten.
        let (headers_text, _, frame, stale_age) = columns(&store, 1);
        assert_eq!(frame, None);
        assert_eq!(stale_age, None);
        assert_eq!(headers_text, headers_to_json(&headers()).to_string());
        read(&store, 1, "old");

        // A new row is compressed, and reads the same.
        let stored = store
            .insert_many(vec![delivery(stale_verdict("new"))])
            .expect("stored");
        let id = stored[0].id;
        let (headers_text, signature, frame, stale_age) = columns(&store, id);
        assert_eq!((headers_text.as_str(), signature.as_str()), ("[]", "{}"));
        assert!(frame.is_some());
        assert_eq!(stale_age, Some(400));
        read(&store, id, "new");
    }

    /// A re-check writes the changed verdict as a new row's (converting a row from before),
    /// and keeps every header byte.
    #[test]
    fn a_recheck_rewrites_the_verdict_of_either_kind_of_row() {
        let dir = schema_11();
        let store = Store::open(dir.path()).expect("opens");
        store
            .insert_many(vec![delivery(stale_verdict("new"))])
            .expect("stored");
        let seen = std::sync::Mutex::new(Vec::new());
        let changed = store
            .recheck_with(|headers, _, _| {
                seen.lock().expect("lock").push(headers.clone());
                stale_verdict("rechecked")
            })
            .expect("rechecked");
        assert_eq!(changed, 2);
        assert_eq!(*seen.lock().expect("lock"), vec![headers(), headers()]);
        for id in [1, 2] {
            let (headers_text, signature, frame, stale_age) = columns(&store, id);
            assert_eq!((headers_text.as_str(), signature.as_str()), ("[]", "{}"));
            assert!(frame.is_some(), "row {id} compressed");
            assert_eq!(stale_age, Some(400));
            read(&store, id, "rechecked");
        }
        // Nothing changes the second time.
        let again = store
            .recheck_with(|_, _, _| stale_verdict("rechecked"))
            .expect("rechecked");
        assert_eq!(again, 0);
    }

    #[test]
    fn a_corrupt_row_is_refused_when_read_and_listed_with_its_stored_status() {
        let dir = tempfile::tempdir().expect("temp");
        let store = Store::open(dir.path()).expect("opens");
        let stored = store
            .insert_many(vec![
                delivery(stale_verdict("a")),
                delivery(stale_verdict("b")),
            ])
            .expect("stored");
        let (good, bad) = (stored[0].id, stored[1].id);
        store
            .write(move |conn| {
                conn.execute(
                    "UPDATE deliveries SET headers_verdict = x'01deadbeef' WHERE id = ?1",
                    [bad],
                )?;
                Ok(())
            })
            .expect("damaged");
        let is_corrupt = |error: crate::Error| {
            assert!(
                matches!(&error, crate::Error::CorruptHeaders { id, .. } if *id == bad),
                "{error}"
            );
        };
        is_corrupt(store.record(bad).err().expect("refused"));
        is_corrupt(store.raw(bad).expect_err("refused"));
        // The list shows both: the damaged one with the status it was stored with and why its
        // verdict cannot be read.
        let listed = store.list_stored(&Filter::default()).expect("the list");
        assert_eq!(listed.len(), 2, "the damaged row hides no other");
        let damaged = listed.iter().find(|s| s.id == bad).expect("listed");
        assert_eq!(damaged.signature.status, Status::Valid);
        assert!(
            damaged.signature.explanation.contains("cannot be read"),
            "{}",
            damaged.signature.explanation
        );
        // The other row reads, and a re-check skips the damaged one.
        let explanation = |id| {
            store
                .record(id)
                .expect("record")
                .summary
                .signature
                .explanation
        };
        assert_eq!(explanation(good), "a");
        assert_eq!(store.raw(good).expect("raw").arrival.headers, headers());
        let changed = store
            .recheck_with(|_, _, _| stale_verdict("c"))
            .expect("rechecked");
        assert_eq!(changed, 1);
        assert_eq!(explanation(good), "c");
        is_corrupt(store.record(bad).err().expect("still refused"));
    }
}
