//! The listener's accept loop and its limits. `axum::serve` can neither bound connections nor
//! time out a slow request head, and the listener faces the internet, so connections are served
//! here with hyper: HTTP/1.1 only (Persona and ngrok speak it to the local listener).
//!
//! What one sender can hold, at most: a connection slot until its request head has arrived
//! (`header_timeout`), an in-flight slot until its body has arrived (`Settings::body_timeout`)
//! and been committed. Past either cap the answer is a prompt `503` with `Retry-After`, which
//! Persona treats as "retry later".

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower_service::Service;

use super::overloaded;
use super::stall::StallGuard;

pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_MAX_CONNECTIONS: usize = 128;
pub const DEFAULT_MAX_IN_FLIGHT: usize = 32;

/// The listener's limits, fixed for its life.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// A request head (request line and headers) must arrive within this long of the
    /// connection being ready for one; the same timer closes idle keep-alive connections.
    pub header_timeout: Duration,
    /// A reply the client has not taken for this long (it stopped reading) closes the
    /// connection.
    pub stall_timeout: Duration,
    /// Connections open at once. One more gets a `503` and is closed.
    pub max_connections: usize,
    /// Requests being handled at once (their bodies are buffered, up to `--max-body` each), so
    /// this times the body limit bounds the memory bodies take. One more gets a `503`.
    pub max_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

/// Connections over the cap being turned away at once; beyond this they are closed unanswered,
/// so a flood of connections costs no more than this many small tasks.
const MAX_TURNING_AWAY: usize = 64;
/// A turned-away connection's request head must arrive within this long (at most).
const TURN_AWAY_TIMEOUT: Duration = Duration::from_secs(2);
/// Accept errors such as "too many open files" recur at once; wait before accepting again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `router` under `limits` until `shutdown` resolves; then stops accepting and returns
/// once the requests in flight are answered.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let turning_away = Arc::new(Semaphore::new(MAX_TURNING_AWAY));
    let in_flight = Arc::new(Semaphore::new(limits.max_in_flight));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let mut refuse = http1::Builder::new();
    refuse
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout.min(TURN_AWAY_TIMEOUT))
        .keep_alive(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!("could not accept a connection: {error}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = connections.clone().try_acquire_owned() else {
            turn_away(stream, &turning_away, &refuse);
            continue;
        };
        // Replies are small and sent whole: don't let Nagle hold them back.
        let _ = stream.set_nodelay(true);
        let service = {
            let (router, in_flight) = (router.clone(), in_flight.clone());
            service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                let admitted = in_flight.clone().try_acquire_owned();
                let mut router = router.clone();
                async move {
                    // Held until the answer is made, so the body is counted until it is freed.
                    let Ok(_admitted) = admitted else {
                        tracing::warn!("{remote}: too many requests in flight; answered 503");
                        return Ok::<_, Infallible>(overloaded("too many requests in flight"));
                    };
                    router.call(request).await
                }
            })
        };
        let stream = TokioIo::new(StallGuard::new(stream, limits.stall_timeout));
        let connection = graceful.watch(http.serve_connection(stream, service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!("connection from {remote} ended: {error}");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A `503` on a connection over the cap, as soon as its request head is read (a reply sent
/// before the request confuses clients: hyper and Go drop it as unsolicited), then close.
fn turn_away(stream: TcpStream, turning_away: &Arc<Semaphore>, http: &http1::Builder) {
    let Ok(slot) = turning_away.clone().try_acquire_owned() else {
        return;
    };
    let service = service_fn(|_request: Request<Incoming>| async {
        Ok::<_, Infallible>(overloaded("too many connections"))
    });
    let connection = http.serve_connection(TokioIo::new(stream), service);
    tokio::spawn(async move {
        let _ = connection.await;
        drop(slot);
    });
}
