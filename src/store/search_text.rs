//! What the search index is fed, and what a search asks it. The index keeps no positions
//! (FTS5 `detail=none`: a third of the bytes of one that does), so it cannot match a phrase;
//! instead each two adjacent words of a line are also fed as one word, `first_second`, and a
//! searched word made of several (`status:passed`, `"name-first":"Jane"`, `inquiry.approved`)
//! asks for those pairs. Both sides split words the same way, here, so FTS5's own tokenizer
//! never has more than one word to match in a quoted term (which `detail=none` refuses).

use std::borrow::Cow;
use std::collections::HashSet;

/// What FTS5 is told a word is made of: letters, digits and marks (`M*`, so a word that
/// [`words`] keeps whole is never split by FTS5 either), `_` joining Persona ids (`inq_…`).
pub(super) const TOKENIZER: &str = "unicode61 tokenchars '_' categories 'L* N* Co M*'";

/// The words of `text` as FTS5 splits them: runs of ASCII letters, digits and `_`, and of
/// other letters, digits and marks. Enclosed letters (ⓐ, 🄰) count as letters to Rust but
/// are symbols to FTS5: they split words here too.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|word| !word.is_empty())
}

fn is_word_char(c: char) -> bool {
    match c {
        '_' => true,
        c if c.is_ascii() => c.is_ascii_alphanumeric(),
        '\u{2460}'..='\u{24ff}' | '\u{1f100}'..='\u{1f1ff}' => false,
        c => c.is_alphanumeric(),
    }
}

/// How much of each word a pair keeps. Whole words would make a new, unique word of every
/// id or hash next to its key (`id_inq_…`): the index doubled. Cut short, pairs are shared
/// by many deliveries, and the words themselves are searched too.
const PAIR_PART: usize = 4;

/// Two adjacent words as the one word the index is also fed, each cut to [`PAIR_PART`]
/// characters; only ASCII ones, whose case folding is the same here as in FTS5.
fn pair(first: &str, second: &str) -> Option<String> {
    let cut = |word: &str| word[..word.len().min(PAIR_PART)].to_ascii_lowercase();
    (first.is_ascii() && second.is_ascii()).then(|| format!("{}_{}", cut(first), cut(second)))
}

/// `text` and, after it, the pairs of adjacent words of each of its lines, each once.
pub(super) fn with_pairs(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    out.push_str(text);
    let mut seen = HashSet::new();
    for line in text.lines() {
        let mut previous: Option<&str> = None;
        for word in words(line) {
            if let Some(pair) = previous.and_then(|p| pair(p, word))
                && seen.insert(pair.clone())
            {
                out.push('\n');
                out.push_str(&pair);
            }
            previous = Some(word);
        }
    }
    out
}

/// Turns what a person typed into an FTS5 query: every whitespace-separated word must match,
/// its last part as a prefix; a word of several parts (`status:passed`) matches as its parts
/// and their adjacent pairs. None when nothing searchable is left. `prefix` false: whole
/// words only (an id looked up as is).
pub fn match_expression(text: &str, prefix: bool) -> Option<String> {
    let mut terms = Vec::new();
    for typed in text.split_whitespace() {
        let parts: Vec<&str> = words(typed).collect();
        for (at, part) in parts.iter().enumerate() {
            let last = prefix && at + 1 == parts.len();
            terms.push(format!("\"{part}\"{}", if last { "*" } else { "" }));
            let Some(pair) = at.checked_sub(1).and_then(|p| pair(parts[p], part)) else {
                continue;
            };
            // A last part shorter than a pair keeps may be the start of a longer word.
            let open = last && part.len() < PAIR_PART;
            terms.push(format!("\"{pair}\"{}", if open { "*" } else { "" }));
        }
    }
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// What the index is fed of a body: its members ([`searchable_text`]) and their pairs.
pub(super) fn body_text(body: &[u8]) -> String {
    with_pairs(&searchable_text(body))
}

/// A body's members: for JSON, each distinct member as `key value` (strings
/// unescaped), a key whose value is an object or array alone, and each array element alone,
/// one a line in the order they first appear; anything else as text. A Persona body repeats
/// the same members many times over (every check of a verification has `name`, `status`,
/// `reasons`…): indexed once, a search finds the same deliveries while the index holds and
/// writes a fraction of the positions. A key stays next to its value, so a search for
/// `status:passed` or a pasted `"name-first":"Jane"` (one phrase) still finds it.
fn searchable_text(body: &[u8]) -> Cow<'_, str> {
    match json_members(body) {
        Some(text) => text.into(),
        None => String::from_utf8_lossy(body),
    }
}

/// The distinct members and elements of a JSON document, one a line; None when `body` is not
/// JSON.
fn json_members(body: &[u8]) -> Option<String> {
    // Validated first, so the scan below can trust every string to be closed.
    serde_json::from_slice::<serde::de::IgnoredAny>(body).ok()?;
    let text = std::str::from_utf8(body).ok()?;
    let bytes = text.as_bytes();
    let mut seen = std::collections::HashSet::new();
    let mut out = String::with_capacity(body.len() / 2);
    let mut push = |line: String| {
        if !line.trim().is_empty() && !seen.contains(&line) {
            out.push_str(&line);
            out.push('\n');
            seen.insert(line);
        }
    };
    // The key read last, until its value comes.
    let mut key: Option<String> = None;
    let mut value = |scalar: &str, key: &mut Option<String>| match key.take() {
        Some(key) => push(format!("{key} {scalar}")),
        None => push(scalar.to_string()),
    };
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                let mut end = at + 1;
                let mut escaped = false;
                while let Some(&b) = bytes.get(end) {
                    match b {
                        b'\\' => {
                            escaped = true;
                            end += 2;
                        }
                        b'"' => break,
                        _ => end += 1,
                    }
                }
                let literal = text.get(at..=end)?;
                let string: String = match escaped {
                    true => serde_json::from_str(literal).ok()?,
                    false => literal[1..literal.len() - 1].to_string(),
                };
                at = end + 1;
                let next = bytes[at..].iter().find(|b| !b.is_ascii_whitespace());
                match next {
                    Some(b':') => key = Some(string),
                    _ => value(&string, &mut key),
                }
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                let end = bytes[at..]
                    .iter()
                    .position(|b| matches!(b, b',' | b']' | b'}' | b':') || b.is_ascii_whitespace())
                    .map_or(bytes.len(), |n| at + n);
                value(text.get(at..end)?, &mut key);
                at = end;
            }
            b'{' | b'[' => {
                if let Some(key) = key.take() {
                    value(&key, &mut None);
                }
                at += 1;
            }
            _ => at += 1,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_json_body_is_indexed_as_its_distinct_members() {
        let body = br#"{"a":"x y","b":["x y",12.5,true,null,"q\"uote \u00e9"],"a2":{"a":-3e2},"c":"x y","d": "x y"}"#;
        assert_eq!(
            super::json_members(body).expect("JSON"),
            "a x y\nb\nx y\n12.5\ntrue\nnull\nq\"uote \u{e9}\na2\na -3e2\nc x y\nd x y\n"
        );
        assert_eq!(super::searchable_text(b"not { json"), "not { json");
        assert_eq!(
            super::searchable_text(b"{\"cut\": \"sho"),
            "{\"cut\": \"sho"
        );
    }

    #[test]
    fn adjacent_ascii_words_of_a_line_are_also_fed_as_pairs_once() {
        assert_eq!(
            super::with_pairs(
                "status passed\nname-first Jane\nStatus Passing\nJosé Müller\nid inq_Ab1"
            ),
            "status passed\nname-first Jane\nStatus Passing\nJosé Müller\nid inq_Ab1\n\
             stat_pass\nname_firs\nfirs_jane\nid_inq_"
        );
        // A line of one word, or none, has no pair.
        assert_eq!(super::with_pairs("inq_1\n\n{}"), "inq_1\n\n{}");
    }

    #[test]
    fn a_typed_word_of_several_parts_asks_for_its_parts_and_their_pairs() {
        let query = |text| super::match_expression(text, true);
        assert_eq!(query("inq_kT4x"), Some(r#""inq_kT4x"*"#.into()));
        assert_eq!(
            query("status:pas"),
            Some(r#""status" "pas"* "stat_pas"*"#.into())
        );
        // A last part as long as a pair keeps: the pair is whole.
        assert_eq!(
            query("status:pass"),
            Some(r#""status" "pass"* "stat_pass""#.into())
        );
        assert_eq!(
            query(r#""name-first":"Jane" approved"#),
            Some(r#""name" "first" "name_firs" "Jane"* "firs_jane" "approved"*"#.into())
        );
        // FTS5's syntax is never passed through: quotes, stars, parentheses and NEAR split words.
        assert_eq!(
            query("a\"b* (NEAR"),
            Some(r#""a" "b"* "a_b"* "NEAR"*"#.into())
        );
        assert_eq!(query(" :-\" *"), None);
        // Non-ASCII words have no pair: both, anywhere.
        assert_eq!(query("José-Mü"), Some(r#""José" "Mü"*"#.into()));
        assert_eq!(
            super::match_expression("inq_1-x", false),
            Some(r#""inq_1" "x" "inq__x""#.into())
        );
        // Enclosed letters are symbols to FTS5: they split words here too.
        assert_eq!(query("aⓐb"), Some(r#""a" "b"* "a_b"*"#.into()));
    }

    proptest::proptest! {
        /// Whatever is typed, the query is one FTS5 accepts from an index without positions:
        /// no quoted term is ever split into several words by FTS5's tokenizer.
        #[test]
        fn any_typed_text_makes_a_query_the_index_accepts(typed in "\\PC{0,24}") {
            let conn = rusqlite::Connection::open_in_memory().expect("memory");
            conn.execute_batch(&format!(
                "CREATE VIRTUAL TABLE t USING fts5(body, content = '', detail = none,
                 tokenize = \"{}\")",
                super::TOKENIZER
            ))
            .expect("table");
            if let Some(query) = super::match_expression(&typed, true) {
                conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&query], |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{query}: {e}")))?;
            }
        }
    }
}
