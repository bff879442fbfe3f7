//! `resend` and `serve --forward-to`: re-delivering captures to the app under development.

use std::io::Write;
use std::net::SocketAddr;

use clap::Args;
use persona_inspector::forward::{DEFAULT_TIMEOUT_MS, Forwarder, Options, Signing, target_url};
use persona_inspector::signature::{self, Secret};
use persona_inspector::store::{Store, Summary};
use persona_inspector::{Error, Result};
use time::UtcOffset;

#[derive(Args)]
pub struct ResendArgs {
    /// The delivery's id (see `persona-inspector list`)
    id: i64,
    /// Where to send it, e.g. http://127.0.0.1:3000/webhooks/persona
    #[arg(long, value_name = "URL")]
    to: String,
    /// Replace Persona-Signature with a fresh one made with this secret (by label); without it
    /// the original signature is sent, which a handler checking timestamps rejects as a replay
    #[arg(long, value_name = "LABEL")]
    resign: Option<String>,
    /// Append the delivery's original path and query to URL
    #[arg(long)]
    keep_path: bool,
    /// How long to wait for the answer (Persona waits 5000 ms)
    #[arg(long, value_name = "MS", default_value_t = DEFAULT_TIMEOUT_MS)]
    timeout_ms: u64,
    /// Print the recorded attempt as JSON
    #[arg(long)]
    json: bool,
    /// A secret to re-sign with, as LABEL=wbhsec_… (the app's saved secrets are used too)
    #[arg(long = "secret", value_name = "LABEL=SECRET", env = "PERSONA_INSPECTOR_SECRETS",
          value_delimiter = ' ', hide_env_values = true, value_parser = signature::parse_secret)]
    secrets: Vec<Secret>,
}

/// Sends one delivery again and prints the outcome. Any HTTP answer, 500 included, is a
/// success of the command (the status is printed); no answer at all is an error.
pub fn resend(store: &Store, args: ResendArgs, out: &mut impl Write) -> Result<()> {
    let forwarder = Forwarder::new()?.with_secrets(args.secrets);
    let options = Options {
        keep_path: args.keep_path,
        signing: signing(args.resign),
        timeout_ms: args.timeout_ms,
        ..Options::new(args.to)
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let record = runtime.block_on(forwarder.redeliver(store, args.id, &options))?;
    let attempt = &record.attempt;
    if args.json {
        let json =
            serde_json::to_string_pretty(&record).map_err(|e| Error::Invalid(e.to_string()))?;
        writeln!(out, "{json}")?;
    } else if attempt.answer.is_some() {
        writeln!(
            out,
            "{} {}  {}",
            attempt.method,
            attempt.url,
            attempt.describe()
        )?;
    }
    match &attempt.failure {
        Some(failure) => Err(Error::Invalid(failure.message.clone())),
        None => Ok(()),
    }
}

fn signing(resign: Option<String>) -> Signing {
    match resign {
        Some(secret) => Signing::Resign { secret },
        None => Signing::Keep,
    }
}

#[derive(Args)]
pub struct ForwardArgs {
    /// Send every capture, once stored, to this URL too (your app's webhook endpoint); the
    /// answer to Persona does not wait for it
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
    /// Re-sign forwarded deliveries with this secret (by label) and a fresh timestamp
    #[arg(long, value_name = "LABEL", requires = "forward_to")]
    forward_resign: Option<String>,
}

/// `serve --forward-to`: each capture is re-delivered once stored, and its line printed with
/// the result.
pub struct Forwarding {
    forwarder: Forwarder,
    store: Store,
    options: Options,
}

impl Forwarding {
    /// None without --forward-to. Refuses an unusable URL or label, and a URL that would send
    /// every capture back to this very listener (each forward would be captured and forwarded
    /// again, for ever).
    pub fn new(
        store: &Store,
        args: ForwardArgs,
        secrets: &[Secret],
        listening: SocketAddr,
    ) -> Result<Option<Forwarding>> {
        let Some(target) = args.forward_to else {
            return Ok(None);
        };
        let forwarder = Forwarder::new()?.with_secrets(secrets.to_vec());
        let options = Options {
            signing: signing(args.forward_resign),
            ..Options::new(target)
        };
        forwarder.check(store, &options)?;
        if points_at(&options.target, listening) {
            return Err(Error::Invalid(format!(
                "--forward-to {} is this listener itself: every forward would be captured and \
                 forwarded again — give your app's URL",
                options.target
            )));
        }
        Ok(Some(Forwarding {
            forwarder,
            store: store.clone(),
            options,
        }))
    }

    /// For the banner: where captures go, and how they are signed.
    pub fn describe(&self) -> String {
        let signature = match &self.options.signing {
            Signing::Keep => "signature kept as Persona sent it".to_string(),
            Signing::Resign { secret } => format!("re-signed with \"{secret}\""),
        };
        format!(
            "each capture to {} ({signature}; the answer to Persona does not wait)",
            self.options.target
        )
    }

    /// Forwards one capture in the background and prints its line when the forward is done.
    pub fn spawn(&self, summary: Summary, json: bool, offset: UtcOffset) {
        let (forwarder, store, options) = (
            self.forwarder.clone(),
            self.store.clone(),
            self.options.clone(),
        );
        tokio::spawn(async move {
            let result = forwarder.redeliver(&store, summary.id, &options).await;
            let line = if json {
                let mut value = serde_json::to_value(&summary).unwrap_or_default();
                if let serde_json::Value::Object(fields) = &mut value {
                    let forward = match &result {
                        Ok(record) => serde_json::to_value(record).unwrap_or_default(),
                        Err(e) => serde_json::json!({ "error": e.to_string() }),
                    };
                    fields.insert("forward".into(), forward);
                }
                value.to_string()
            } else {
                let outcome = match &result {
                    Ok(record) => record.attempt.describe(),
                    Err(e) => format!("✗ not forwarded: {e}"),
                };
                format!("{}  {outcome}", crate::terminal::line(&summary, offset))
            };
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}").and_then(|_| out.flush());
        });
    }
}

/// Whether `target` is the listener at `listening`: the same port on this machine.
fn points_at(target: &str, listening: SocketAddr) -> bool {
    let Some(url) = target_url(target, "/", None, false)
        .ok()
        .and_then(|u| u.parse::<axum::http::Uri>().ok())
    else {
        return false;
    };
    let https = url.scheme_str() == Some("https");
    let port = url.port_u16().unwrap_or(if https { 443 } else { 80 });
    let host = url.host().unwrap_or_default().trim_matches(['[', ']']);
    let here = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified() || ip == listening.ip());
    port == listening.port() && here
}
