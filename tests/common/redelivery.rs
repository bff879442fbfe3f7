//! A store holding the test secret, and a Client to re-deliver from it: deliveries stored as
//! the listener would have stored them, and the Persona events they carry.

use persona_inspector::model::{
    Arrival, Headers, NewDelivery, Redelivery, Secret, Signing, Verification,
};
use persona_inspector::redeliver::{Client, Options};
use persona_inspector::store::Store;

use super::SECRET;

pub struct Fixture {
    pub store: Store,
    pub dir: tempfile::TempDir,
    pub forwarder: Client,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store opens");
        store.add_secret("current", SECRET).expect("secret saved");
        Fixture {
            store,
            dir,
            forwarder: Client::new().expect("client"),
        }
    }

    /// Stores a delivery as the listener would have received it now.
    pub async fn deliver(
        &self,
        path: &str,
        query: Option<&str>,
        headers: Headers,
        body: &[u8],
    ) -> i64 {
        let now_ms = persona_inspector::clock::now_ms();
        self.deliver_at(now_ms, path, query, headers, body).await
    }

    /// Stores a delivery as the listener would have received it at `received_at_ms`.
    async fn deliver_at(
        &self,
        received_at_ms: i64,
        path: &str,
        query: Option<&str>,
        headers: Headers,
        body: &[u8],
    ) -> i64 {
        let arrival = Arrival {
            received_at_ms,
            method: "POST".into(),
            path: path.into(),
            query: query.map(str::to_string),
            remote_addr: Some("127.0.0.1:1".into()),
            headers,
        };
        let delivery = NewDelivery::captured(arrival, body.to_vec(), &verification());
        self.store.insert(delivery).await.expect("stored").id
    }

    /// A Persona delivery signed at `t`, received now: stale when `t` is older than the
    /// tolerance, as an old request sent again would be.
    pub async fn signed(&self, t: i64, body: &[u8]) -> i64 {
        self.deliver("/", None, signed_headers(t, body), body).await
    }

    /// A Persona delivery signed at `t` and received then, fresh: an old genuine capture.
    pub async fn arrived(&self, t: i64, body: &[u8]) -> i64 {
        self.deliver_at(t * 1_000, "/", None, signed_headers(t, body), body)
            .await
    }

    pub async fn redeliver(&self, id: i64, options: &Options) -> Redelivery {
        self.forwarder
            .redeliver(&self.store, id, options)
            .await
            .expect("sent and recorded")
    }
}

/// Persona's headers for `body` signed at `t` with the test secret.
fn signed_headers(t: i64, body: &[u8]) -> Headers {
    vec![
        ("content-type".into(), b"application/json".to_vec()),
        (
            "persona-signature".into(),
            persona_inspector::signature::sign(SECRET, t, body).into_bytes(),
        ),
    ]
}

/// Verifies with the test secret, as the listener would with it configured.
pub fn verification() -> Verification {
    Verification {
        secrets: vec![Secret {
            label: "current".into(),
            value: SECRET.into(),
        }],
        ..Verification::default()
    }
}

pub fn resign() -> Signing {
    Signing::Resign {
        secret: "current".into(),
    }
}

pub fn h(pairs: &[(&str, &[u8])]) -> Headers {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_vec()))
        .collect()
}

/// A Persona event created at `created_at`, named `name`.
pub fn event(id: &str, name: &str, created_at: &str) -> Vec<u8> {
    format!(
        r#"{{"data":{{"type":"event","id":"{id}","attributes":{{"name":"{name}","created-at":"{created_at}","payload":{{"data":{{"type":"inquiry","id":"inq_{id}","attributes":{{"status":"completed"}}}}}}}}}}}}"#
    )
    .into_bytes()
}

pub fn summary(store: &Store, id: i64) -> persona_inspector::store::Summary {
    store.get(id).expect("stored").summary
}
