//! How a delivery's body is kept in its row: compressed with zstd and a dictionary trained on
//! Persona's event shapes when that pays, else as it arrived; and how it comes back, byte for
//! byte. Each row says which (`body_encoding`), so rows of every kind read at all times, and a
//! later dictionary gets a code of its own while rows made with this one stay readable.
//! A short hash of the body as received (`body_hash`) lets bodies be compared without reading
//! them, whatever their encoding (a retry chain's "same body").

use std::cell::RefCell;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

use crate::error::{Error, Result};

/// Stored as received.
pub const IDENTITY: i64 = 0;
/// zstd with dictionary v1 (`body_dict_v1.bin`). Never change what a code means: a new
/// dictionary is a new code, and its decoder is added beside this one.
pub const ZSTD_DICT_V1: i64 = 1;

/// Trained on every catalog event's samples (`src/sample/`); see the test that writes it.
const DICT_V1: &[u8] = include_bytes!("body_dict_v1.bin");

/// Level 1: on the capture path, speed matters more than the few percent level 3 saves (with
/// the dictionary, 20 µs against 31 µs for a 4.5 KB body; 0.245 against 0.238 of its size).
const LEVEL: i32 = 1;

/// Bodies shorter than this are stored as they are: a zstd frame's own header would eat what
/// little compression finds.
const TINY: usize = 64;

/// Compression must save at least 1/8 of the body to be kept; what is close to
/// incompressible (images, random bytes, already-compressed data) is stored as is and costs
/// no decompression later.
const WORTH: usize = 8;

/// The largest body decoded: SQLite's own limit on a value (`SQLITE_MAX_LENGTH`), which no
/// body stored as received could pass, so no stored row can make a read allocate more.
pub const MAX_DECODED: u64 = 1_000_000_000;

/// A body as it goes into its row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    pub encoding: i64,
    pub bytes: Vec<u8>,
    pub hash: [u8; HASH_BYTES],
}

pub const HASH_BYTES: usize = 16;

/// The first 16 bytes of the body's SHA-256: bodies are compared by this, never trusted with it.
pub fn hash(body: &[u8]) -> [u8; HASH_BYTES] {
    let digest = Sha256::digest(body);
    let mut out = [0; HASH_BYTES];
    out.copy_from_slice(&digest[..HASH_BYTES]);
    out
}

/// `body` for its row as it is (with its hash).
fn as_received(body: Vec<u8>) -> Encoded {
    Encoded {
        encoding: IDENTITY,
        hash: hash(&body),
        bytes: body,
    }
}

/// Encodes `body` for a row whose size column is `size`: a compressed body is checked against
/// that column when read, so a row whose size is not its body's length (one refused as too
/// large keeps none) keeps its body as it is.
pub fn encode_for_row(body: Vec<u8>, size: u64) -> Encoded {
    match body.len() as u64 == size {
        true => encode(body),
        false => as_received(body),
    }
}

/// Encodes `body` for its row: compressed when that saves enough, else the body itself.
pub fn encode(body: Vec<u8>) -> Encoded {
    #[cfg(test)]
    tests::ENCODED_LENGTHS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(body.len());
    let hash = hash(&body);
    let compressed = match body.len() {
        n if n < TINY || n as u64 > MAX_DECODED => None,
        _ => compress(&body),
    };
    match compressed {
        Some(bytes) if bytes.len() <= body.len() - body.len() / WORTH => Encoded {
            encoding: ZSTD_DICT_V1,
            bytes,
            hash,
        },
        _ => Encoded {
            encoding: IDENTITY,
            bytes: body,
            hash,
        },
    }
}

/// Loaded once; None only when zstd refuses it, which the dictionary's test rules out.
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

/// None when zstd fails, which only a lack of memory makes it do: the body is then kept as is.
fn compress(body: &[u8]) -> Option<Vec<u8>> {
    thread_local! {
        // One context per thread, reused: making one and loading the dictionary into it costs
        // about as much as compressing a 6 KB body.
        static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    }
    COMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = Compressor::with_prepared_dictionary(encoder_dictionary()?).ok();
        }
        let compressor = cell.as_mut()?;
        // The frame records the body's size, which decoding checks against the row's.
        compressor
            .set_parameter(zstd::zstd_safe::CParameter::ContentSizeFlag(true))
            .ok()?;
        compressor.compress(body).ok()
    })
}

/// The body of row `id` exactly as received, from its stored bytes, encoding and size (the
/// `body_size` column). A compressed body must decode to exactly `size` bytes, and never more
/// than [`MAX_DECODED`] are allocated whatever the row says.
pub fn decode(id: i64, encoding: i64, stored: Vec<u8>, size: u64) -> Result<Vec<u8>> {
    match encoding {
        IDENTITY => Ok(stored),
        ZSTD_DICT_V1 => decompress(&stored, size).map_err(|why| Error::CorruptBody { id, why }),
        other => Err(Error::CorruptBody {
            id,
            why: format!(
                "its encoding {other} is unknown to this version (a newer inspector wrote it)"
            ),
        }),
    }
}

/// The body of row `id` as received, from the three columns from `at` on: `body`,
/// `body_encoding` and `body_size`, as every query that reads a body selects them. The outer
/// error is SQLite's; the inner one says the stored bytes do not decode.
pub fn from_row(id: i64, row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Result<Vec<u8>>> {
    let stored: Vec<u8> = row.get(at)?;
    let encoding: i64 = row.get(at + 1)?;
    let size = row.get::<_, i64>(at + 2)?.max(0) as u64;
    Ok(decode(id, encoding, stored, size))
}

fn decompress(stored: &[u8], size: u64) -> std::result::Result<Vec<u8>, String> {
    if size > MAX_DECODED {
        return Err(format!(
            "its recorded size, {size} bytes, is over the {MAX_DECODED} a body can have"
        ));
    }
    // Checked before anything is allocated: the frame must say it holds what the row says.
    match zstd::zstd_safe::get_frame_content_size(stored) {
        Ok(Some(declared)) if declared == size => {}
        Ok(Some(declared)) => {
            return Err(format!(
                "its frame declares {declared} bytes, not the {size} recorded"
            ));
        }
        Ok(None) => return Err("its frame does not declare its size".to_string()),
        Err(_) => return Err("it is not a zstd frame".to_string()),
    }
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
        // `size` bounds the allocation: a frame that claims or makes more is refused.
        let body = decompressor
            .decompress(stored, size as usize)
            .map_err(|e| format!("it does not decompress ({e})"))?;
        match body.len() as u64 == size {
            true => Ok(body),
            false => Err(format!(
                "it decompresses to {} bytes, not the {size} recorded",
                body.len()
            )),
        }
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The length of every body `encode` was given, for tests that check none was compressed.
    pub static ENCODED_LENGTHS: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());

    fn round_trip(body: &[u8]) -> Encoded {
        let encoded = encode(body.to_vec());
        let back = decode(
            1,
            encoded.encoding,
            encoded.bytes.clone(),
            body.len() as u64,
        )
        .expect("decodes");
        assert_eq!(back, body, "the body comes back byte for byte");
        assert_eq!(encoded.hash, hash(body));
        encoded
    }

    /// A sample body of `event` (the catalog's made-up events, `src/sample/`).
    pub fn sample(event: &str, seed: u64) -> Vec<u8> {
        let options = crate::sample::Options {
            seed: Some(seed),
            ..crate::sample::Options::new(event, 1_700_000_000_000)
        };
        crate::sample::generate(&options).expect("sample").body
    }

    fn sample_json() -> Vec<u8> {
        sample("inquiry.approved", 7)
    }

    /// xorshift bytes: as incompressible as real randomness, and the same every run.
    pub fn random_bytes(n: usize, mut state: u64) -> Vec<u8> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect()
    }

    #[test]
    fn json_is_compressed_and_comes_back_exactly() {
        let body = sample_json();
        let encoded = round_trip(&body);
        assert_eq!(encoded.encoding, ZSTD_DICT_V1);
        assert!(
            encoded.bytes.len() * 3 < body.len(),
            "{} of {} bytes",
            encoded.bytes.len(),
            body.len()
        );
    }

    #[test]
    fn empty_tiny_and_incompressible_bodies_are_kept_as_they_are() {
        assert_eq!(round_trip(b"").encoding, IDENTITY);
        assert_eq!(round_trip(b"{\"ok\":true}").encoding, IDENTITY);
        let random = random_bytes(100_000, 0x9E37_79B9_7F4A_7C15);
        let encoded = round_trip(&random);
        assert_eq!(encoded.encoding, IDENTITY);
        assert_eq!(encoded.bytes, random);
    }

    #[test]
    fn binary_bodies_come_back_exactly() {
        let binary: Vec<u8> = (0..20_000u32)
            .map(|i| (i % 7 * 31 + i / 999) as u8)
            .collect();
        assert_eq!(round_trip(&binary).encoding, ZSTD_DICT_V1);
    }

    #[test]
    fn a_row_that_lies_about_its_size_is_refused_without_allocating_it() {
        let body = sample_json();
        let encoded = encode(body.clone());
        let size = body.len() as u64;
        for wrong in [0, size - 1, size + 1, MAX_DECODED + 1, u64::MAX] {
            let refused = decode(9, encoded.encoding, encoded.bytes.clone(), wrong)
                .expect_err("the recorded size does not match");
            assert!(
                matches!(&refused, Error::CorruptBody { id: 9, .. }),
                "{refused}"
            );
        }
        let garbage = decode(9, ZSTD_DICT_V1, b"not zstd at all".to_vec(), 15);
        assert!(garbage.is_err());
        let lying = decode(9, encoded.encoding, encoded.bytes.clone(), size + 1)
            .expect_err("the frame and the row disagree");
        assert!(
            lying
                .to_string()
                .contains(&format!("declares {size} bytes")),
            "{lying}"
        );
        // A frame that does not say its size is refused even when the row's size is right.
        let mut compressor =
            Compressor::with_prepared_dictionary(encoder_dictionary().expect("dict"))
                .expect("compressor");
        compressor
            .set_parameter(zstd::zstd_safe::CParameter::ContentSizeFlag(false))
            .expect("no size");
        let unsized_frame = compressor.compress(&body).expect("compressed");
        let refused = decode(9, ZSTD_DICT_V1, unsized_frame, size).expect_err("no declared size");
        assert!(
            refused.to_string().contains("does not declare"),
            "{refused}"
        );
        let unknown = decode(9, 99, body.clone(), size).expect_err("unknown encoding");
        assert!(unknown.to_string().contains("newer"), "{unknown}");
    }

    /// The dictionary is versioned data: it is written once (set PERSONA_INSPECTOR_WRITE_DICT=1
    /// to train a new one, for a new encoding code) and never changed for ZSTD_DICT_V1.
    #[test]
    fn the_dictionary_is_trained_on_every_catalog_event() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/body_dict_v1.bin");
        if std::env::var_os("PERSONA_INSPECTOR_WRITE_DICT").is_some() {
            let mut samples = Vec::new();
            for event in crate::catalog::all() {
                for seed in 0..4 {
                    let options = crate::sample::Options {
                        seed: Some(seed),
                        ..crate::sample::Options::new(event.name, 1_700_000_000_000)
                    };
                    samples.push(crate::sample::generate(&options).expect("sample").body);
                }
            }
            let dict = zstd::dict::from_samples(&samples, 16 * 1024).expect("trained");
            std::fs::write(&path, dict).expect("written");
        }
        let committed = std::fs::read(&path).expect("the dictionary file");
        assert_eq!(committed, DICT_V1);
        // A zstd dictionary's magic number.
        assert_eq!(committed[..4], [0x37, 0xA4, 0x30, 0xEC]);
    }
}
