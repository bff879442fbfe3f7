//! The URL a re-delivery goes to: a typed target, checked, with the delivery's own path and
//! query appended on request.

use reqwest::Url;

use crate::error::{Error, Result};

/// The URL a delivery received at `path` with `query` is sent to. Refuses anything but an
/// `http://` or `https://` URL with a host, saying what to type instead.
///
/// With `keep_path`, the original path is appended to the target's path (one slash between
/// them, whatever each side has) and the original query to the target's own query.
pub fn target_url(
    target: &str,
    path: &str,
    query: Option<&str>,
    keep_path: bool,
) -> Result<String> {
    let mut url = parse_target(target)?;
    if keep_path {
        let original = path.strip_prefix('/').unwrap_or(path);
        if !original.is_empty() {
            let base = url.path();
            let base = base.strip_suffix('/').unwrap_or(base);
            let joined = format!("{base}/{original}");
            url.set_path(&joined);
        }
        if let Some(query) = query.filter(|q| !q.is_empty()) {
            let merged = match url.query().filter(|q| !q.is_empty()) {
                Some(own) => format!("{own}&{query}"),
                None => query.to_string(),
            };
            url.set_query(Some(&merged));
        }
    }
    Ok(url.to_string())
}

pub(super) fn parse_target(target: &str) -> Result<Url> {
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
    if !text.contains("://") {
        return Err(with_scheme());
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
        return Err(Error::Invalid(format!(
            "\"{text}\" names no host — give one like {example}"
        )));
    }
    let mut url = url;
    // Never sent on the wire anyway.
    url.set_fragment(None);
    Ok(url)
}
