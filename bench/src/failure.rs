//! The bench's one error type: a message said plainly, with what was being done.

use std::fmt;

/// A failure, said plainly: `main` returning it prints `Error: <message>`.
pub struct Failure(String);

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;

pub fn fail(message: impl Into<String>) -> Failure {
    Failure(message.into())
}

/// Adds what was being done to an error's message.
pub trait Context<T> {
    fn context(self, doing: impl fmt::Display) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, doing: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Failure(format!("{doing}: {e}")))
    }
}
