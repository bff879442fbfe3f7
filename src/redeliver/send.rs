//! Sending: the HTTP client, one exchange with the target, and a failure put in words a person
//! can act on.

use std::time::{Duration, Instant};

use reqwest::Url;

use super::Options;
use super::prepare::{Outgoing, RESIGN, find_secret, header_map, prepare};
use super::target::Target;
use crate::error::{Error, Result};
use crate::model::{
    Answer, Attempt, Failure, FailureKind, Origin, PERSONA_TIMEOUT, Redelivery, Secret, Signing,
    human_duration, persona_would_accept,
};
use crate::store::Store;

/// How much of an answer's body is kept.
pub const RESPONSE_CAP: usize = 1024 * 1024;

/// The result of one send by the forward rule or a bulk run: the recorded attempt, or why
/// nothing could be sent (the delivery was purged, over the size limit, the secret removed…).
#[derive(Clone, Debug)]
pub struct Report {
    pub delivery_id: i64,
    pub result: std::result::Result<Redelivery, String>,
}

/// Sends re-deliveries. Cheap to clone; keeps connections to targets open between sends.
#[derive(Clone)]
pub struct Client {
    client: reqwest::Client,
    /// Secrets to re-sign with besides the saved ones (the CLI's --secret); looked up first.
    secrets: Vec<Secret>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new() -> Result<Client> {
        let client = reqwest::Client::builder()
            // Persona does not follow redirects: a 3xx is the answer, and following one would
            // turn the POST into a GET.
            .redirect(reqwest::redirect::Policy::none())
            // Targets are usually on this machine; a proxy from the environment would stand
            // between the delivery and the app under test.
            .no_proxy()
            .build()
            .map_err(|e| {
                Error::Invalid(format!(
                    "cannot start the HTTP client for re-delivery ({e}); please report this"
                ))
            })?;
        Ok(Client {
            client,
            secrets: Vec::new(),
        })
    }

    /// Also re-signs with these secrets, looked up before the saved ones.
    pub fn with_secrets(mut self, secrets: Vec<Secret>) -> Client {
        self.secrets = secrets;
        self
    }

    /// The secrets a re-signing label is looked up in: this client's, then the saved ones.
    pub fn secrets(&self, store: &Store) -> Result<Vec<Secret>> {
        let mut all = self.secrets.clone();
        all.extend(
            store
                .secrets()?
                .into_iter()
                .map(|saved| saved.secret)
                .filter(|saved| !self.secrets.iter().any(|s| s.label == saved.label)),
        );
        Ok(all)
    }

    /// Refuses, before anything is sent, options that could not be used for any delivery: the
    /// target URL, the timeout, the re-signing label.
    pub fn check(&self, store: &Store, options: &Options) -> Result<()> {
        Target::parse(&options.target, options.keep_path)?;
        options.timeout()?;
        if let Signing::Resign { secret } = &options.signing {
            find_secret(&self.secrets(store)?, secret, RESIGN)?;
        }
        if let Some(headers) = &options.edits.headers {
            header_map(headers)?;
        }
        Ok(())
    }

    /// Re-delivers delivery `id` and records the attempt, whatever its result. An error means
    /// nothing was sent (unknown delivery, unusable options) or the record could not be saved.
    pub async fn redeliver(&self, store: &Store, id: i64, options: &Options) -> Result<Redelivery> {
        let outgoing = self.prepare(store, id, options)?;
        let attempt = self.send(outgoing).await;
        store.record_redelivery(id, attempt).await
    }

    /// The request for delivery `id`, signed now when re-signing; nothing is sent.
    pub fn prepare(&self, store: &Store, id: i64, options: &Options) -> Result<Outgoing> {
        let raw = store.raw(id)?;
        let secrets = match options.signing {
            Signing::Keep => Vec::new(),
            Signing::Resign { .. } => self.secrets(store)?,
        };
        prepare(
            raw,
            options,
            &secrets,
            crate::clock::now_ms().div_euclid(1000),
        )
    }

    /// Sends a prepared request and waits for the whole answer (or the timeout).
    pub async fn send(&self, outgoing: Outgoing) -> Attempt {
        let started_at_ms = crate::clock::now_ms();
        let started = Instant::now();
        let result = self.exchange(&outgoing).await;
        let duration_ms = started.elapsed().as_secs_f64() * 1e3;
        let (answer, failure) = match result {
            Ok(mut answer) => {
                answer.persona_success = persona_would_accept(answer.status, duration_ms);
                (Some(answer), None)
            }
            Err(failure) => (None, Some(failure)),
        };
        Attempt {
            origin: Origin::Manual,
            retry: 0,
            next_retry_at_ms: None,
            started_at: crate::clock::rfc3339(started_at_ms),
            started_at_ms,
            target: outgoing.target,
            method: outgoing.method,
            url: outgoing.url,
            headers: outgoing.headers,
            edited_body: outgoing.body_edited.then(|| outgoing.body.to_vec()),
            body_size: outgoing.body.len() as u64,
            signing: outgoing.signing,
            signing_note: outgoing.signing_note,
            timeout_ms: outgoing.timeout.as_millis() as u64,
            duration_ms,
            answer,
            failure,
        }
    }

    async fn exchange(&self, outgoing: &Outgoing) -> std::result::Result<Answer, Failure> {
        let url = Target::parse(&outgoing.url, false)
            .map_err(|e| Failure {
                kind: FailureKind::Connection,
                message: e.to_string(),
            })?
            .url()
            .clone();
        let unsendable = |e: Error| Failure {
            kind: FailureKind::Connection,
            message: e.to_string(),
        };
        let method = reqwest::Method::from_bytes(outgoing.method.as_bytes()).map_err(|_| {
            unsendable(Error::Invalid(format!(
                "the method \"{}\" cannot be sent",
                outgoing.method
            )))
        })?;
        let headers = header_map(&outgoing.headers).map_err(unsendable)?;
        let timeout = outgoing.timeout;
        let mut response = self
            .client
            .request(method, url.clone())
            .headers(headers)
            .body(outgoing.body.clone())
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| classify(&e, &url, timeout))?;
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_string(), value.as_bytes().to_vec()))
            .collect();
        let mut body = Vec::new();
        let mut truncated = false;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = RESPONSE_CAP - body.len();
                    if chunk.len() > room {
                        // The rest is not read: dropping the response closes the connection.
                        body.extend_from_slice(&chunk[..room]);
                        truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    let status = match status.canonical_reason() {
                        Some(reason) => format!("{} {reason}", status.as_u16()),
                        None => status.as_u16().to_string(),
                    };
                    let failure = classify(&e, &url, timeout);
                    let message = match failure.kind {
                        FailureKind::Timeout => format!(
                            "answered {status}, but the rest of the answer did not come within \
                             {} — {}",
                            human_duration(timeout.as_secs_f64() * 1e3),
                            persona_on_timeout(timeout)
                        ),
                        _ => format!(
                            "answered {status}, then the connection broke off before the end of \
                             the answer ({})",
                            deepest_cause(&e)
                        ),
                    };
                    return Err(Failure {
                        kind: failure.kind,
                        message,
                    });
                }
            }
        }
        Ok(Answer {
            status: status.as_u16(),
            reason: status.canonical_reason().map(str::to_string),
            headers,
            body,
            truncated,
            persona_success: false,
        })
    }
}

/// Turns a client error into a reason a person can act on.
fn classify(error: &reqwest::Error, url: &Url, timeout: Duration) -> Failure {
    let host = url.host_str().unwrap_or_default();
    let place = match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    let fail = |kind, message| Failure { kind, message };
    if error.is_timeout() {
        return fail(
            FailureKind::Timeout,
            format!(
                "no answer within {} — {}",
                human_duration(timeout.as_secs_f64() * 1e3),
                persona_on_timeout(timeout)
            ),
        );
    }
    let mut refused = false;
    let mut dns = false;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        // hyper-util's connector names its resolver failures so.
        dns |= e.to_string().starts_with("dns error");
        source = e.source();
    }
    let cause = deepest_cause(error);
    if refused {
        return fail(
            FailureKind::NotListening,
            format!("nothing is listening on {place} — is your app running?"),
        );
    }
    if dns {
        return fail(
            FailureKind::Dns,
            format!(
                "could not resolve host {host} ({cause}) — check the spelling, or use 127.0.0.1 \
                 for this machine"
            ),
        );
    }
    // Past the TCP connect, an https connector only fails in the TLS handshake.
    if error.is_connect() && url.scheme() == "https" {
        let lower = cause.to_ascii_lowercase();
        let hint = if lower.contains("corrupt message") || lower.contains("invalidcontenttype") {
            " — it looks like the target speaks plain HTTP: try http:// instead"
        } else if lower.contains("certificate") {
            " — the target's certificate is not trusted here (self-signed, expired, or for \
             another name)"
        } else {
            ""
        };
        return fail(
            FailureKind::Tls,
            format!("TLS handshake with {host} failed: {cause}{hint}"),
        );
    }
    if error.is_connect() {
        return fail(
            FailureKind::Connection,
            format!("could not connect to {place}: {cause}"),
        );
    }
    fail(
        FailureKind::Connection,
        format!("{place} closed the connection without a complete answer ({cause})"),
    )
}

fn persona_on_timeout(timeout: Duration) -> &'static str {
    if timeout >= PERSONA_TIMEOUT {
        "Persona would count this as a failure and retry"
    } else {
        "Persona would wait up to 5 s"
    }
}

/// The innermost error's message: the one that names the actual problem.
fn deepest_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut last = error;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}
