//! Phase 3: one-click re-delivery against sending the same bytes directly with a plain reqwest
//! client, to the same local server, in the same run, one request at a time (as a person
//! clicks). The difference is what re-delivery adds: reading the delivery, re-signing it,
//! sending through its own client, and recording the attempt durably.

use std::time::{Duration, Instant};

use axum::Router;
use persona_inspector::model::{Filter, Secret, Signing};
use persona_inspector::redeliver::{self, Client, Options};
use persona_inspector::store::Store;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::config::Config;
use crate::failure::{Context, Result, fail};
use crate::http::{SECRET, Server, bare, runtime};
use crate::stats::{ms, percentile};

/// What re-delivery may add over a plain send, at p50.
pub const ADDED_TARGET: Duration = Duration::from_millis(1);
/// Distinct stored deliveries the sends cycle through.
const DELIVERIES: usize = 200;

pub struct Figures {
    /// Sorted.
    pub direct: Vec<Duration>,
    /// Sorted.
    pub redelivery: Vec<Duration>,
    /// Per pair, re-delivery minus the direct send next to it, in ms; sorted.
    pub added_ms: Vec<f64>,
    /// p50 of the parts of a re-delivery, timed apart: read + prepare, send, record.
    pub parts: [Duration; 3],
}

impl Figures {
    pub fn added_p50(&self) -> f64 {
        self.added_ms
            .get(self.added_ms.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(0.0)
    }

    pub fn met(&self) -> bool {
        self.added_p50() < ADDED_TARGET.as_secs_f64() * 1e3
    }
}

pub fn run(config: &Config) -> Result<Figures> {
    let server_runtime = runtime("bench-target", 1)?;
    let server = Server::start(&server_runtime, Router::new().fallback(bare), 1)?;
    let url = format!("http://{}/webhooks/persona", server.addr);
    let dir = tempfile::tempdir().context("creating a temporary data directory")?;
    let store = Store::open(dir.path()).context("opening the re-delivery store")?;
    store
        .add_secret("current", SECRET)
        .context("saving the secret")?;
    crate::queries::seed(&store, DELIVERIES)?;
    // A search waits for the background index to take in the seeded rows: it is idle before
    // the timing starts, as it is when a person clicks.
    store
        .list(&Filter {
            search: Some(crate::queries::COMMON_WORD.into()),
            limit: Some(1),
            ..Filter::default()
        })
        .context("letting the search index catch up")?;
    println!(
        "target (bare axum) on {}; {DELIVERIES} stored deliveries; {} timed sends each way",
        server.addr, config.redeliveries
    );

    // The person's side: one request at a time, on its own thread.
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the client runtime")?;
    let figures = client_runtime.block_on(measure(&store, &url, config.redeliveries))?;
    server.stop(&server_runtime)?;

    let recorded: usize = (1..=DELIVERIES as i64)
        .map(|id| store.redeliveries(id).map(|r| r.len()))
        .sum::<std::result::Result<usize, _>>()
        .context("reading the recorded attempts")?;
    let expected = warmup(config.redeliveries) + 2 * config.redeliveries;
    if recorded != expected {
        return Err(fail(format!(
            "{recorded} re-deliveries were recorded, {expected} expected"
        )));
    }
    println!(
        "  direct send      p50 {} / p99 {}",
        ms(percentile(&figures.direct, 0.5)),
        ms(percentile(&figures.direct, 0.99))
    );
    println!(
        "  re-delivery      p50 {} / p99 {}",
        ms(percentile(&figures.redelivery, 0.5)),
        ms(percentile(&figures.redelivery, 0.99))
    );
    println!(
        "  added, p50 of pairs {:.3} ms; parts at p50: read + re-sign {}, send {}, record {}",
        figures.added_p50(),
        ms(figures.parts[0]),
        ms(figures.parts[1]),
        ms(figures.parts[2])
    );
    println!("  check: every send answered 200, every attempt recorded");
    Ok(figures)
}

fn warmup(sends: usize) -> usize {
    (sends / 10).clamp(10, 200)
}

async fn measure(store: &Store, url: &str, sends: usize) -> Result<Figures> {
    let client = Client::new().context("starting the re-delivery client")?;
    let plain = reqwest::Client::builder()
        .no_proxy()
        .build()
        .context("starting the plain client")?;
    let options = Options {
        signing: Signing::Resign {
            secret: "current".into(),
        },
        ..Options::new(url)
    };
    let secrets = vec![Secret {
        label: "current".into(),
        value: SECRET.into(),
    }];
    // The direct sends carry exactly what re-delivery sends: headers and body as prepared.
    let mut prepared = Vec::with_capacity(DELIVERIES);
    for id in 1..=DELIVERIES as i64 {
        let raw = store.raw(id).context("reading a stored delivery")?;
        let outgoing = redeliver::prepare(
            raw,
            &options,
            &secrets,
            persona_inspector::clock::now_ms() / 1000,
        )
        .context("preparing a delivery")?;
        let mut headers = HeaderMap::new();
        for (name, value) in &outgoing.headers {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).context("header name")?,
                HeaderValue::from_bytes(value).context("header value")?,
            );
        }
        prepared.push((headers, outgoing.body));
    }

    let mut direct = Vec::with_capacity(sends);
    let mut redelivery = Vec::with_capacity(sends);
    let mut added_ms = Vec::with_capacity(sends);
    let warm = warmup(sends);
    for i in 0..warm + sends {
        let id = (i % DELIVERIES) as i64 + 1;
        let (headers, body) = &prepared[i % DELIVERIES];
        let send_direct = async {
            let started = Instant::now();
            let response = plain
                .post(url)
                .headers(headers.clone())
                .body(body.clone())
                .send()
                .await
                .context("direct send")?;
            let status = response.status();
            response.bytes().await.context("direct answer")?;
            if status != 200 {
                return Err(fail(format!("the direct send got {status}")));
            }
            Ok(started.elapsed())
        };
        let send_redelivery = async {
            let started = Instant::now();
            let record = client
                .redeliver(store, id, &options)
                .await
                .context("re-delivery")?;
            let took = started.elapsed();
            match record.attempt.answer.map(|a| a.status) {
                Some(200) => Ok(took),
                _ => Err(fail(format!(
                    "a re-delivery was not answered 200: {}",
                    record
                        .attempt
                        .failure
                        .map(|f| f.message)
                        .unwrap_or_default()
                ))),
            }
        };
        // Alternate which goes first, so neither always meets a warmer connection.
        let (d, r) = if i % 2 == 0 {
            let d = send_direct.await?;
            (d, send_redelivery.await?)
        } else {
            let r = send_redelivery.await?;
            (send_direct.await?, r)
        };
        if i >= warm {
            direct.push(d);
            redelivery.push(r);
            added_ms.push((r.as_secs_f64() - d.as_secs_f64()) * 1e3);
        }
    }

    // The same work in its parts, to say where the added time goes.
    let mut parts: [Vec<Duration>; 3] = Default::default();
    for i in 0..sends {
        let id = (i % DELIVERIES) as i64 + 1;
        let started = Instant::now();
        let raw = store.raw(id).context("reading a stored delivery")?;
        let secrets = client.secrets(store).context("reading the secrets")?;
        let outgoing = redeliver::prepare(
            raw,
            &options,
            &secrets,
            persona_inspector::clock::now_ms() / 1000,
        )
        .context("preparing a delivery")?;
        parts[0].push(started.elapsed());
        let started = Instant::now();
        let attempt = client.send(outgoing).await;
        parts[1].push(started.elapsed());
        let started = Instant::now();
        store
            .record_redelivery(id, attempt)
            .await
            .context("recording")?;
        parts[2].push(started.elapsed());
    }
    for part in &mut parts {
        part.sort();
    }
    direct.sort();
    redelivery.sort();
    added_ms.sort_by(f64::total_cmp);
    Ok(Figures {
        direct,
        redelivery,
        added_ms,
        parts: parts.map(|p| percentile(&p, 0.5)),
    })
}
