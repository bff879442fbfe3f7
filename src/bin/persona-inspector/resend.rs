//! `resend`: re-delivering one stored delivery by hand to the app under development.

use std::io::Write;

use clap::Args;
use persona_inspector::model::{DEFAULT_TIMEOUT_MS, Secret, Signing};
use persona_inspector::redeliver::{Client, Options};
use persona_inspector::store::Store;
use persona_inspector::{Error, Result};

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
    /// With --resign: re-sign it even when Persona did not sign it (its signature is invalid,
    /// missing, malformed or unchecked, or it was imported) or its valid signature was stale
    /// when it arrived (an old request sent again?); without this it keeps its own
    #[arg(long, requires = "resign")]
    resign_unverified: bool,
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
          value_delimiter = ' ', hide_env_values = true, value_parser = persona_inspector::model::parse_secret)]
    secrets: Vec<Secret>,
}

/// Sends one delivery again and prints the outcome. Any HTTP answer, 500 included, is a
/// success of the command (the status is printed); no answer at all is an error.
pub fn resend(store: &Store, args: ResendArgs, out: &mut impl Write) -> Result<()> {
    let client = Client::new()?.with_secrets(args.secrets);
    let options = Options {
        keep_path: args.keep_path,
        signing: signing(args.resign),
        resign_unverified: args.resign_unverified,
        timeout_ms: args.timeout_ms,
        ..Options::new(args.to)
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let record = runtime.block_on(client.redeliver(store, args.id, &options))?;
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
    if attempt.signing_note.is_some() {
        eprintln!("note: --resign-unverified re-signs it anyway, if you trust where it came from");
    }
    match &attempt.failure {
        Some(failure) => Err(Error::Invalid(failure.message.clone())),
        None => Ok(()),
    }
}

/// Re-signs with `resign` (a secret's label) or keeps the signature as captured.
pub fn signing(resign: Option<String>) -> Signing {
    match resign {
        Some(secret) => Signing::Resign { secret },
        None => Signing::Keep,
    }
}
