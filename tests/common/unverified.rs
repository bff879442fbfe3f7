//! Deliveries Persona did not sign (or did, long before they arrived), one of each kind, and
//! what re-delivering them must send.

use persona_inspector::model::{Arrival, NewDelivery, Signing, Verification};
use persona_inspector::store::Store;

use super::redelivery::{Fixture, h, summary};
use super::target::Received;
use super::{SECRET, now};

/// A stored delivery re-signing must not vouch for without the opt-in, and the
/// `Persona-Signature` it arrived with (None: it had none).
pub struct Unverified {
    pub id: i64,
    pub kind: &'static str,
    pub original: Option<String>,
    pub note: &'static str,
}

impl Fixture {
    /// One delivery of each kind Persona did not sign, the same body for all: signed with
    /// another secret (invalid), unsigned (missing), a header that does not parse (malformed),
    /// stored with no secret to check it (unchecked), a validly signed one whose `t` was two
    /// hours old when it arrived (stale: an old request sent again), and that one imported from
    /// a fixture (imported: nothing shows Persona sent it). The last three carry a correct but
    /// old signature, so a handler tells it from a fresh one.
    pub async fn unverified(&self, body: &[u8]) -> Vec<Unverified> {
        let mut found = Vec::new();
        let forged = persona_inspector::signature::sign("wbhsec_not_the_users", now(), body);
        let invalid = h(&[("persona-signature", forged.as_bytes())]);
        found.push(Unverified {
            id: self.deliver("/", None, invalid, body).await,
            kind: "invalid",
            original: Some(forged),
            note: "sent with its original signature: not re-signed because its signature is \
                   invalid",
        });
        found.push(Unverified {
            id: self.deliver("/", None, Vec::new(), body).await,
            kind: "missing",
            original: None,
            note: "sent without a signature, as it arrived: not re-signed because it arrived \
                   without a signature",
        });
        found.push(Unverified {
            id: self
                .deliver("/", None, h(&[("persona-signature", b"v1=zz")]), body)
                .await,
            kind: "malformed",
            original: Some("v1=zz".into()),
            note: "sent with its original signature: not re-signed because its signature is \
                   malformed",
        });
        let old = now() - 7_200;
        let signed = persona_inspector::signature::sign(SECRET, old, body);
        let unchecked = NewDelivery::captured(
            Arrival {
                received_at_ms: persona_inspector::clock::now_ms(),
                method: "POST".into(),
                path: "/".into(),
                query: None,
                remote_addr: None,
                headers: h(&[("persona-signature", signed.as_bytes())]),
            },
            body.to_vec(),
            &Verification::default(),
        );
        found.push(Unverified {
            id: self.store.insert(unchecked).await.expect("stored").id,
            kind: "unchecked",
            original: Some(signed.clone()),
            note: "sent with its original signature: not re-signed because its signature was \
                   never checked",
        });
        let stale = self.signed(old, body).await;
        assert!(
            summary(&self.store, stale).signature.stale,
            "flagged stale at arrival"
        );
        found.push(Unverified {
            id: stale,
            kind: "stale",
            original: Some(signed),
            note: "sent with its original signature: not re-signed because its signature is \
                   valid but was made 2 h before it arrived: an old request sent again?",
        });
        let fixture = persona_inspector::share::fixture(&self.store.get(stale).expect("stored"));
        let read = persona_inspector::share::read_fixtures(
            "f.json",
            fixture.to_string().as_bytes(),
            &Default::default(),
        )
        .expect("reads");
        let imported = persona_inspector::share::import(&self.store, read).expect("imports")[0].id;
        assert_eq!(
            summary(&self.store, imported).signature.status,
            persona_inspector::model::Status::Valid,
            "its signature checks out, and still it is not Persona's delivery to us"
        );
        let original = self
            .store
            .raw(imported)
            .expect("raw")
            .arrival
            .headers
            .iter()
            .find(|(n, _)| n == "persona-signature")
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned());
        found.push(Unverified {
            id: imported,
            kind: "imported",
            original,
            note: "sent with its original signature: not re-signed because it was imported \
                   from a fixture, not received from Persona",
        });
        for u in &found {
            assert_eq!(
                summary(&self.store, u.id).signature.status.as_str() == "valid",
                u.kind == "imported" || u.kind == "stale",
                "{} is what it says",
                u.kind
            );
        }
        found
    }
}

/// The request `log` received for each of `unverified`, in order, carried its original
/// signature (or none) and each recorded attempt says why it was not re-signed.
pub fn assert_sent_as_they_came(store: &Store, unverified: &[Unverified], received: &[Received]) {
    assert_eq!(received.len(), unverified.len(), "one request each");
    for (u, r) in unverified.iter().zip(received) {
        assert_eq!(
            r.header("persona-signature"),
            u.original,
            "a {} delivery keeps the signature it came with",
            u.kind
        );
        let history = store.redeliveries(u.id).expect("history");
        let attempt = &history[0].attempt;
        assert_eq!(
            attempt.signing,
            Signing::Keep,
            "{}: recorded as kept",
            u.kind
        );
        assert_eq!(
            attempt.signing_note.as_deref(),
            Some(u.note),
            "{}: the recorded attempt says why",
            u.kind
        );
        assert!(
            attempt.describe().ends_with(u.note),
            "{}",
            attempt.describe()
        );
    }
}
