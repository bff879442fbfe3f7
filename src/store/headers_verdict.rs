//! How a delivery's headers and its verdict are kept in its row. Both are JSON texts (headers
//! as `[[name, value(, base64)]]` in arrival order, the verdict as `Verdict` serializes), and
//! since schema 13 a new row holds them together in one compressed column, `headers_verdict`:
//! a format byte, then one zstd frame, made with a small dictionary trained on Persona's
//! headers and on verdicts of every kind, of the verdict's length (LEB128), the verdict and
//! the headers. One frame rather than two: the verdict's `pairs` repeat the
//! `Persona-Signature` header, which zstd then stores once. The row's `headers` and
//! `signature` columns (TEXT NOT NULL) hold `[]` and `{}`.
//!
//! Rows from before keep their JSON in `headers` and `signature` and `headers_verdict` NULL;
//! they are not rewritten (that would write every row again), only when their verdict changes
//! (a re-check writes the row as a new one is written). Every reader goes through [`decode`],
//! which reads either kind, and never allocates more than [`MAX_TEXTS`] bytes for a row,
//! whatever the frame claims.

use std::cell::RefCell;
use std::sync::OnceLock;

use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

use crate::error::{Error, Result};
use crate::model::Verdict;

/// The first byte of `headers_verdict`: zstd with dictionary v1, no dictionary id in the frame
/// (this byte says which dictionary, in one byte where the frame would take four). Never
/// change what a code means: a new dictionary is a new code, decoded beside this one.
pub const ZSTD_DICT_V1: u8 = 1;

/// Trained on the catalog's samples with their headers and every kind of verdict; see the
/// test that writes it.
const DICT_V1: &[u8] = include_bytes!("headers_verdict_dict_v1.bin");

/// Level 3: these texts are a few hundred bytes, compressed in a few µs at any level.
const LEVEL: i32 = 3;

/// The most a row's verdict and headers may hold together to be compressed, and so the most a
/// read ever allocates for them: a larger set (no real request has one; an import could) is
/// kept as text, as rows were before.
pub const MAX_TEXTS: usize = 1024 * 1024;

/// What the `headers` and `signature` columns hold when `headers_verdict` holds the texts:
/// the smallest valid JSON of each type, so SQL over them (`json_extract`) still runs.
pub const NO_HEADERS: &str = "[]";
pub const NO_VERDICT: &str = "{}";

/// A row's headers and verdict as their columns store them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    pub headers: String,
    pub signature: String,
    /// None: the texts are in `headers` and `signature` themselves.
    pub headers_verdict: Option<Vec<u8>>,
    /// The verdict's age when it flagged the signature stale at arrival (0 when it has none),
    /// else None: SQL reads staleness here, since the verdict itself is compressed.
    pub stale_age: Option<i64>,
}

/// The JSON of a row's verdict and headers, exactly as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Texts {
    pub verdict: String,
    pub headers: String,
}

/// The columns for a row whose verdict is `verdict` and headers `headers` (their JSON).
pub fn encode(verdict: &Verdict, headers: String) -> Result<Columns> {
    let verdict_json = serde_json::to_string(verdict).map_err(|e| Error::Invalid(e.to_string()))?;
    let stale_age = verdict.stale.then(|| verdict.age_seconds.unwrap_or(0));
    Ok(match pack(&verdict_json, &headers) {
        Some(frame) => Columns {
            headers: NO_HEADERS.to_string(),
            signature: NO_VERDICT.to_string(),
            headers_verdict: Some(frame),
            stale_age,
        },
        // Too large, or zstd failed (only a lack of memory makes it): kept as text.
        None => Columns {
            headers,
            signature: verdict_json,
            headers_verdict: None,
            stale_age,
        },
    })
}

/// The texts of row `id` from its columns: `headers_verdict`, `signature` and `headers` (None
/// when the caller does not want the headers; then `Texts::headers` is empty).
pub fn decode(
    id: i64,
    headers_verdict: Option<Vec<u8>>,
    signature: String,
    headers: Option<String>,
) -> Result<Texts> {
    let Some(stored) = headers_verdict else {
        return Ok(Texts {
            verdict: signature,
            headers: headers.unwrap_or_default(),
        });
    };
    let corrupt = |why: String| Error::CorruptHeaders { id, why };
    let content = unpack(&stored).map_err(corrupt)?;
    let (verdict, rest) = split(&content).map_err(corrupt)?;
    let text = |bytes: &[u8], what: &str| {
        String::from_utf8(bytes.to_vec()).map_err(|_| corrupt(format!("its {what} is not UTF-8")))
    };
    Ok(Texts {
        verdict: text(verdict, "verdict")?,
        headers: match headers {
            Some(_) => text(rest, "headers")?,
            None => String::new(),
        },
    })
}

/// The verdict and headers of row `id` from the three columns from `at` on:
/// `headers_verdict`, `signature` and `headers`, as every query that reads headers selects
/// them.
pub fn from_row(id: i64, row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Result<Texts>> {
    let stored: Option<Vec<u8>> = row.get(at)?;
    let signature: String = row.get(at + 1)?;
    let headers: String = row.get(at + 2)?;
    Ok(decode(id, stored, signature, Some(headers)))
}

/// The frame's content: the verdict's length as LEB128, the verdict, the headers.
fn content(verdict: &str, headers: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(verdict.len() + headers.len() + 5);
    let mut n = verdict.len();
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            break;
        }
        out.push(low | 0x80);
    }
    out.extend_from_slice(verdict.as_bytes());
    out.extend_from_slice(headers.as_bytes());
    out
}

/// The verdict and the headers from a frame's content.
fn split(content: &[u8]) -> std::result::Result<(&[u8], &[u8]), String> {
    let mut length: usize = 0;
    for (i, byte) in content.iter().take(4).enumerate() {
        length |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            let rest = &content[i + 1..];
            return match length <= rest.len() {
                true => Ok(rest.split_at(length)),
                false => Err(format!(
                    "its verdict's length, {length} bytes, is over the {} it holds",
                    rest.len()
                )),
            };
        }
    }
    Err("it does not start with its verdict's length".to_string())
}

fn encoder_dictionary() -> Option<&'static EncoderDictionary<'static>> {
    static DICT: OnceLock<Option<EncoderDictionary<'static>>> = OnceLock::new();
    DICT.get_or_init(|| EncoderDictionary::try_copy(DICT_V1, LEVEL).ok())
        .as_ref()
}

fn decoder_dictionary() -> Option<&'static DecoderDictionary<'static>> {
    static DICT: OnceLock<Option<DecoderDictionary<'static>>> = OnceLock::new();
    DICT.get_or_init(|| DecoderDictionary::try_copy(DICT_V1).ok())
        .as_ref()
}

/// The column's bytes for `verdict` and `headers`; None when together they are over
/// [`MAX_TEXTS`], or zstd fails.
fn pack(verdict: &str, headers: &str) -> Option<Vec<u8>> {
    thread_local! {
        // One context per thread, reused: loading the dictionary into a new one would cost
        // more than compressing.
        static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    }
    let content = content(verdict, headers);
    if content.len() > MAX_TEXTS {
        return None;
    }
    COMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            let mut compressor =
                Compressor::with_prepared_dictionary(encoder_dictionary()?).ok()?;
            use zstd::zstd_safe::CParameter;
            // The size is what a read checks before allocating; the dictionary's id is the
            // format byte's business.
            compressor
                .set_parameter(CParameter::ContentSizeFlag(true))
                .ok()?;
            compressor
                .set_parameter(CParameter::DictIdFlag(false))
                .ok()?;
            *cell = Some(compressor);
        }
        let frame = cell.as_mut()?.compress(&content).ok()?;
        let mut stored = Vec::with_capacity(frame.len() + 1);
        stored.push(ZSTD_DICT_V1);
        stored.extend_from_slice(&frame);
        Some(stored)
    })
}

/// The content of a stored `headers_verdict`, checked against what its frame declares before
/// anything is allocated.
fn unpack(stored: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let frame = match stored.split_first() {
        Some((&ZSTD_DICT_V1, frame)) => frame,
        Some((other, _)) => {
            return Err(format!(
                "its format {other} is unknown to this version (a newer inspector wrote it)"
            ));
        }
        None => return Err("it is empty".to_string()),
    };
    let size = match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(size)) if size <= MAX_TEXTS as u64 => size as usize,
        Ok(Some(size)) => {
            return Err(format!(
                "its frame declares {size} bytes, over the {MAX_TEXTS} it may hold"
            ));
        }
        Ok(None) => return Err("its frame does not declare its size".to_string()),
        Err(_) => return Err("it is not a zstd frame".to_string()),
    };
    thread_local! {
        static DECOMPRESSOR: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
    }
    DECOMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            let dictionary = decoder_dictionary().ok_or("zstd refused its dictionary")?;
            *cell = Some(
                Decompressor::with_prepared_dictionary(dictionary)
                    .map_err(|e| format!("zstd could not start ({e})"))?,
            );
        }
        let Some(decompressor) = cell.as_mut() else {
            return Err("zstd could not start".to_string());
        };
        // `size` bounds the allocation: a frame that makes more is refused.
        let content = decompressor
            .decompress(frame, size)
            .map_err(|e| format!("it does not decompress ({e})"))?;
        match content.len() == size {
            true => Ok(content),
            false => Err(format!(
                "it decompresses to {} bytes, not the {size} its frame declares",
                content.len()
            )),
        }
    })
}

#[cfg(test)]
mod tests;
