//! Why the session could not do what was asked, with a kind a caller branches on (the app's
//! window gets it as `{kind, message}`).

use crate::error::Error;

/// Every [`SessionError::kind`].
pub const KINDS: [&str; 7] = [
    "not_found",
    "invalid",
    "store",
    "unavailable",
    "listen",
    "send",
    "internal",
];

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The store or the HTTP client could not start at launch; says why.
    #[error("{0}")]
    Unavailable(String),
    /// The listener could not move to the port asked for (the old one, if any, keeps running).
    #[error("{0}")]
    Listen(String),
    /// The test event could not be sent, or the listener did not store it. (An endpoint check
    /// whose URL gave no answer is a core `Unreachable`, of this kind too.)
    #[error("{0}")]
    Send(String),
    /// Work stopped unexpectedly (a panicked task).
    #[error("{0}")]
    Internal(String),
    /// What the core refused or failed at.
    #[error(transparent)]
    Core(#[from] Error),
}

impl SessionError {
    /// One of [`KINDS`].
    pub fn kind(&self) -> &'static str {
        match self {
            SessionError::Unavailable(_) => "unavailable",
            SessionError::Listen(_) => "listen",
            SessionError::Send(_) => "send",
            SessionError::Internal(_) => "internal",
            SessionError::Core(Error::NotFound(_) | Error::NoCheckRun(_)) => "not_found",
            SessionError::Core(Error::Unreachable { .. }) => "send",
            SessionError::Core(Error::Invalid(_)) => "invalid",
            SessionError::Core(_) => "store",
        }
    }
}

/// Runs store work off the async workers.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<T, SessionError> {
    let done = tokio::task::spawn_blocking(work).await.map_err(|error| {
        SessionError::Internal(format!("the work stopped unexpectedly: {error}"))
    })?;
    Ok(done?)
}
