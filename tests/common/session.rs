//! A session in a temporary directory, and requests to its listener written by hand.

use std::time::Duration;

use persona_inspector::model::Filter;
use persona_inspector::session::{ListenerStatus, SampleRequest, Session, SessionError};
use persona_inspector::store::Summary;
use persona_inspector::view::Detail;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub async fn list_deliveries(
    session: &Session,
    filter: Filter,
) -> Result<Vec<Summary>, SessionError> {
    session.read(move |store| store.list(&filter)).await
}

pub async fn get_delivery(session: &Session, id: i64) -> Result<Detail, SessionError> {
    session.read(move |store| store.get(id)).await
}

/// "Send a sample event…" to the session's own listener, as the window's quick path does; the
/// stored delivery's id.
pub async fn send_sample_here(session: &Session, event: &str) -> i64 {
    let sent = session
        .send_sample(SampleRequest::new(event))
        .await
        .expect("sample sent");
    sent.delivery_id
        .expect("the listener names the stored sample")
}

pub async fn post(address: &str, body: &str) -> String {
    post_with(address, body, "").await
}

pub async fn post_signed(address: &str, body: &str, signature: &str) -> String {
    post_with(
        address,
        body,
        &format!("persona-signature: {signature}\r\n"),
    )
    .await
}

pub async fn post_with(address: &str, body: &str, headers: &str) -> String {
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let request = format!(
        "POST /hook HTTP/1.1\r\nhost: {host}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
}

pub fn listening_port(session: &Session) -> u16 {
    match session.status() {
        ListenerStatus::Listening { port, .. } => port,
        other => panic!("not listening: {other:?}"),
    }
}

/// The user's app: answers every request with `status` (closing the connection), and sends
/// each request's body on the returned channel.
pub async fn app_answering(status: &str) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let app = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hooks", app.local_addr().expect("addr"));
    let (seen, bodies) = tokio::sync::mpsc::unbounded_channel();
    let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = app.accept().await {
            let (seen, answer) = (seen.clone(), answer.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 65536];
                loop {
                    let text = String::from_utf8_lossy(&request).into_owned();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length: "))
                            .and_then(|n| n.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            let _ = seen.send(text[end + 4..].to_string());
                            break;
                        }
                    }
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, bodies)
}

/// The `Persona-Signature` an attempt sent.
pub fn sent_signature(attempt: &persona_inspector::model::Attempt) -> Option<String> {
    persona_inspector::model::header(&attempt.headers, "persona-signature")
        .map(|value| String::from_utf8_lossy(value).into_owned())
}

/// The count of the retention's next pass.
pub async fn next_pass(purged: &mut tokio::sync::mpsc::UnboundedReceiver<u64>) -> u64 {
    tokio::time::timeout(Duration::from_secs(60), purged.recv())
        .await
        .expect("a retention pass within a minute")
        .expect("the retention task is running")
}

/// A delivery received `days_ago` days ago, stored straight into the data directory.
pub fn received(days_ago: i64) -> persona_inspector::model::NewDelivery {
    use persona_inspector::model::{Arrival, NewDelivery, Verification};
    let arrival = Arrival {
        received_at_ms: persona_inspector::clock::now_ms() - days_ago * 86_400_000,
        method: "POST".into(),
        path: format!("/{days_ago}-days-ago"),
        query: None,
        remote_addr: None,
        headers: Vec::new(),
    };
    NewDelivery::captured(arrival, b"{}".to_vec(), &Verification::default())
}

pub async fn stored_paths(session: &Session) -> Vec<String> {
    let mut paths: Vec<String> = list_deliveries(session, Filter::default())
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.path)
        .collect();
    paths.sort();
    paths
}
