//! Phase 2: the store's read queries over a table of many varied deliveries.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use persona_inspector::model::{Arrival, Filter, NewDelivery, Secret, Verification};
use persona_inspector::signature;
use persona_inspector::store::{DATABASE_FILE, SEARCH_FILE, Store};
use persona_inspector::{catalog, clock};

use crate::config::Config;
use crate::failure::{Context, Result, fail};
use crate::http::SECRET;
use crate::payload::{Event, Rng, event_body, id_prefix};

/// Rows per `insert_many` transaction while seeding.
const CHUNK: usize = 2000;
/// In every seeded body (see `event_body`): the worst case for a one-word search.
pub const COMMON_WORD: &str = "passed";

pub const LIST_TARGET: Duration = Duration::from_millis(10);
pub const LOOKUP_TARGET: Duration = Duration::from_millis(5);
pub const SEARCH_TARGET: Duration = Duration::from_millis(100);

pub struct Figures {
    pub rows: usize,
    pub insert: Duration,
    /// inspector.db and search.db with their WAL files, once the index has caught up.
    pub database_bytes: u64,
    /// The seeded bodies' own bytes.
    pub body_bytes: u64,
    pub queries: Vec<Query>,
}

/// One query's timings over `config.reps` runs.
pub struct Query {
    pub name: String,
    pub target: Duration,
    pub median: Duration,
    pub p99: Duration,
    /// Rows (or deliveries) the last run returned, to show it did real work.
    pub returned: usize,
}

impl Query {
    /// Judged on p99, the stricter of the two.
    pub fn met(&self) -> bool {
        self.p99 <= self.target
    }
}

pub fn run(config: &Config) -> Result<Figures> {
    let dir = tempfile::tempdir().context("creating a temporary data directory")?;
    let store = Store::open(dir.path()).context("opening the query store")?;
    let seeded = seed(&store, config.rows)?;
    // The search index fills in the background; a search waits for it. Let it finish here, so
    // the timings below don't share the machine with indexing.
    let started = Instant::now();
    store
        .list(&Filter {
            search: Some(COMMON_WORD.into()),
            limit: Some(1),
            ..Filter::default()
        })
        .context("catching up the search index")?;
    println!(
        "  search index caught up {:.1} s after seeding",
        started.elapsed().as_secs_f64()
    );
    // What insert_many left alone (a batch's tail) is packed in the background, as a
    // session's store would: waited for, so the size at rest is the packed one.
    store.start_packing().context("starting the packer")?;
    let started = Instant::now();
    while store.packing_pending().context("asking the packer")? {
        if started.elapsed() > Duration::from_secs(120) {
            println!("  the packer had not caught up after 120 s");
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "  packer caught up {:.1} s after the search index",
        started.elapsed().as_secs_f64()
    );
    let (busy_bytes, busy_files) = files(dir.path());
    println!("  files right after seeding: {busy_files}");
    // What the user's disk holds: once the store has gone quiet it empties both WALs, which
    // under load it keeps (up to 64 MB) to reuse.
    let waited = Instant::now();
    let (database_bytes, at_rest) = loop {
        let (bytes, each) = files(dir.path());
        let emptied = [DATABASE_FILE, SEARCH_FILE].iter().all(|file| {
            std::fs::metadata(dir.path().join(format!("{file}-wal"))).map_or(true, |m| m.len() == 0)
        });
        if emptied || waited.elapsed() > AT_REST_WAIT {
            break (bytes, each);
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    println!(
        "  files at rest ({:.1} s later{}): {at_rest}",
        waited.elapsed().as_secs_f64(),
        match waited.elapsed() > AT_REST_WAIT {
            true => ", the WALs were not emptied in time",
            false => "",
        }
    );
    match stored_bodies(dir.path()) {
        Ok(line) => println!("  {line}"),
        Err(e) => println!("  stored bodies: not read ({e})"),
    }
    match database_contents(dir.path()) {
        Ok(line) => println!("  {line}"),
        Err(e) => println!("  database contents: not read ({e})"),
    }
    println!(
        "  seeded {} deliveries in {:.1} s of inserts ({:.0} rows/s; generating them took {:.1} s more); database {:.0} MB right after seeding (with search.db and both WALs) for {:.0} MB of bodies",
        config.rows,
        seeded.insert.as_secs_f64(),
        config.rows as f64 / seeded.insert.as_secs_f64(),
        seeded.generate.as_secs_f64(),
        busy_bytes as f64 / 1e6,
        seeded.body_bytes as f64 / 1e6
    );

    // Each repetition asks for something different, so no run merely repeats the one before.
    let mut rng = Rng::new(3);
    let mut sample =
        |n: usize| -> Vec<usize> { (0..n).map(|_| rng.below(seeded.events.len())).collect() };
    let (by_event, by_resource, by_prefix, by_id) = (
        sample(config.reps),
        sample(config.reps),
        sample(config.reps),
        sample(config.reps),
    );
    let events = &seeded.events;
    let list = |filter: Filter| store.list(&filter).map(|rows| rows.len());
    let queries = vec![
        time("list newest 200", LIST_TARGET, config.reps, |_| {
            list(Filter {
                limit: Some(200),
                ..Filter::default()
            })
        })?,
        time("lookup by event id", LOOKUP_TARGET, config.reps, |i| {
            list(Filter {
                event_id: Some(events[by_event[i]].event_id.clone()),
                ..Filter::default()
            })
        })?,
        time("lookup by resource id", LOOKUP_TARGET, config.reps, |i| {
            list(Filter {
                resource_id: Some(events[by_resource[i]].resource_id.clone()),
                ..Filter::default()
            })
        })?,
        time("get(id) in full", LOOKUP_TARGET, config.reps, |i| {
            store.get(events[by_id[i]].id).map(|_| 1)
        })?,
        time("search rare id prefix", SEARCH_TARGET, config.reps, |i| {
            // "inq_" and 6 characters: a prefix of one resource's id, as someone pastes it.
            let id = &events[by_prefix[i]].resource_id;
            let prefix = id.split_once('_').map_or(4, |(p, _)| p.len() + 7);
            list(Filter {
                search: Some(id.chars().take(prefix).collect()),
                ..Filter::default()
            })
        })?,
        time(
            &format!("search common word \"{COMMON_WORD}\""),
            SEARCH_TARGET,
            config.reps,
            |_| {
                list(Filter {
                    search: Some(COMMON_WORD.into()),
                    ..Filter::default()
                })
            },
        )?,
    ];
    Ok(Figures {
        rows: config.rows,
        insert: seeded.insert,
        database_bytes,
        body_bytes: seeded.body_bytes,
        queries,
    })
}

/// Times `query(i)` for i in 0..reps after one untimed run (which compiles the statement and
/// warms SQLite's cache, as any open UI would have). Fails if a query ever finds nothing: it
/// would not be measuring what its name says.
fn time(
    name: &str,
    target: Duration,
    reps: usize,
    mut query: impl FnMut(usize) -> persona_inspector::Result<usize>,
) -> Result<Query> {
    query(0).context(name)?;
    let mut took = Vec::with_capacity(reps);
    let mut returned = 0;
    for i in 0..reps {
        let started = Instant::now();
        returned = query(i).context(name)?;
        took.push(started.elapsed());
        if returned == 0 {
            return Err(fail(format!("{name} found nothing (repetition {i})")));
        }
    }
    took.sort_unstable();
    let q = Query {
        name: name.to_string(),
        target,
        median: crate::stats::percentile(&took, 0.5),
        p99: crate::stats::percentile(&took, 0.99),
        returned,
    };
    println!(
        "  {:<30} median {:>9}  p99 {:>9}  ({} rows)  target p99 ≤ {}: {}",
        q.name,
        crate::stats::ms(q.median),
        crate::stats::ms(q.p99),
        q.returned,
        crate::stats::ms(q.target),
        crate::stats::verdict(q.met())
    );
    Ok(q)
}

pub struct Seeded {
    events: Vec<Seed>,
    body_bytes: u64,
    insert: Duration,
    generate: Duration,
}

/// A stored delivery the queries will look for.
struct Seed {
    id: i64,
    event_id: String,
    resource_id: String,
}

/// Fills the store with `rows` deliveries of every catalog event, as the listener would have
/// stored them (signed, parsed, verified). About one in 20 is a retry of a recent event (same
/// event id and body) and one in four is a further event about a recent resource.
pub fn seed(store: &Store, rows: usize) -> Result<Seeded> {
    let names: Vec<&str> = catalog::all().iter().map(|e| e.name).collect();
    if names.is_empty() {
        return Err(fail("the event catalog is empty"));
    }
    let verification = Verification {
        secrets: vec![Secret {
            label: "current".into(),
            value: SECRET.into(),
        }],
        ..Verification::default()
    };
    let mut rng = Rng::new(2);
    let accounts: Vec<String> = (0..(rows / 20).max(1)).map(|_| rng.id("act")).collect();
    let first_ms = clock::now_ms() - rows as i64 * 500;
    let mut recent: Vec<(String, String, Vec<u8>)> = Vec::new();
    let mut latest_resource: HashMap<&str, String> = HashMap::new();
    let mut seeded = Seeded {
        events: Vec::with_capacity(rows),
        body_bytes: 0,
        insert: Duration::ZERO,
        generate: Duration::ZERO,
    };
    let mut done = 0;
    while done < rows {
        let started = Instant::now();
        let n = CHUNK.min(rows - done);
        let mut chunk = Vec::with_capacity(n);
        for i in done..done + n {
            let received_at_ms = first_ms + i as i64 * 500;
            let (event_id, resource_id, body) = match recent.len() {
                len if len > 0 && rng.chance(5) => recent[rng.below(len)].clone(),
                _ => {
                    let name = *rng.pick(&names);
                    let resource = name.rsplit_once('.').map_or(name, |(r, _)| r);
                    let resource_id = match latest_resource.get(resource) {
                        Some(id) if rng.chance(25) => id.clone(),
                        _ => rng.id(id_prefix(resource)),
                    };
                    latest_resource.insert(resource, resource_id.clone());
                    let event_id = rng.id("evt");
                    let event = Event {
                        name,
                        event_id: &event_id,
                        resource_id: &resource_id,
                        account_id: rng.pick(&accounts).as_str(),
                        created_at_ms: received_at_ms - 200,
                        size: 3000 + rng.below(3000),
                    };
                    let body = event_body(&mut rng, &event);
                    if recent.len() == 256 {
                        recent.swap_remove(rng.below(256));
                    }
                    recent.push((event_id.clone(), resource_id.clone(), body.clone()));
                    (event_id, resource_id, body)
                }
            };
            let signature = signature::sign(SECRET, received_at_ms / 1000, &body);
            let arrival = Arrival {
                received_at_ms,
                method: "POST".into(),
                path: "/webhooks/persona".into(),
                query: None,
                remote_addr: Some("127.0.0.1:50000".into()),
                headers: vec![
                    ("content-type".into(), b"application/json".to_vec()),
                    ("user-agent".into(), b"Persona-Webhooks".to_vec()),
                    ("persona-signature".into(), signature.into_bytes()),
                    ("persona-webhook-attempts-made".into(), b"1".to_vec()),
                    ("persona-webhook-attempts-left".into(), b"7".to_vec()),
                ],
            };
            seeded.body_bytes += body.len() as u64;
            chunk.push(NewDelivery::captured(arrival, body, &verification));
            seeded.events.push(Seed {
                id: 0,
                event_id,
                resource_id,
            });
        }
        seeded.generate += started.elapsed();
        let started = Instant::now();
        let stored = store.insert_many(chunk).context("seeding the store")?;
        seeded.insert += started.elapsed();
        for (seed, stored) in seeded.events[done..].iter_mut().zip(stored) {
            seed.id = stored.id;
        }
        done += n;
    }
    Ok(seeded)
}

/// How long the bench waits for the store to empty its WALs (it does after 5 s of quiet).
const AT_REST_WAIT: Duration = Duration::from_secs(20);

/// The bytes of the database, the search index and their WALs in `dir`, and each file's size.
fn files(dir: &std::path::Path) -> (u64, String) {
    let files: Vec<(String, u64)> = [DATABASE_FILE, SEARCH_FILE]
        .iter()
        .flat_map(|file| ["", "-wal", "-journal"].map(|suffix| format!("{file}{suffix}")))
        .filter_map(|name| {
            let bytes = std::fs::metadata(dir.join(&name)).ok()?.len();
            Some((name, bytes))
        })
        .collect();
    let each: Vec<String> = files
        .iter()
        .map(|(name, bytes)| format!("{name} {:.1} MB", *bytes as f64 / 1e6))
        .collect();
    (files.iter().map(|(_, bytes)| bytes).sum(), each.join(", "))
}

/// What `inspector.db` holds: its size, the free pages in it (left by rows the packer shrank,
/// reused by later rows), the packs, and `search.db`'s size.
pub fn database_contents(dir: &std::path::Path) -> rusqlite::Result<String> {
    let db = rusqlite::Connection::open_with_flags(
        dir.join(DATABASE_FILE),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let pragma = |name: &str| db.pragma_query_value(None, name, |r| r.get::<_, i64>(0));
    let (pages, free, page) = (
        pragma("page_count")?,
        pragma("freelist_count")?,
        pragma("page_size")?,
    );
    let packs: (i64, i64) = db.query_row(
        "SELECT count(*), coalesce(sum(length(frame)), 0) FROM body_packs",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let search = std::fs::metadata(dir.join(SEARCH_FILE)).map_or(0, |m| m.len());
    Ok(format!(
        "inspector.db {:.1} MB ({:.1} MB of it free pages; {} packs, {:.1} MB), search.db {:.1} MB",
        (pages * page) as f64 / 1e6,
        (free * page) as f64 / 1e6,
        packs.0,
        packs.1 as f64 / 1e6,
        search as f64 / 1e6
    ))
}

/// The bodies alone: their stored bytes against their bytes as received, per encoding, read
/// from the seeded database (the figure a body dictionary moves, without the rows, indexes and
/// search index around it).
fn stored_bodies(dir: &std::path::Path) -> rusqlite::Result<String> {
    let db = rusqlite::Connection::open_with_flags(
        dir.join(DATABASE_FILE),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    // A packed row (code 3) holds where its body is; its bytes are its share of its pack's.
    let mut query = db.prepare(
        "SELECT body_encoding, count(*),
             CASE body_encoding WHEN 3 THEN (SELECT coalesce(sum(length(frame)), 0)
                 FROM body_packs) ELSE sum(length(body)) END,
             sum(body_size)
         FROM deliveries GROUP BY body_encoding ORDER BY body_encoding",
    )?;
    let rows: Vec<(i64, i64, i64, i64)> = query
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let (stored, received) = rows
        .iter()
        .fold((0, 0), |(s, r), row| (s + row.2, r + row.3));
    let each: Vec<String> = rows
        .iter()
        .map(|(encoding, n, s, r)| {
            format!(
                "encoding {encoding}: {n} rows, {:.3}x",
                *s as f64 / (*r).max(1) as f64
            )
        })
        .collect();
    Ok(format!(
        "stored bodies / body bytes {:.3}x ({:.1} / {:.1} MB; {})",
        stored as f64 / received.max(1) as f64,
        stored as f64 / 1e6,
        received as f64 / 1e6,
        each.join(", ")
    ))
}
