//! The key that tells the app's own sample events from anyone else's requests to the listener.

use subtle::ConstantTimeEq;

use crate::error::{Error, Result};
use crate::model::{Headers, Source};

/// The header the app's test event carries its key in.
pub const TEST_EVENT_HEADER: &str = "x-inspector-test-event";

/// A random key drawn at each launch and known only to the app: a request to the listener that
/// carries it is the app's own test event (re-signed without asking, like Persona's). Anyone
/// else's copy of the header, which the listener faces on the internet, is an ordinary capture.
#[derive(Clone, PartialEq, Eq)]
pub struct TestEventKey(String);

impl std::fmt::Debug for TestEventKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestEventKey(…)")
    }
}

impl TestEventKey {
    /// 32 bytes from the operating system's random source, as hex.
    pub fn generate() -> Result<TestEventKey> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| {
            Error::Invalid(format!(
                "the operating system gave no random bytes for the test event's key ({e})"
            ))
        })?;
        Ok(TestEventKey(hex::encode(bytes)))
    }

    /// What the app sends in [`TEST_EVENT_HEADER`].
    pub fn value(&self) -> &str {
        &self.0
    }

    fn matches(&self, value: &[u8]) -> bool {
        let key = self.0.as_bytes();
        // The length is public (64); the bytes are compared in constant time.
        key.len() == value.len() && bool::from(key.ct_eq(value))
    }
}

/// Where a request came from: `test` when it carries `key` in [`TEST_EVENT_HEADER`] (the header
/// is then taken out, so the key is never stored or shared), else `captured` with its headers
/// left as they arrived.
pub fn source_of(key: Option<&TestEventKey>, headers: &mut Headers) -> Source {
    let is_test = key.is_some_and(|key| {
        headers
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case(TEST_EVENT_HEADER) && key.matches(value))
    });
    if !is_test {
        return Source::Captured;
    }
    headers.retain(|(name, _)| !name.eq_ignore_ascii_case(TEST_EVENT_HEADER));
    Source::Test
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_launchs_own_key_marks_a_test_event_and_it_is_not_kept() {
        let key = TestEventKey::generate().expect("random");
        let other = TestEventKey::generate().expect("random");
        assert_ne!(key, other, "each launch draws its own");
        assert!(!format!("{key:?}").contains(key.value()), "never logged");
        let with = |value: &str| -> Headers {
            vec![
                ("content-type".into(), b"application/json".to_vec()),
                (TEST_EVENT_HEADER.into(), value.as_bytes().to_vec()),
            ]
        };
        let mut own = with(key.value());
        assert_eq!(source_of(Some(&key), &mut own), Source::Test);
        assert_eq!(own.len(), 1, "the key is taken out: {own:?}");
        for forged in [other.value(), "", "true", &key.value()[..63]] {
            let mut headers = with(forged);
            assert_eq!(
                source_of(Some(&key), &mut headers),
                Source::Captured,
                "{forged:?}"
            );
            assert_eq!(
                headers,
                with(forged),
                "an outsider's headers stay as they came"
            );
        }
        let mut headers = with(key.value());
        assert_eq!(
            source_of(None, &mut headers),
            Source::Captured,
            "no key: no test events"
        );
    }
}
