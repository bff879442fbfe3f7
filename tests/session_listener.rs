//! The session's listener: started on the port asked for, a taken port reported, moved to
//! another port. A real store in a temporary directory and a real listener on port 0.

mod common;

use std::time::Duration;

use common::session::*;
use persona_inspector::model::Filter;
use persona_inspector::session::{ListenerStatus, Session};

#[tokio::test]
async fn a_taken_port_is_a_status_with_advice_not_a_crash() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(port)).await;
    match session.status() {
        ListenerStatus::Failed { port: p, message } => {
            assert_eq!(p, port);
            assert!(
                message.contains("in use") && message.contains("pick another port"),
                "{message}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    // The store still opened: what was captured before is still there to read.
    assert!(list_deliveries(&session, Filter::default()).await.is_ok());
}

#[tokio::test]
async fn the_listener_moves_to_another_port_which_is_saved_and_a_taken_port_keeps_the_old_one() {
    let dir = tempfile::tempdir().expect("temp");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken_port = taken.local_addr().expect("addr").port();
    let session = Session::start(dir.path(), "127.0.0.1", Some(taken_port)).await;
    assert!(matches!(session.status(), ListenerStatus::Failed { .. }));

    let status = session.relisten(0).await.expect("any free port");
    let ListenerStatus::Listening { port, address, .. } = status else {
        panic!("not listening: {status:?}");
    };
    assert!(post(&address, "{}").await.starts_with("HTTP/1.1 200"));

    let error = session.relisten(taken_port).await.expect_err("taken");
    assert_eq!(error.kind(), "listen");
    assert!(
        error
            .to_string()
            .contains(&format!("port {taken_port} is in use")),
        "{error:?}"
    );
    assert_eq!(listening_port(&session), port, "still on the old port");
    assert!(post(&address, "{}").await.starts_with("HTTP/1.1 200"));

    let free = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    session.relisten(free).await.expect("move");
    assert_eq!(listening_port(&session), free);
    let new_address = format!("http://127.0.0.1:{free}");
    assert!(post(&new_address, "{}").await.starts_with("HTTP/1.1 200"));
    // The old port is released.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        tokio::net::TcpStream::connect(address.trim_start_matches("http://"))
            .await
            .is_err()
    );
    assert_eq!(
        session.settings().await.expect("settings").port,
        free,
        "saved for the next launch"
    );
    let rows = list_deliveries(&session, Filter::default())
        .await
        .expect("list");
    assert_eq!(rows.len(), 3, "one store across ports");
}

#[tokio::test]
async fn the_test_event_travels_the_listener_and_is_valid_once_a_secret_is_set() {
    let dir = tempfile::tempdir().expect("temp");
    let session = Session::start(dir.path(), "127.0.0.1", Some(0)).await;
    let id = send_sample_here(&session, "inquiry.completed").await;
    let detail = get_delivery(&session, id).await.expect("stored");
    assert_eq!(
        detail.summary.event_name.as_deref(),
        Some("inquiry.completed")
    );
    assert_eq!(
        detail.summary.path,
        persona_inspector::trigger::LISTENER_PATH
    );
    assert_eq!(detail.summary.attempts.made, Some(1));
    assert!(
        detail.included.iter().any(|r| r.kind == "account"),
        "the inquiry's account comes along: {:?}",
        detail.included
    );
    assert_eq!(
        detail.summary.signature.status,
        persona_inspector::model::Status::Unchecked,
        "no secret yet: the verdict says to add one"
    );

    session
        .add_secret("sandbox".into(), "wbhsec_mine".into())
        .await
        .expect("add");
    let id = send_sample_here(&session, "inquiry.completed").await;
    let detail = get_delivery(&session, id).await.expect("stored");
    assert_eq!(
        detail.summary.signature.status,
        persona_inspector::model::Status::Valid
    );

    let counts = session
        .read(|store| store.event_counts())
        .await
        .expect("counts");
    assert_eq!(counts[0].event_name.as_deref(), Some("inquiry.completed"));
    assert_eq!(counts[0].count, 2);
    let filter = Filter {
        event_name: Some("inquiry.completed".into()),
        ..Filter::default()
    };
    assert_eq!(
        session
            .read(move |store| store.count_matching(&filter))
            .await
            .expect("count"),
        2
    );
    assert!(persona_inspector::catalog::all().len() > 200);
}
