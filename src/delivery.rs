//! Reading a delivery as it arrives: its signature checked (`signature`) and its envelope read
//! (`jsonapi`), into the [`NewDelivery`] the store keeps. The data itself is in `model`.

use crate::error::Result;
use crate::jsonapi;
use crate::model::{
    Arrival, AttemptHeaders, Headers, Headline, NewDelivery, Outcome, ParseError, Source, Status,
    Verdict, Verification, format_size, signature_header,
};
use crate::signature;
use crate::store::Store;

impl Verification {
    pub fn verify(&self, headers: &Headers, body: &[u8], received_at_ms: i64) -> Verdict {
        let header = signature_header(headers);
        signature::verify(
            header.as_deref(),
            body,
            &self.secrets,
            received_at_ms.div_euclid(1000),
            self.tolerance_seconds,
        )
    }
}

impl NewDelivery {
    /// Verifies and parses a captured body. Never fails: what cannot be understood is recorded.
    pub fn captured(arrival: Arrival, body: Vec<u8>, verification: &Verification) -> NewDelivery {
        let signature = verification.verify(&arrival.headers, &body, arrival.received_at_ms);
        let (event, parse_error) = match jsonapi::headline(&body) {
            Ok(event) => (event, None),
            Err(error) => (Headline::default(), Some(error)),
        };
        let size = body.len() as u64;
        NewDelivery::new(
            arrival,
            body,
            size,
            Outcome::Captured,
            event,
            parse_error,
            signature,
        )
    }

    /// A request whose body was over the limit: kept for its headers, body dropped.
    pub fn too_large(arrival: Arrival, body_size: u64, limit: usize) -> NewDelivery {
        let explanation = format!(
            "The body was over the {} limit and was not kept, so the signature could not be checked.",
            format_size(limit as u64)
        );
        let signature = Verdict::new(Status::Unchecked, explanation, 0);
        let event = Headline::default();
        NewDelivery::new(
            arrival,
            Vec::new(),
            body_size,
            Outcome::TooLarge,
            event,
            None,
            signature,
        )
    }

    fn new(
        arrival: Arrival,
        body: Vec<u8>,
        body_size: u64,
        outcome: Outcome,
        event: Headline,
        parse_error: Option<ParseError>,
        signature: Verdict,
    ) -> NewDelivery {
        NewDelivery {
            attempts: AttemptHeaders::from_headers(&arrival.headers),
            arrival,
            body,
            body_size,
            outcome,
            event,
            parse_error,
            signature,
            source: Source::Captured,
            original_received_at_ms: None,
            reply_status: None,
        }
    }
}

impl Store {
    /// Recomputes every stored signature verdict with these secrets (after a secret was added,
    /// renamed or removed); returns how many verdicts changed. Blocks the calling thread, which
    /// does the hashing; captures arriving meanwhile wait only for short updates.
    pub fn recheck(&self, verification: &Verification) -> Result<u64> {
        self.recheck_with(|headers, body, received_at_ms| {
            verification.verify(headers, body, received_at_ms)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use crate::model::{Arrival, NewDelivery, Secret, Status, Verification};
    use crate::signature;
    use crate::store::Store;

    fn secrets(value: &str) -> Verification {
        Verification {
            secrets: vec![Secret {
                label: "current".into(),
                value: value.into(),
            }],
            ..Verification::default()
        }
    }

    #[test]
    fn verdicts_are_computed_while_the_writer_is_busy_and_only_updates_wait_for_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store opens");
        let stored_with = secrets("wbhsec_old");
        let rows = 40;
        let deliveries = (0..rows)
            .map(|n| {
                let body = format!("{{\"n\":{n}}}").into_bytes();
                let headers = vec![(
                    "persona-signature".to_string(),
                    signature::sign("wbhsec_new", 1_700_000_000, &body).into_bytes(),
                )];
                let arrival = Arrival {
                    received_at_ms: 1_700_000_000_000,
                    method: "POST".into(),
                    path: "/".into(),
                    query: None,
                    remote_addr: None,
                    headers,
                };
                NewDelivery::captured(arrival, body, &stored_with)
            })
            .collect();
        store.insert_many(deliveries).expect("insert");

        // Hold the writer. A recheck that finds nothing to change never needs it, so it must
        // finish meanwhile: it reads and hashes on its own connection and thread.
        let (release, held) = mpsc::channel::<()>();
        let (holding, writer_held) = mpsc::channel();
        {
            let store = store.clone();
            std::thread::spawn(move || {
                store.write(move |_| {
                    let _ = holding.send(());
                    let _ = held.recv_timeout(Duration::from_secs(60));
                    Ok(())
                })
            });
        }
        writer_held
            .recv_timeout(Duration::from_secs(20))
            .expect("the writer is held");
        let (done, finished) = mpsc::channel();
        {
            let store = store.clone();
            let same = stored_with.clone();
            std::thread::spawn(move || {
                let _ = done.send(store.recheck(&same));
            });
        }
        let unchanged = finished.recv_timeout(Duration::from_secs(20));
        let rechecking = {
            let store = store.clone();
            std::thread::spawn(move || store.recheck(&secrets("wbhsec_new")))
        };
        release.send(()).expect("writer still waiting");
        assert_eq!(
            unchanged
                .expect("recheck waited for the busy writer: it must not hash there")
                .expect("recheck"),
            0,
            "nothing changes with the secrets the verdicts were made with"
        );
        let changed = rechecking.join().expect("recheck thread").expect("recheck");
        assert_eq!(changed, rows as u64, "every verdict turns valid");
        let listed = store.list(&Default::default()).expect("list");
        assert!(
            listed.len() == rows && listed.iter().all(|s| s.signature.status == Status::Valid),
            "the updates were committed"
        );
    }
}
