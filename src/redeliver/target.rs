//! Where a request goes: a typed target URL, checked once, and the one rule that joins it with
//! a delivery's original path and query. Re-delivery, the forward rule and the curl export all
//! go through [`Target::join`], so a curl command requests the URL a re-delivery would.

use reqwest::Url;

use crate::error::{Error, Result};

/// An `http://` or `https://` URL with a host (without its `#fragment`, never sent anyway),
/// and whether a delivery's original path and query are appended to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    url: Url,
    keep_path: bool,
}

/// How [`Target::join`] spells the delivery's own path and query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// As the URL standard writes them: what the HTTP client of a re-delivery sends (it
    /// percent-encodes `'` in a query, `{`, `}` and `` ` `` in a path, resolves `..`).
    Standard,
    /// Byte for byte as received. Only the curl export uses it: curl sends a path and query
    /// as given (`--path-as-is --globoff`), so its command reproduces the request exactly.
    /// For every path and query the standard leaves alone both spellings are the same URL.
    AsReceived,
}

impl Target {
    /// Refuses anything but an `http://` or `https://` URL with a host, saying what to type
    /// instead. With `keep_path`, [`Target::join`] appends the delivery's path and query.
    pub fn parse(text: &str, keep_path: bool) -> Result<Target> {
        Ok(Target {
            url: parse_url(text)?,
            keep_path,
        })
    }

    /// The inspector's own listener on this machine, at the delivery's original path.
    pub fn local(port: u16) -> Result<Target> {
        Target::parse(&format!("http://127.0.0.1:{port}"), true)
    }

    /// The URL as checked, without the delivery's path.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The URL a delivery received at `path` with `query` is sent to. Without `keep_path`
    /// that is the target itself. With it, the original path is appended to the target's path
    /// (one slash between them, whatever each side has; the path `/` appends nothing) and the
    /// original query to the target's own query (joined by `&`).
    pub fn join(&self, path: &str, query: Option<&str>, spelling: Spelling) -> String {
        if !self.keep_path {
            return self.url.to_string();
        }
        let original = path.strip_prefix('/').unwrap_or(path);
        let joined_path = if original.is_empty() {
            self.url.path().to_string()
        } else {
            let base = self.url.path();
            let base = base.strip_suffix('/').unwrap_or(base);
            format!("{base}/{original}")
        };
        let joined_query = match query.filter(|q| !q.is_empty()) {
            Some(query) => Some(match self.url.query().filter(|q| !q.is_empty()) {
                Some(own) => format!("{own}&{query}"),
                None => query.to_string(),
            }),
            // The target's own query, even an empty one (`?`), as it was typed.
            None => self.url.query().map(str::to_string),
        };
        match spelling {
            Spelling::Standard => {
                let mut url = self.url.clone();
                url.set_path(&joined_path);
                url.set_query(joined_query.as_deref());
                url.to_string()
            }
            Spelling::AsReceived => {
                let mut origin = self.url.clone();
                origin.set_query(None);
                origin.set_path("");
                let origin = origin.as_str().trim_end_matches('/');
                match joined_query {
                    Some(query) => format!("{origin}{joined_path}?{query}"),
                    None => format!("{origin}{joined_path}"),
                }
            }
        }
    }
}

fn parse_url(target: &str) -> Result<Url> {
    let text = target.trim();
    let example = "e.g. http://127.0.0.1:3000/webhooks/persona";
    if text.is_empty() {
        return Err(Error::Invalid(format!(
            "no URL to send to — give one, {example}"
        )));
    }
    let with_scheme = || {
        Error::Invalid(format!(
            "\"{text}\" has no http:// or https:// — write http://{text}"
        ))
    };
    // "localhost:3000/hooks" would parse with the scheme "localhost".
    let Some((_, rest)) = text.split_once("://") else {
        return Err(with_scheme());
    };
    let no_host = || {
        Error::Invalid(format!(
            "\"{text}\" names no host — give one like {example}"
        ))
    };
    // The URL standard reads "http:///x" as the host "x"; a third slash is a typo.
    if rest.starts_with(['/', '\\']) {
        return Err(no_host());
    }
    let url = Url::parse(text).map_err(|e| {
        Error::Invalid(format!(
            "\"{text}\" is not a URL ({e}) — give one like {example}"
        ))
    })?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(Error::Invalid(format!(
                "\"{text}\" is a {other}: URL; only http:// and https:// targets can be sent to"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(no_host());
    }
    let mut url = url;
    // Never sent on the wire anyway.
    url.set_fragment(None);
    Ok(url)
}
