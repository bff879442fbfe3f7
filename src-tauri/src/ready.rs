//! The launch clock and the window's report that it is interactive: the time since launch is
//! logged (and read by `make bench-app`), with the page's own marks of where that time went.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

/// When `run` was called, by the monotonic clock and by the wall clock (the page's marks are
/// wall-clock times: `performance.timeOrigin` is milliseconds since the Unix epoch).
struct Launch {
    at: Instant,
    epoch_ms: f64,
}

static LAUNCHED: OnceLock<Launch> = OnceLock::new();

fn launch() -> &'static Launch {
    LAUNCHED.get_or_init(|| Launch {
        at: Instant::now(),
        epoch_ms: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
    })
}

/// When `run` was called: launch time is measured from here.
pub(crate) fn launched() -> Instant {
    launch().at
}

/// At most this many marks are logged: the page sends a handful.
const MAX_MARKS: usize = 16;

/// A point of the page's start: a `performance.mark` or one of its navigation timings.
#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct PageMark {
    pub name: String,
    /// Milliseconds after `PageTiming::time_origin` (`performance.now()` at the mark).
    pub at: f64,
}

/// The page's own timing of its start, sent with `window_ready`.
#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct PageTiming {
    /// `performance.timeOrigin`: when the page's navigation started, ms since the Unix epoch.
    pub time_origin: f64,
    pub marks: Vec<PageMark>,
}

/// Logs, once, the time since launch and each of the page's marks as milliseconds after launch.
pub fn interactive(page: &PageTiming) {
    static LOGGED: std::sync::Once = std::sync::Once::new();
    LOGGED.call_once(|| {
        let launch = launch();
        let elapsed = launch.at.elapsed();
        // One line, so whoever waits for it (`make bench-app`) has the marks with it.
        tracing::info!(
            "window interactive {:.0} ms after launch (page, ms after launch: {})",
            elapsed.as_secs_f64() * 1000.0,
            marks(page, launch.epoch_ms)
        );
    });
}

/// `name at, …`: each mark as milliseconds after launch (`launch_epoch_ms`).
fn marks(page: &PageTiming, launch_epoch_ms: f64) -> String {
    page.marks
        .iter()
        .take(MAX_MARKS)
        .map(|m| {
            let name: String = m.name.chars().take(40).collect();
            format!("{name} {:.0}", page.time_origin + m.at - launch_epoch_ms)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_ms_after_launch() {
        let page = PageTiming {
            time_origin: 1_000.0,
            marks: vec![
                PageMark {
                    name: "script".into(),
                    at: 250.4,
                },
                PageMark {
                    name: "ready".into(),
                    at: 400.0,
                },
            ],
        };
        assert_eq!(marks(&page, 900.0), "script 350, ready 500");
    }

    #[test]
    fn marks_are_capped() {
        let mark = PageMark {
            name: "x".repeat(100),
            at: 0.0,
        };
        let page = PageTiming {
            time_origin: 0.0,
            marks: vec![mark; 100],
        };
        let logged = marks(&page, 0.0);
        assert_eq!(logged.split(", ").count(), MAX_MARKS);
        assert!(logged.starts_with(&format!("{} 0", "x".repeat(40))));
    }
}
