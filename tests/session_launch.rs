//! A session launched as `serve` launches it: settings and a forward rule for this run only,
//! captures told in order, a strict start and a stop that first answers what is in flight.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::session::*;
use persona_inspector::capture::{Reply, Settings, StatusCode};
use persona_inspector::model::Rule;
use persona_inspector::session::{
    Announcement, Forward, Launch, LaunchError, ListenerSettings, Session,
};
use persona_inspector::store::Store;
use tokio::sync::mpsc;

/// What the announce hook was told, in order: a capture's id and whether it is forwarded, or
/// a forward's delivery id and whether a retry is due.
#[derive(Debug, PartialEq)]
enum Told {
    Captured(i64, bool),
    Forwarded(i64, bool),
    Missed(u64),
}

fn launch(
    dir: &std::path::Path,
    settings: Settings,
    forward: Forward,
) -> (Launch, mpsc::UnboundedReceiver<Told>) {
    let (tell, told) = mpsc::unbounded_channel();
    let launch = Launch {
        port: Some(0),
        listener: ListenerSettings::Given(settings),
        forward,
        retention_every: None,
        test_events: false,
        announce: Some(Arc::new(move |announcement| {
            let _ = tell.send(match announcement {
                Announcement::Captured { summary, forwarded } => {
                    Told::Captured(summary.id, forwarded)
                }
                Announcement::Forwarded(report) => Told::Forwarded(
                    report.delivery_id,
                    report
                        .result
                        .as_ref()
                        .is_ok_and(|r| r.attempt.next_retry_at_ms.is_some()),
                ),
                Announcement::Missed(n) => Told::Missed(n),
            });
        })),
        ..Launch::app(dir, "127.0.0.1", None)
    };
    (launch, told)
}

async fn next(told: &mut mpsc::UnboundedReceiver<Told>) -> Told {
    tokio::time::timeout(Duration::from_secs(10), told.recv())
        .await
        .expect("told in time")
        .expect("still telling")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_for_this_run_is_not_saved_and_its_waiting_retries_are_called_off_at_stop() {
    let dir = tempfile::tempdir().expect("temp");
    let (app, mut bodies) = app_answering("500 Internal Server Error").await;
    let rule = Rule {
        enabled: true,
        target: app,
        // Persona's own pace: the first retry waits 3 s, long after the stop.
        retry_speedup: Some(1),
        ..Rule::default()
    };
    let (launch, mut told) = launch(dir.path(), Settings::default(), Forward::ThisRun(rule));
    let session = Session::try_launch(launch).await.expect("launched");
    let address = session.address().expect("listening");
    let answer = post(&format!("http://{address}"), "{}").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(next(&mut told).await, Told::Captured(1, true), "told first");
    assert_eq!(
        next(&mut told).await,
        Told::Forwarded(1, true),
        "then its result"
    );
    assert_eq!(bodies.recv().await.as_deref(), Some("{}"));

    let store = Store::open(dir.path()).expect("open beside the session");
    assert!(!store.forward_rule().expect("rule").enabled, "never saved");
    assert_eq!(store.pending_retries().expect("pending").len(), 1);

    assert_eq!(
        session.stop().await.expect("stopped"),
        1,
        "one retry called off"
    );
    assert!(store.pending_retries().expect("pending").is_empty());
    assert!(
        tokio::net::TcpStream::connect(address).await.is_err(),
        "no longer listening"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_returns_once_the_request_in_flight_is_answered() {
    let dir = tempfile::tempdir().expect("temp");
    let settings = Settings {
        reply: Reply {
            status: StatusCode::ACCEPTED,
            delay: Duration::from_millis(500),
            body: None,
        },
        ..Settings::default()
    };
    let (launch, mut told) = launch(dir.path(), settings, Forward::Off);
    let session = Session::try_launch(launch).await.expect("launched");
    let address = format!("http://{}", session.address().expect("listening"));
    let sending = tokio::spawn(async move { post(&address, "{}").await });
    // Told once stored, 500 ms before the answer: the request is in flight.
    assert_eq!(next(&mut told).await, Told::Captured(1, false));
    let stopping = std::time::Instant::now();
    assert_eq!(
        session.stop().await.expect("stopped"),
        0,
        "nothing to call off"
    );
    assert!(
        stopping.elapsed() >= Duration::from_millis(300),
        "stop waited for the answer: {:?}",
        stopping.elapsed()
    );
    let answer = sending.await.expect("task");
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
}

#[tokio::test]
async fn a_strict_launch_says_why_it_cannot_start() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("temp");
    let (mut taken_launch, _told) = launch(dir.path(), Settings::default(), Forward::Off);
    taken_launch.port = Some(port);
    let Err(LaunchError::Listen(error)) = Session::try_launch(taken_launch).await else {
        panic!("a taken port is the listener's error");
    };
    assert_eq!(
        error.to_string(),
        format!("port {port} on 127.0.0.1 is in use — pick another with --port")
    );

    let rule = Rule {
        enabled: true,
        target: "http://127.0.0.1:1/hooks".into(),
        retry_speedup: Some(0),
        ..Rule::default()
    };
    let (refused, _told) = launch(dir.path(), Settings::default(), Forward::ThisRun(rule));
    let Err(LaunchError::Forward(error)) = Session::try_launch(refused).await else {
        panic!("an unusable rule is refused");
    };
    assert!(error.to_string().contains("speed-up of 0×"), "{error}");
}

#[tokio::test]
async fn given_settings_without_secrets_verify_with_the_saved_ones() {
    let dir = tempfile::tempdir().expect("temp");
    let store = Store::open(dir.path()).expect("open");
    store
        .add_secret("saved", common::SECRET)
        .expect("secret saved");
    drop(store);
    let (launch, _told) = launch(dir.path(), Settings::default(), Forward::Off);
    let session = Session::try_launch(launch).await.expect("launched");
    let settings = session.capture().expect("capture").settings();
    let labels: Vec<&str> = settings
        .verification
        .secrets
        .iter()
        .map(|s| s.label.as_str())
        .collect();
    assert_eq!(labels, ["saved"]);
    assert!(session.test_event_key().is_none(), "no test events");
    assert!(session.take_purged().is_none(), "no retention pass");
}
