//! Checking the user's handler from the app: run with a saved secret, and the recorded runs.

use super::{Session, SessionError, blocking};
use crate::endpoint_check::{self, Plan};
use crate::model::{CheckCase, CheckRun, CheckRunSummary};
use crate::redeliver::find_secret;

impl Session {
    /// Sends the endpoint check's cases to `url`, signed with the secret labelled
    /// `secret_label` (saved, or given to this session), with `event` (a catalog name; None:
    /// `inquiry.completed`); records and returns the run. `on_case` is told each case as it
    /// finishes (the cases take up to 10 s each when the handler is slow). A URL that gives no
    /// answer at all is refused, with the reason, before any case runs (kind `send`).
    pub async fn check_endpoint(
        &self,
        url: &str,
        secret_label: &str,
        event: Option<&str>,
        on_case: impl FnMut(&CheckCase),
    ) -> Result<CheckRun, SessionError> {
        let store = self.store()?;
        let client = self.client()?;
        let secrets = {
            let (client, store) = (client.clone(), store.clone());
            blocking(move || client.secrets(&store)).await?
        };
        let secret = find_secret(
            &secrets,
            secret_label,
            "to sign the check's deliveries with",
        )?
        .clone();
        let plan = Plan::new(url, secret, event)?;
        Ok(endpoint_check::check(&client, &store, &plan, on_case).await?)
    }

    /// The recorded endpoint checks, the most recent first, at most `limit`.
    pub async fn endpoint_checks(&self, limit: u32) -> Result<Vec<CheckRunSummary>, SessionError> {
        self.read(move |store| store.check_runs(limit)).await
    }

    /// Recorded endpoint check `id`, every request and answer included.
    pub async fn endpoint_check(&self, id: i64) -> Result<CheckRun, SessionError> {
        self.read(move |store| store.check_run(id)).await
    }
}
