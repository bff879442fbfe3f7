//! The listener: takes any request on any path, stores it byte for byte, and only then
//! answers. It is exposed to the internet through ngrok, so it serves nothing but captures.
//! Its connection and request limits are in `listener`.

mod listener;
mod stall;

pub use listener::{
    DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_IN_FLIGHT, DEFAULT_STALL_TIMEOUT,
    Limits,
};

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
/// The listener's reply status, re-exported so callers need no HTTP crate of their own.
pub use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tokio::net::TcpListener;
use tokio::sync::broadcast;

use crate::error::{Error, Result};
use crate::model::{Arrival, NewDelivery, Saved, Verification, format_size};
use crate::sample::{self, TestEventKey};
use crate::store::{Store, Stored, Summary};

/// The answer header that names the stored delivery (the app's own samples read it).
pub const DELIVERY_ID_HEADER: &str = "x-inspector-delivery-id";

pub const DEFAULT_MAX_BODY: usize = 10 * 1024 * 1024;
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Past the limit the body is read and dropped (so the sender gets a clean 413) up to this
/// much; beyond it the connection is simply closed.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;
/// Bodies at least this big are analysed off the async workers. A sender can make a signature
/// cost up to about 80 HMACs over the body per secret (8 timestamps, then the diagnosis), so
/// below this that is at most a few MB hashed: milliseconds. Persona's bodies are a few KB.
const BLOCKING_ANALYSIS: usize = 64 * 1024;

/// How the listener answers, for rehearsing Persona's retries.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: StatusCode,
    pub delay: Duration,
    /// None: a small JSON acknowledgement with the delivery id.
    pub body: Option<Bytes>,
}

impl Default for Reply {
    fn default() -> Self {
        Reply {
            status: StatusCode::OK,
            delay: Duration::ZERO,
            body: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub verification: Verification,
    pub max_body: usize,
    /// A body that takes longer than this to arrive is dropped with 408: the listener faces
    /// the internet, and a sender trickling bytes must not hold a connection for ever.
    pub body_timeout: Duration,
    pub reply: Reply,
    /// The app's key for its own test events (None: the CLI, which sends none).
    pub test_event: Option<TestEventKey>,
    /// Persona's webhook source addresses, which each announced delivery's source is looked
    /// up in (the stored rows are looked up when read, in the list saved then).
    pub persona_ips: Vec<IpAddr>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            verification: Verification::default(),
            max_body: DEFAULT_MAX_BODY,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            reply: Reply::default(),
            test_event: None,
            persona_ips: Saved::default().persona_ips(),
        }
    }
}

/// The capture engine: a store, live settings, and a channel announcing each stored delivery.
#[derive(Clone)]
pub struct Capture {
    store: Store,
    settings: Arc<RwLock<Arc<Settings>>>,
    arrivals: broadcast::Sender<Summary>,
}

impl Capture {
    pub fn new(store: Store, settings: Settings) -> Capture {
        Capture {
            store,
            settings: Arc::new(RwLock::new(Arc::new(settings))),
            arrivals: broadcast::channel(1024).0,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Each delivery, once committed.
    pub fn subscribe(&self) -> broadcast::Receiver<Summary> {
        self.arrivals.subscribe()
    }

    pub fn settings(&self) -> Arc<Settings> {
        match self.settings.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Applies to requests that arrive from now on.
    pub fn set_settings(&self, settings: Settings) {
        let settings = Arc::new(settings);
        match self.settings.write() {
            Ok(mut s) => *s = settings,
            Err(poisoned) => *poisoned.into_inner() = settings,
        }
    }

    pub fn router(&self) -> Router {
        Router::new().fallback(capture).with_state(self.clone())
    }
}

/// Binds the listener, turning "address in use" into advice.
pub async fn bind(host: &str, port: u16) -> Result<TcpListener> {
    TcpListener::bind((host, port))
        .await
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AddrInUse => Error::PortInUse {
                host: host.to_string(),
                port,
            },
            _ => Error::Bind {
                addr: format!("{host}:{port}"),
                source,
            },
        })
}

/// Serves captures under the default [`Limits`] until `shutdown` resolves, then finishes the
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener::serve(listener, router, Limits::default(), shutdown).await
}

/// [`serve`] under other limits.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener::serve(listener, router, limits, shutdown).await
}

async fn capture(State(capture): State<Capture>, request: Request) -> Response {
    let settings = capture.settings();
    let (parts, mut body) = request.into_parts();
    let mut arrival = Arrival {
        received_at_ms: crate::clock::now_ms(),
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        remote_addr: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.to_string()),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_string(), value.as_bytes().to_vec()))
            .collect(),
    };
    let source = sample::source_of(settings.test_event.as_ref(), &mut arrival.headers);

    let announced: Option<u64> = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let max = settings.max_body;
    // The announced size is only a hint (anyone on the internet can claim 10 MiB and send
    // nothing), so at most 1 MiB is reserved up front.
    let mut kept = Vec::with_capacity(announced.unwrap_or(0).min(max as u64).min(1 << 20) as usize);
    let mut seen: u64 = 0;
    if announced.is_none_or(|n| n <= DRAIN_LIMIT) {
        let read = async {
            while let Some(frame) = body.frame().await {
                // An error is the sender going away mid-body.
                let Ok(frame) = frame else { return false };
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                seen += data.len() as u64;
                if seen <= max as u64 {
                    kept.extend_from_slice(&data);
                } else {
                    kept = Vec::new();
                    if seen > DRAIN_LIMIT {
                        break;
                    }
                }
            }
            true
        };
        // Nothing was acknowledged in either case, so nothing is kept.
        match tokio::time::timeout(settings.body_timeout, read).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!("{} {}: the body broke off", arrival.method, arrival.path);
                return reply(StatusCode::BAD_REQUEST, "the request body broke off");
            }
            Err(_) => {
                tracing::warn!(
                    "{} {}: the body took too long",
                    arrival.method,
                    arrival.path
                );
                return reply(
                    StatusCode::REQUEST_TIMEOUT,
                    "the request body took too long",
                );
            }
        }
    }
    let size = announced.unwrap_or(0).max(seen);
    if size > max as u64 {
        let mut delivery = NewDelivery::too_large(arrival, size, max);
        delivery.source = source;
        delivery.reply_status = Some(StatusCode::PAYLOAD_TOO_LARGE.as_u16());
        if let Err(e) = store(&capture, &settings, delivery).await {
            tracing::error!("could not record a rejected oversized delivery: {e}");
        }
        let message = format!(
            "the body ({}) is over the inspector's limit of {} — raise it with --max-body",
            format_size(size),
            format_size(max as u64)
        );
        return reply(StatusCode::PAYLOAD_TOO_LARGE, &message);
    }

    let verification = settings.verification.clone();
    let delivery = if kept.len() >= BLOCKING_ANALYSIS {
        let analysed = tokio::task::spawn_blocking(move || {
            NewDelivery::captured(arrival, kept, &verification)
        })
        .await;
        match analysed {
            Ok(delivery) => delivery,
            Err(e) => {
                tracing::error!("analysing a delivery failed: {e}");
                return unavailable();
            }
        }
    } else {
        NewDelivery::captured(arrival, kept, &verification)
    };

    let delivery = NewDelivery {
        source,
        reply_status: Some(settings.reply.status.as_u16()),
        ..delivery
    };
    match store(&capture, &settings, delivery).await {
        Ok(id) => {
            if !settings.reply.delay.is_zero() {
                tokio::time::sleep(settings.reply.delay).await;
            }
            acknowledge(&settings.reply, id)
        }
        Err(e) => {
            tracing::error!("could not store a delivery, answered 503 so the sender retries: {e}");
            unavailable()
        }
    }
}

/// Commits, then announces. Returns the delivery id.
async fn store(capture: &Capture, settings: &Settings, delivery: NewDelivery) -> Result<i64> {
    // Summarised before the body moves into the writer, so it is never copied.
    let mut summary = Summary::of_new(Stored::default(), &delivery, &settings.persona_ips);
    let stored = capture.store.insert(delivery).await?;
    summary.id = stored.id;
    summary.event_deliveries = stored.event_deliveries;
    // Nobody listening is fine: the CLI and the app subscribe only when they show arrivals.
    let _ = capture.arrivals.send(summary);
    Ok(stored.id)
}

fn acknowledge(settings: &Reply, id: i64) -> Response {
    let (content_type, body) = match &settings.body {
        None => (
            "application/json",
            Bytes::from(format!("{{\"received\":true,\"delivery_id\":{id}}}")),
        ),
        Some(body) if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() => {
            ("application/json", body.clone())
        }
        Some(body) => ("text/plain; charset=utf-8", body.clone()),
    };
    let mut response = (settings.status, Body::from(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(DELIVERY_ID_HEADER, HeaderValue::from(id));
    response
}

fn reply(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Seconds a sender is asked to wait after a `503` (Persona keeps its own retry schedule).
const RETRY_AFTER_SECONDS: &str = "1";

fn unavailable() -> Response {
    overloaded("the inspector could not store this delivery")
}

/// `503` with `Retry-After`: nothing was kept, the sender should send again.
fn overloaded(why: &str) -> Response {
    let mut response = reply(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!("{why}; retry later"),
    );
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECONDS),
    );
    response
}
