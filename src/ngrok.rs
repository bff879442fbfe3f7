//! ngrok awareness: when an ngrok agent runs on this machine, its local API lists its tunnels
//! ("List Tunnels", `GET /api/tunnels` under `http://127.0.0.1:4040`, the agent's web address;
//! https://ngrok.com/docs/agent/api/). The tunnel whose `config.addr` leads to the listener's
//! port has the public URL to paste into Persona's dashboard; tunnels that lead elsewhere are
//! worth a warning; no agent is nothing to say.
//!
//! The question is asked of this machine only, briefly (the agent answers at once or not at
//! all) and without following redirects, and what answers is read within bounds: whatever
//! listens on that port is not trusted to be ngrok.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::Url;
use serde::{Deserialize, Serialize};

/// The agent's web address when nothing else is said (its `web_addr` default).
pub const DEFAULT_AGENT: &str = "http://127.0.0.1:4040";
/// Names the agent's web address instead (`http://127.0.0.1:4041` for an agent started with
/// another `web_addr`, or a stand-in in tests).
pub const AGENT_ENV: &str = "PERSONA_INSPECTOR_NGROK_API";
/// How long the agent has to answer: it is on this machine, so it answers at once or not at
/// all, and `serve` and the window must never wait on it.
pub const TIMEOUT: Duration = Duration::from_millis(500);
/// The most of an answer read: a list of a few tunnels is a few KB.
const MAX_ANSWER: usize = 256 * 1024;
/// The most tunnels reported, and the longest text kept of any field.
const MAX_TUNNELS: usize = 32;
const MAX_TEXT: usize = 512;

/// What the agent says about the listener.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NgrokStatus {
    /// No agent answered (or what answered was not an ngrok agent): nothing to say.
    NoAgent,
    /// A tunnel leads to the listener: `public_url` is the URL to give Persona (the `https`
    /// one when there are two).
    Tunnel {
        public_url: String,
        tunnels: Vec<Tunnel>,
    },
    /// ngrok runs, but none of its tunnels leads to the listener's `port` (there may be none).
    OtherPorts { port: u16, tunnels: Vec<Tunnel> },
}

/// One of the agent's tunnels.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tunnel {
    pub name: Option<String>,
    pub public_url: String,
    pub proto: String,
    /// Where the agent forwards, as configured: `localhost:4747`, `http://localhost:4747`,
    /// `4747`…
    pub addr: String,
    /// The port on this machine it forwards to; null when it forwards to another host.
    pub port: Option<u16>,
}

/// What the agent's "List Tunnels" answers, as far as it is read.
#[derive(Deserialize)]
struct Answer {
    tunnels: Vec<serde_json::Value>,
}

/// Asks the agent at [`AGENT_ENV`] (or [`DEFAULT_AGENT`]) about the listener on `port`.
pub async fn status(port: u16) -> NgrokStatus {
    let agent = std::env::var(AGENT_ENV).unwrap_or_else(|_| DEFAULT_AGENT.to_string());
    status_at(&agent, port).await
}

/// Asks the agent whose web address is `agent` (`http://127.0.0.1:4040`) about the listener on
/// `port`. Never fails: an agent that is absent, slow or unreadable is [`NgrokStatus::NoAgent`].
pub async fn status_at(agent: &str, port: u16) -> NgrokStatus {
    let url = match tunnels_url(agent) {
        Ok(url) => url,
        Err(problem) => {
            tracing::warn!("ngrok: {problem}");
            return NgrokStatus::NoAgent;
        }
    };
    match fetch(url).await {
        Some(answer) => read(&answer, port).unwrap_or_else(|| {
            tracing::debug!("ngrok: what answers at {agent} is not an ngrok agent's tunnel list");
            NgrokStatus::NoAgent
        }),
        None => NgrokStatus::NoAgent,
    }
}

/// `agent`'s tunnel list URL; refuses anything but an `http` address on this machine.
fn tunnels_url(agent: &str) -> Result<Url, String> {
    let refuse = || {
        format!(
            "{AGENT_ENV}=\"{}\" is not the agent's web address on this machine, e.g. {DEFAULT_AGENT}; \
             ngrok is not asked",
            agent.chars().take(MAX_TEXT).collect::<String>()
        )
    };
    let url = Url::parse(agent.trim()).map_err(|_| refuse())?;
    if url.scheme() != "http" || !url.host_str().is_some_and(local_host) {
        return Err(refuse());
    }
    url.join("/api/tunnels").map_err(|_| refuse())
}

/// The answer's body, at most [`MAX_ANSWER`]; None when nothing (usable) answered in time.
async fn fetch(url: Url) -> Option<Vec<u8>> {
    let client = match client() {
        Ok(client) => client,
        Err(problem) => {
            tracing::warn!("ngrok: {problem}");
            return None;
        }
    };
    let mut response = client.get(url).send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.ok()? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    Some(body)
}

/// One client for every question: no redirects, no proxy from the environment (the agent is
/// on this machine), the whole exchange within [`TIMEOUT`].
fn client() -> Result<&'static reqwest::Client, &'static str> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .timeout(TIMEOUT)
                .connect_timeout(TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .map_err(|e| format!("the HTTP client could not start ({e})"))
        })
        .as_ref()
        .map_err(String::as_str)
}

/// The agent's tunnel list, read against the listener's `port`; None when it is not one.
fn read(answer: &[u8], port: u16) -> Option<NgrokStatus> {
    let answer: Answer = serde_json::from_slice(answer).ok()?;
    let tunnels: Vec<Tunnel> = answer
        .tunnels
        .iter()
        .filter_map(tunnel)
        .take(MAX_TUNNELS)
        .collect();
    let leads_here = |t: &&Tunnel| t.port == Some(port);
    let here = tunnels
        .iter()
        .filter(leads_here)
        .find(|t| t.public_url.starts_with("https://"))
        .or_else(|| tunnels.iter().find(leads_here));
    Some(match here {
        Some(tunnel) => NgrokStatus::Tunnel {
            public_url: tunnel.public_url.clone(),
            tunnels,
        },
        None => NgrokStatus::OtherPorts { port, tunnels },
    })
}

/// An HTTP tunnel, as the agent describes it: `public_url` (an http or https URL), `proto`,
/// `config.addr`, `name`. Anything else (TCP and TLS tunnels, which Persona cannot post to
/// as a webhook URL; fields missing or too long) is left out.
fn tunnel(value: &serde_json::Value) -> Option<Tunnel> {
    let text = |v: &serde_json::Value| {
        v.as_str()
            .filter(|s| s.len() <= MAX_TEXT)
            .map(str::to_string)
    };
    let public_url = text(value.get("public_url")?)?;
    let parsed = Url::parse(&public_url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let addr = text(value.get("config")?.get("addr")?)?;
    Some(Tunnel {
        name: value.get("name").and_then(text),
        proto: value
            .get("proto")
            .and_then(text)
            .unwrap_or_else(|| parsed.scheme().to_string()),
        port: local_port(&addr),
        addr,
        public_url,
    })
}

/// The port on this machine an agent's `addr` forwards to: `4747`, `localhost:4747`,
/// `127.0.0.1:4747`, `[::1]:4747`, `http://localhost:4747`, `https://localhost` (443). None
/// for another host.
fn local_port(addr: &str) -> Option<u16> {
    let addr = addr.trim();
    if let Ok(port) = addr.parse::<u16>() {
        return Some(port);
    }
    let url = match addr.contains("://") {
        true => Url::parse(addr).ok()?,
        false => Url::parse(&format!("http://{addr}")).ok()?,
    };
    if !url.host_str().is_some_and(local_host) {
        return None;
    }
    url.port_or_known_default()
}

/// `localhost`, a loopback address, or the unspecified one (which reaches this machine).
fn local_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip.is_unspecified(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_every_form_the_agent_takes_name_their_port() {
        for (addr, port) in [
            ("4747", Some(4747)),
            ("localhost:4747", Some(4747)),
            ("127.0.0.1:4747", Some(4747)),
            ("[::1]:4747", Some(4747)),
            ("http://localhost:4747", Some(4747)),
            ("https://localhost", Some(443)),
            ("http://localhost", Some(80)),
            ("0.0.0.0:4747", Some(4747)),
            ("foo.local:4747", None),
            ("http://192.0.2.1:4747", None),
            ("file:///srv/www", None),
            ("", None),
        ] {
            assert_eq!(local_port(addr), port, "{addr}");
        }
    }

    #[test]
    fn only_an_http_address_on_this_machine_is_asked() {
        assert_eq!(
            tunnels_url("http://127.0.0.1:4040").map(|u| u.to_string()),
            Ok("http://127.0.0.1:4040/api/tunnels".into())
        );
        assert!(tunnels_url("http://localhost:4041/").is_ok());
        for refused in [
            "https://127.0.0.1:4040",
            "http://example.com:4040",
            "4040",
            "",
        ] {
            let problem = tunnels_url(refused).expect_err(refused);
            assert!(problem.contains(AGENT_ENV), "{problem}");
        }
    }

    #[test]
    fn the_https_tunnel_to_the_port_wins_and_tcp_tunnels_are_left_out() {
        let answer = serde_json::json!({"tunnels": [
            {"name": "tcp", "public_url": "tcp://0.tcp.ngrok.io:1", "proto": "tcp",
             "config": {"addr": "localhost:4747"}},
            {"name": "a", "public_url": "http://a.ngrok.io", "proto": "http",
             "config": {"addr": "localhost:4747"}},
            {"name": "b", "public_url": "https://a.ngrok.io", "proto": "https",
             "config": {"addr": "localhost:4747"}},
        ]});
        match read(answer.to_string().as_bytes(), 4747) {
            Some(NgrokStatus::Tunnel {
                public_url,
                tunnels,
            }) => {
                assert_eq!(public_url, "https://a.ngrok.io");
                assert_eq!(tunnels.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            read(br#"{"tunnels": []}"#, 4747),
            Some(NgrokStatus::OtherPorts {
                port: 4747,
                tunnels: Vec::new()
            })
        );
        assert_eq!(read(b"not json", 4747), None);
        assert_eq!(read(br#"{"tunnels": 3}"#, 4747), None);
    }
}
