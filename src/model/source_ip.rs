//! Where a delivery came from: its apparent source address, and whether that address is in
//! Persona's published list of webhook source addresses. Information for a person to weigh,
//! never a verdict: the signature is what proves a delivery is Persona's.

use std::net::{IpAddr, SocketAddr};

use super::Headers;

/// The addresses Persona publishes for webhook (and workflow) requests, by region: Germany,
/// India, United States. From "Domains and IP addresses → Webhook and Workflow requests" at
/// https://docs.withpersona.com/security; the first three United States ones are also those
/// the "IP addresses" section of https://docs.withpersona.com/docs/webhooks lists. A setting:
/// the user edits it when Persona's page changes.
pub const PERSONA_WEBHOOK_IPS: [&str; 22] = [
    // Germany
    "35.246.155.45",
    "34.89.193.61",
    "34.89.158.43",
    "35.198.149.197",
    "34.159.83.62",
    "34.159.68.157",
    // India
    "34.93.21.229",
    "35.244.13.71",
    "34.93.90.104",
    "34.93.222.99",
    // United States
    "35.232.44.140",
    "34.69.131.123",
    "34.67.4.225",
    "34.66.30.174",
    "34.123.74.158",
    "34.41.116.165",
    "34.145.62.98",
    "34.105.116.226",
    "34.168.249.74",
    "35.199.156.187",
    "34.105.58.25",
    "35.230.80.200",
];

/// The most addresses the list may hold: Persona publishes a few dozen.
pub const MAX_PERSONA_IPS: usize = 1024;

/// The apparent source of a request, and how it was worked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApparentSource {
    /// None when it cannot be told (no peer recorded, or an unreadable forwarded address).
    pub ip: Option<IpAddr>,
    pub basis: Basis,
}

/// How the apparent source was worked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The peer itself: no proxy on this machine stood in between.
    Peer {
        /// The request carried an `X-Forwarded-For` that was not believed: it did not come
        /// through a proxy on this machine, so the sender wrote it.
        forwarded_for_ignored: bool,
    },
    /// The last address a proxy on this machine (ngrok) added to `X-Forwarded-For`.
    ForwardedFor {
        /// How many addresses stand before it: written by the sender, so anything at all.
        earlier: usize,
    },
    /// A proxy on this machine forwarded it, but the address it names is not an IP address.
    Unreadable { entry: String },
    /// No peer address was recorded (an import that claims none).
    Unknown,
}

impl ApparentSource {
    /// Works the source out from the peer address and the request's `X-Forwarded-For` (every
    /// line of it joined by commas, as HTTP allows a repeated header to be read).
    ///
    /// ngrok appends the address it received the request from to `X-Forwarded-For` and says
    /// to read the last value ("Forwarded Headers Reference",
    /// https://ngrok.com/docs/universal-gateway/http-s/upstream-headers/); what stands before
    /// it is whatever the sender wrote. So the header is believed only when the peer is on
    /// this machine (the ngrok agent connects from loopback), its entries are read from the
    /// right, and loopback entries (further proxies on this machine) are stepped over. A
    /// sender cannot forge its way past the entry ngrok added, which is always the rightmost
    /// non-loopback one. From any other peer the header is the sender's claim and is ignored.
    pub fn of(remote_addr: Option<&str>, forwarded_for: Option<&str>) -> ApparentSource {
        let Some(peer) = remote_addr.and_then(parse_address) else {
            return ApparentSource {
                ip: None,
                basis: Basis::Unknown,
            };
        };
        let entries: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|header| header.split(','))
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .collect();
        if entries.is_empty() || !peer.is_loopback() {
            return ApparentSource {
                ip: Some(peer),
                basis: Basis::Peer {
                    forwarded_for_ignored: !entries.is_empty(),
                },
            };
        }
        for (position, entry) in entries.iter().enumerate().rev() {
            match parse_address(entry) {
                Some(ip) if ip.is_loopback() && position > 0 => continue,
                Some(ip) => {
                    return ApparentSource {
                        ip: Some(ip),
                        basis: Basis::ForwardedFor { earlier: position },
                    };
                }
                None => {
                    return ApparentSource {
                        ip: None,
                        basis: Basis::Unreadable {
                            entry: entry.chars().take(64).collect(),
                        },
                    };
                }
            }
        }
        // Unreachable: the loop returns at position 0 at the latest.
        ApparentSource {
            ip: Some(peer),
            basis: Basis::Peer {
                forwarded_for_ignored: false,
            },
        }
    }

    /// The source of a request as it arrives.
    pub fn of_request(remote_addr: Option<&str>, headers: &Headers) -> ApparentSource {
        ApparentSource::of(remote_addr, forwarded_for(headers).as_deref())
    }

    /// One sentence on how the address was worked out, for the detail view.
    pub fn describe(&self) -> String {
        match &self.basis {
            Basis::Peer {
                forwarded_for_ignored: true,
            } => "the address that connected to the listener; its X-Forwarded-For is ignored, \
                  since it did not come through a proxy on this machine and so is only what \
                  the sender wrote"
                .into(),
            Basis::Peer { .. } if self.ip.is_some_and(|ip| ip.is_loopback()) => {
                "the address that connected to the listener: this machine (a local sender, or \
                 a proxy that did not say whom it forwarded for)"
                    .into()
            }
            Basis::Peer { .. } => "the address that connected to the listener".into(),
            Basis::ForwardedFor { earlier: 0 } => {
                "the address the proxy on this machine (ngrok) put in X-Forwarded-For".into()
            }
            Basis::ForwardedFor { earlier } => format!(
                "the address the proxy on this machine (ngrok) added last to X-Forwarded-For; \
                 the {earlier} before it {} written by the sender and can be anything",
                if *earlier == 1 { "was" } else { "were" }
            ),
            Basis::Unreadable { entry } => format!(
                "unknown: the last X-Forwarded-For entry, \"{entry}\", is not an IP address"
            ),
            Basis::Unknown => "unknown: no peer address was recorded".into(),
        }
    }
}

/// Whether `ip` is in `list`: None when either is unknown (no address, or no list to look in).
pub fn listed(ip: Option<IpAddr>, list: &[IpAddr]) -> Option<bool> {
    match ip {
        Some(ip) if !list.is_empty() => Some(list.contains(&ip)),
        _ => None,
    }
}

/// Every `X-Forwarded-For` line of `headers`, joined by commas; None without one.
pub fn forwarded_for(headers: &Headers) -> Option<String> {
    let lines: Vec<String> = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("x-forwarded-for"))
        .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
        .collect();
    (!lines.is_empty()).then(|| lines.join(","))
}

/// Checks a list of addresses as typed; returns them in canonical form, each once.
pub fn parse_ip_list(texts: &[String]) -> Result<Vec<String>, String> {
    if texts.len() > MAX_PERSONA_IPS {
        return Err(format!(
            "{} addresses are too many for Persona's list; keep at most {MAX_PERSONA_IPS}",
            texts.len()
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(texts.len());
    for text in texts {
        let ip: IpAddr = text.trim().parse().map_err(|_| {
            format!(
                "\"{}\" is not an IP address; give whole addresses such as 35.232.44.140 \
                 (Persona publishes single addresses, not ranges)",
                text.chars().take(64).collect::<String>()
            )
        })?;
        let canonical = ip.to_canonical().to_string();
        if !out.contains(&canonical) {
            out.push(canonical);
        }
    }
    Ok(out)
}

/// The addresses of a saved list; any that does not read (a hand-edited database) is skipped.
pub fn ip_list(texts: &[String]) -> Vec<IpAddr> {
    texts
        .iter()
        .filter_map(|text| text.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect()
}

/// An address as a peer or a proxy writes it: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:80`;
/// IPv4-mapped IPv6 (a dual-stack listener's peers) as the IPv4 address it is.
fn parse_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let ip = text
        .parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(remote: Option<&str>, xff: Option<&str>) -> (Option<String>, Basis) {
        let s = ApparentSource::of(remote, xff);
        (s.ip.map(|ip| ip.to_string()), s.basis)
    }

    #[test]
    fn without_forwarded_for_the_peer_is_the_source() {
        assert_eq!(
            source(Some("203.0.113.5:41000"), None),
            (
                Some("203.0.113.5".into()),
                Basis::Peer {
                    forwarded_for_ignored: false
                }
            )
        );
        assert_eq!(
            source(Some("127.0.0.1:41000"), Some(" , ")).0.as_deref(),
            Some("127.0.0.1")
        );
    }

    #[test]
    fn behind_a_local_proxy_the_rightmost_entry_is_the_source() {
        assert_eq!(
            source(Some("127.0.0.1:5000"), Some("35.232.44.140")),
            (
                Some("35.232.44.140".into()),
                Basis::ForwardedFor { earlier: 0 }
            )
        );
        // The sender wrote the first entry; ngrok appended the second.
        assert_eq!(
            source(Some("[::1]:5000"), Some("35.232.44.140, 198.51.100.9")),
            (
                Some("198.51.100.9".into()),
                Basis::ForwardedFor { earlier: 1 }
            )
        );
        // Two header lines read as one list; a port and brackets are tolerated.
        assert_eq!(
            source(Some("127.0.0.1:5000"), Some("10.0.0.1,[2001:db8::1]:443")).0,
            Some("2001:db8::1".into())
        );
    }

    #[test]
    fn loopback_entries_are_further_local_proxies_and_are_stepped_over() {
        assert_eq!(
            source(Some("127.0.0.1:5000"), Some("35.232.44.140, 127.0.0.1")),
            (
                Some("35.232.44.140".into()),
                Basis::ForwardedFor { earlier: 0 }
            )
        );
        // A forged loopback entry before ngrok's cannot hide ngrok's.
        assert_eq!(
            source(Some("127.0.0.1:5000"), Some("127.0.0.1, 198.51.100.9")).0,
            Some("198.51.100.9".into())
        );
        // Only loopback: the first entry stands.
        assert_eq!(
            source(Some("127.0.0.1:5000"), Some("127.0.0.1, ::1")).0,
            Some("127.0.0.1".into())
        );
    }

    #[test]
    fn forwarded_for_from_a_remote_peer_is_ignored() {
        assert_eq!(
            source(Some("198.51.100.7:443"), Some("35.232.44.140")),
            (
                Some("198.51.100.7".into()),
                Basis::Peer {
                    forwarded_for_ignored: true
                }
            )
        );
    }

    #[test]
    fn what_cannot_be_read_is_unknown_not_guessed() {
        assert_eq!(
            source(Some("127.0.0.1:1"), Some("35.232.44.140, unknown")),
            (
                None,
                Basis::Unreadable {
                    entry: "unknown".into()
                }
            )
        );
        assert_eq!(source(None, Some("35.232.44.140")), (None, Basis::Unknown));
        assert_eq!(source(Some("not an address"), None), (None, Basis::Unknown));
    }

    #[test]
    fn ipv4_mapped_peers_read_as_ipv4() {
        assert_eq!(
            source(Some("[::ffff:35.232.44.140]:9"), None).0,
            Some("35.232.44.140".into())
        );
    }

    #[test]
    fn listed_is_unknown_without_an_address_or_a_list() {
        let list = ip_list(&["35.232.44.140".to_string()]);
        let ip = Some("35.232.44.140".parse().expect("ip"));
        assert_eq!(listed(ip, &list), Some(true));
        assert_eq!(
            listed(Some("35.232.44.141".parse().expect("ip")), &list),
            Some(false)
        );
        assert_eq!(listed(None, &list), None);
        assert_eq!(listed(ip, &[]), None);
    }

    #[test]
    fn the_default_list_reads_and_a_typed_list_is_checked() {
        let defaults: Vec<String> = PERSONA_WEBHOOK_IPS.iter().map(|s| s.to_string()).collect();
        assert_eq!(parse_ip_list(&defaults).map(|l| l.len()), Ok(22));
        assert_eq!(
            parse_ip_list(&[" 35.232.44.140 ".into(), "35.232.44.140".into()]),
            Ok(vec!["35.232.44.140".to_string()])
        );
        let error = parse_ip_list(&[".232.44.140".into()]).expect_err("a partial address");
        assert!(
            error.contains("\".232.44.140\" is not an IP address"),
            "{error}"
        );
    }

    #[test]
    fn every_forwarded_for_line_is_read() {
        let headers: Headers = vec![
            ("x-forwarded-for".into(), b"1.1.1.1".to_vec()),
            ("host".into(), b"h".to_vec()),
            ("X-Forwarded-For".into(), b"35.232.44.140".to_vec()),
        ];
        assert_eq!(
            forwarded_for(&headers).as_deref(),
            Some("1.1.1.1,35.232.44.140")
        );
        assert_eq!(forwarded_for(&Vec::new()), None);
    }
}
