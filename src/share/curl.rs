//! A capture as a shell command that sends the same request again with curl.

use std::fmt::Write as _;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::error::{Error, Result};
use crate::model::{Outcome, headers_from_json};
use crate::redeliver::{Spelling, Target, end_to_end};
use crate::view::Detail;

/// A shell command (POSIX sh, bash, zsh) that sends the delivery again with curl, byte for byte:
/// the method, every header as received except the hop-by-hop ones and those curl derives (Host,
/// Content-Length, Expect), and the exact body. curl's own default headers (User-Agent, Accept,
/// a form Content-Type) are suppressed when the delivery did not carry them.
///
/// Everything is single-quoted, so nothing in a payload is ever run by the shell. A header value
/// that is not printable UTF-8 is rebuilt with `printf` octal escapes; a body that is not
/// printable UTF-8 travels as base64 through `base64 -d`. A body always reaches curl on its
/// standard input (`--data-binary @-`), so its size is not bound by the argument limit.
pub fn curl(detail: &Detail, target: &Target) -> Result<String> {
    let s = &detail.summary;
    if s.outcome == Outcome::TooLarge {
        return Err(Error::Invalid(format!(
            "delivery {} was over the body limit when it arrived and its body was not kept, so \
             curl cannot reproduce it — export it with --fixture to share its headers",
            s.id
        )));
    }
    let body = BASE64.decode(&detail.body_base64).map_err(|e| {
        Error::Invalid(format!(
            "the stored body of delivery {} is not valid base64 ({e}); the database may be damaged",
            s.id
        ))
    })?;
    let headers = headers_from_json(&detail.headers);
    let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let head = s.method.eq_ignore_ascii_case("HEAD");
    // A request framed with Content-Length (or chunked) had a body, even an empty one.
    let sends_body =
        !head && (!body.is_empty() || has("content-length") || has("transfer-encoding"));
    if head && !body.is_empty() {
        return Err(Error::Invalid(format!(
            "delivery {} is a HEAD request with a body, which curl cannot send",
            s.id
        )));
    }

    let mut lines = Vec::new();
    if !body.is_empty() {
        lines.push(body_source(&body));
    }
    let mut first = String::from("curl --globoff --path-as-is");
    // --head, not --request HEAD: with the latter curl waits for a body that never comes.
    if head {
        first.push_str(" --head");
    } else {
        write!(first, " --request {}", shell_word(s.method.as_bytes())?).ok();
    }
    // The URL a re-delivery to the same target requests, with the delivery's own path and
    // query kept byte for byte (see `Spelling::AsReceived`).
    let url = target.join(&s.path, s.query.as_deref(), Spelling::AsReceived);
    write!(first, " {}", shell_word(url.as_bytes())?).ok();
    lines.push(first);

    // The same headers a re-delivery leaves out: hop-by-hop ones and those curl derives itself
    // (Host, Content-Length, Expect).
    for (name, value) in &end_to_end(headers.clone()) {
        // `Name;` is curl's spelling of a header with an empty value (`Name:` removes one).
        let mut line = name.as_bytes().to_vec();
        if value.is_empty() {
            line.push(b';');
        } else {
            line.extend_from_slice(b": ");
            line.extend_from_slice(value);
        }
        lines.push(format!("--header {}", shell_word(&line)?));
    }
    let mut suppressed = Vec::new();
    for name in ["User-Agent", "Accept"] {
        if !has(name) {
            suppressed.push(name);
        }
    }
    if sends_body {
        if !has("content-type") {
            suppressed.push("Content-Type");
        }
        // curl asks for 100-continue before a larger body; the sender did not.
        suppressed.push("Expect");
    }
    if !suppressed.is_empty() {
        let flags: Vec<String> = suppressed
            .iter()
            .map(|name| format!("--header '{name}:'"))
            .collect();
        lines.push(flags.join(" "));
    }
    if !body.is_empty() {
        lines.push("--data-binary @-".into());
    } else if sends_body {
        lines.push("--data-binary ''".into());
    }

    // One argument per line, continued with backslashes, to read and to edit.
    // With a body, the first line feeds the pipe and curl's options are indented under it.
    let piped = !body.is_empty();
    let mut command = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            command.push_str(" \\\n");
            command.push_str(match (piped, i) {
                (true, 1) => "  | ",
                (true, _) => "      ",
                (false, _) => "  ",
            });
        }
        command.push_str(line);
    }
    Ok(command)
}

/// `printf '%s' '<body>'` for printable text (readable and editable), otherwise its base64
/// decoded by `base64 -d`. `printf` is a shell builtin, so even a large body passes no
/// argument to a program.
fn body_source(body: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(body) {
        // Control characters other than newlines would be mangled when pasted into a terminal.
        if !text.chars().any(|c| c.is_control() && c != '\n') {
            return format!("printf '%s' {}", single_quoted(text));
        }
    }
    let encoded = BASE64.encode(body);
    // Wrapped like `base64` does; `base64 -d` skips the newlines.
    let wrapped: Vec<_> = encoded
        .as_bytes()
        .chunks(76)
        .map(String::from_utf8_lossy)
        .collect();
    format!("printf '%s' '{}' | base64 -d", wrapped.join("\n"))
}

/// One shell word that expands to exactly `bytes`. Printable UTF-8 is single-quoted as is;
/// anything else is produced by `printf` with octal escapes, inside double quotes so it stays
/// one word. NUL and trailing newlines cannot be passed this way, and never occur in a
/// method, URL or header line.
fn shell_word(bytes: &[u8]) -> Result<String> {
    if bytes.contains(&0) || bytes.ends_with(b"\n") {
        return Err(Error::Invalid(
            "a request line or header holds a NUL or a trailing newline, which no shell argument can carry".into(),
        ));
    }
    if let Ok(text) = std::str::from_utf8(bytes)
        && !text.chars().any(char::is_control)
    {
        return Ok(single_quoted(text));
    }
    let mut format = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        match byte {
            b'%' => format.push_str("%%"),
            b'\\' => format.push_str("\\\\"),
            b'\'' => format.push_str("\\047"),
            0x20..=0x7e => format.push(byte as char),
            _ => {
                write!(format, "\\{byte:03o}").ok();
            }
        }
    }
    Ok(format!("\"$(printf '{format}')\""))
}

/// `'text'`, with each `'` written as `'\''` (close, escaped quote, reopen).
fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests;
