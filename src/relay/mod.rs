//! The forward rule: every new capture is sent on to the user's app as it arrives (like
//! `stripe listen --forward-to`), and a failed forward is optionally tried again on Persona's
//! own schedule, divided by a speed-up the user picks, so they can watch their handler cope
//! with retries and duplicates without waiting 32 hours.
//!
//! Retries live in the store: each failed forward records when the next try is due, the list
//! shows it, and [`Relay::resume`] picks waiting ones up after a restart. Changing the rule
//! stops every waiting retry (its row then says no retry follows).

mod rule;
mod runtime;

pub use rule::points_at;
pub use runtime::Relay;

#[cfg(test)]
mod tests;
