//! Desktop notifications against a mock `org.freedesktop.Notifications` on a private bus: the
//! test runs a `dbus-daemon` of its own, so it needs no desktop and never touches a real one.
//!
//! This file holds ONE test on purpose. notify-rust finds the session bus only through
//! `DBUS_SESSION_BUS_ADDRESS`, so the test must set that variable, and `std::env::set_var` is
//! unsafe (edition 2024) while any other thread may read or write the environment. With a single
//! test in this binary, it sets the variable first, before it starts any thread of its own or any
//! D-Bus connection does, while libtest's main thread only waits for the result. A second test
//! here would run on a parallel thread and void that reasoning.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use persona_inspector::model::{AttemptHeaders, Outcome, Status, Verdict};
use persona_inspector::store::{ResourceSummary, Summary};
use persona_inspector_app::notify::{APP_NAME, Notifier, TIMEOUT_MS};

const NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

/// A private message bus, killed when dropped (a failing assertion included).
struct Bus {
    daemon: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Bus {
    /// Not `--session`: that configuration can start the desktop's real notification daemon on
    /// demand. This one has no service directories, so an unowned name stays unowned.
    fn start() -> Bus {
        let dir = tempfile::tempdir().expect("a temporary directory for the bus");
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().display()
            ),
        )
        .expect("write the bus configuration");
        // Its complaints (as root in a container: "Failed to set fd limit") go to a file, shown
        // only if it does not start.
        let errors = dir.path().join("dbus-daemon.log");
        let stderr = std::fs::File::create(&errors).expect("create the daemon's log");
        let daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect(
                "dbus-daemon should start (package dbus-daemon; scripts/setup.sh installs it \
                 with dbus-x11)",
            );
        let mut bus = Bus {
            daemon,
            address: String::new(),
            _dir: dir,
        };
        let stdout = bus.daemon.stdout.take().expect("the daemon's stdout");
        BufReader::new(stdout)
            .read_line(&mut bus.address)
            .expect("read the bus address");
        bus.address = bus.address.trim().to_string();
        assert!(
            bus.address.starts_with("unix:"),
            "dbus-daemon printed no address ({:?}); it said: {}",
            bus.address,
            std::fs::read_to_string(&errors).unwrap_or_default()
        );
        bus
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// One `Notify` call as the mock server received it.
#[derive(Clone, Debug)]
struct Call {
    app_name: String,
    replaces_id: u32,
    summary: String,
    body: String,
    expire_timeout: i32,
}

struct MockServer {
    calls: Arc<Mutex<Vec<Call>>>,
    /// How long `Notify` takes to answer.
    delay_ms: Arc<AtomicU64>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl MockServer {
    // Eight arguments: the D-Bus method's signature, `susssasa{sv}i`, fixes them.
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, zbus::OwnedVariant>,
        expire_timeout: i32,
    ) -> u32 {
        std::thread::sleep(Duration::from_millis(self.delay_ms.load(Ordering::SeqCst)));
        let mut calls = self.calls.lock().expect("calls");
        calls.push(Call {
            app_name,
            replaces_id,
            summary,
            body,
            expire_timeout,
        });
        u32::try_from(calls.len()).unwrap_or(u32::MAX)
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "body-markup".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "mock".into(),
            "persona-inspector tests".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

/// What the app logs, as text.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log")).into_owned()
    }

    fn warnings(&self) -> usize {
        self.text()
            .lines()
            .filter(|l| l.contains("WARN") && l.contains("desktop notifications are unavailable"))
            .count()
    }
}

fn delivery(id: i64, name: Option<&str>, status: Status) -> Summary {
    Summary {
        id,
        received_at: "2024-07-11T16:05:05.000Z".into(),
        received_at_ms: 1_720_713_905_000,
        method: "POST".into(),
        path: "/hook".into(),
        query: None,
        remote_addr: Some("127.0.0.1:50000".into()),
        outcome: Outcome::Captured,
        event_id: Some(format!("evt_{id}")),
        event_name: name.map(String::from),
        event_created_at: Some("2024-07-11T16:05:04.000Z".into()),
        event_group: Some("Inquiry".into()),
        known_event: true,
        resource: Some(ResourceSummary {
            kind: Some("inquiry".into()),
            id: Some(format!("inq_{id}")),
            status: Some("approved".into()),
        }),
        signature: Verdict::new(status, "explained".into(), 300),
        attempts: AttemptHeaders::default(),
        body_size: 100,
        parse_error: None,
        event_deliveries: 1,
        forward: None,
        source: Default::default(),
        original_received_at: None,
        original_received_at_ms: None,
        source_ip: None,
        source_ip_listed: None,
    }
}

fn sent(handle: Option<JoinHandle<Result<(), String>>>, what: &str) -> Result<(), String> {
    handle
        .unwrap_or_else(|| panic!("{what}: a notification should have been sent"))
        .join()
        .unwrap_or_else(|_| panic!("{what}: the sending thread panicked"))
}

#[test]
fn one_notification_per_burst_reaches_the_notification_service_escaped_and_only_when_enabled() {
    let bus = Bus::start();
    // SAFETY: the only test in this binary, and no thread has been started yet (see the file's
    // doc comment): nothing else reads or writes the environment concurrently.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address) };

    let log = Log::default();
    let writer = log.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "persona_inspector_app=debug",
            ))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .expect("install the log subscriber");

    let enabled = Arc::new(AtomicBool::new(true));
    let counts_only = Arc::new(AtomicBool::new(false));
    let notifier = Notifier::new(Arc::clone(&enabled), Arc::clone(&counts_only));
    let approved = delivery(1, Some("inquiry.approved"), Status::Valid);
    let one = std::slice::from_ref(&approved);

    // 1. Nobody owns the name yet: the send fails, is warned about once, and nothing panics.
    let failed = sent(notifier.notify(one), "no server");
    let error = failed.expect_err("with no notification server, sending should fail");
    assert!(
        error.contains("ServiceUnknown") || error.contains("not activatable"),
        "the error should say the service is missing: {error}"
    );
    assert!(notifier.warned(), "the failure should be reported");
    assert_eq!(log.warnings(), 1, "one warning:\n{}", log.text());
    assert!(
        log.text().contains("carries on"),
        "the warning should say the app carries on:\n{}",
        log.text()
    );
    let again = sent(notifier.notify(one), "no server, again");
    assert!(again.is_err(), "still no server, still a failure");
    assert_eq!(
        log.warnings(),
        1,
        "a second failure is not warned about again:\n{}",
        log.text()
    );
    assert!(
        log.text().contains("DEBUG") && log.text().contains("notification not shown"),
        "a second failure is logged at debug level:\n{}",
        log.text()
    );
    assert!(
        notifier.notify(&[]).is_none(),
        "an empty burst sends nothing"
    );

    // 2. The mock server takes the name.
    let calls = Arc::new(Mutex::new(Vec::<Call>::new()));
    let delay_ms = Arc::new(AtomicU64::new(0));
    let server = zbus::block_on(async {
        zbus::connection::Builder::session()
            .name(NAME)
            .serve_at(
                PATH,
                MockServer {
                    calls: Arc::clone(&calls),
                    delay_ms: Arc::clone(&delay_ms),
                },
            )
            .build()
            .await
    })
    .expect("the mock notification server should start on the private bus");
    let recorded = || calls.lock().expect("calls").clone();

    // One delivery: one call, its event name as the summary.
    sent(notifier.notify(one), "one delivery")
        .expect("the mock server should take the notification");
    let seen = recorded();
    assert_eq!(seen.len(), 1, "exactly one Notify call: {seen:?}");
    assert_eq!(seen[0].app_name, APP_NAME, "{seen:?}");
    assert_eq!(seen[0].replaces_id, 0, "a new notification: {seen:?}");
    assert_eq!(seen[0].summary, "inquiry.approved", "{seen:?}");
    assert!(
        seen[0].body.contains("inq_1") && seen[0].body.contains("signature valid"),
        "the body names the resource and the verdict: {seen:?}"
    );
    assert_eq!(
        seen[0].expire_timeout,
        i32::try_from(TIMEOUT_MS).expect("timeout"),
        "{seen:?}"
    );
    assert!(
        !notifier.warned(),
        "a success re-arms the warning for the next failure"
    );

    // A burst of 7: still one call.
    let mut burst: Vec<Summary> = (10..15)
        .map(|id| delivery(id, Some("inquiry.approved"), Status::Valid))
        .collect();
    burst.push(delivery(15, Some("report.ready"), Status::Invalid));
    burst.push(delivery(16, Some("inquiry.approved"), Status::Invalid));
    sent(notifier.notify(&burst), "a burst").expect("the burst's notification");
    let seen = recorded();
    assert_eq!(seen.len(), 2, "one more call for the whole burst: {seen:?}");
    assert_eq!(seen[1].summary, "7 new deliveries", "{seen:?}");
    assert!(
        seen[1].body.contains("5 valid, 2 invalid") && seen[1].body.contains("inquiry.approved"),
        "the body counts verdicts and names the most common event: {seen:?}"
    );

    // Markup from a payload arrives as text: escaped in the body, as is in the plain summary.
    let mut marked = delivery(20, Some("<b>x</b>"), Status::Valid);
    if let Some(resource) = marked.resource.as_mut() {
        resource.id = Some("inq_<a href=\"https://evil\">&</a>".into());
    }
    sent(
        notifier.notify(std::slice::from_ref(&marked)),
        "markup, one",
    )
    .expect("sent");
    sent(notifier.notify(&[marked.clone(), marked]), "markup, two").expect("sent");
    let seen = recorded();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!(
        seen[2].summary, "<b>x</b>",
        "the summary is plain text: {seen:?}"
    );
    assert!(
        seen[2]
            .body
            .starts_with("inq_&lt;a href=\"https://evil\"&gt;&amp;&lt;/a&gt;"),
        "the resource id is escaped: {seen:?}"
    );
    assert!(
        seen[3].body.contains("&lt;b&gt;x&lt;/b&gt;"),
        "the event name is escaped in a burst's body: {seen:?}"
    );
    for call in &seen[2..] {
        assert!(
            !call.body.contains('<'),
            "no markup reaches the body: {call:?}"
        );
    }

    // Turned off: nothing is sent. Turned back on: at once.
    enabled.store(false, Ordering::SeqCst);
    assert!(notifier.notify(one).is_none(), "notifications are off");
    assert_eq!(recorded().len(), 4, "no call while notifications are off");
    enabled.store(true, Ordering::SeqCst);
    sent(notifier.notify(one), "back on").expect("sent");
    assert_eq!(recorded().len(), 5, "notifications are back on");

    // Counts only: how many arrived, and nothing from a payload — no event name, no resource
    // id — so a locked screen shows nothing about the people in them.
    counts_only.store(true, Ordering::SeqCst);
    sent(notifier.notify(one), "counts only, one").expect("sent");
    sent(notifier.notify(&burst), "counts only, a burst").expect("sent");
    let seen = recorded();
    assert_eq!(seen.len(), 7, "one call each: {seen:?}");
    assert_eq!(seen[5].summary, "1 new delivery", "{seen:?}");
    assert_eq!(seen[6].summary, "7 new deliveries", "{seen:?}");
    for call in &seen[5..] {
        for private in [
            "inquiry",
            "report.ready",
            "approved",
            "inq_",
            "evt_",
            "/hook",
        ] {
            assert!(
                !call.summary.contains(private) && !call.body.contains(private),
                "a counts-only notification shows {private:?}: {call:?}"
            );
        }
    }
    counts_only.store(false, Ordering::SeqCst);
    sent(notifier.notify(one), "details again").expect("sent");
    assert_eq!(
        recorded()[7].summary,
        "inquiry.approved",
        "turned off, the details are back at once"
    );

    // A slow server: a burst arriving while the last notification is on its way is not sent.
    delay_ms.store(500, Ordering::SeqCst);
    let slow = notifier.notify(one);
    assert!(
        notifier.notify(one).is_none(),
        "no second sending thread while one is waiting"
    );
    sent(slow, "slow server").expect("the slow server still answers");
    delay_ms.store(0, Ordering::SeqCst);
    assert_eq!(recorded().len(), 9, "only the first was sent");
    sent(notifier.notify(one), "after the slow one").expect("sent");
    assert_eq!(
        recorded().len(),
        10,
        "sending again once the slow one is done"
    );

    // 3. The server goes away: after a success, the next failure is warned about again.
    let released = zbus::block_on(server.release_name(NAME)).expect("release the name");
    assert!(released, "the mock server owned the name");
    let gone = sent(notifier.notify(one), "server gone");
    assert!(gone.is_err(), "no server, a failure");
    assert_eq!(
        log.warnings(),
        2,
        "warned again after the success in between:\n{}",
        log.text()
    );
    drop(server);
    drop(bus);
}
