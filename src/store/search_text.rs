//! What the search index is fed, and what a search asks it. The index keeps no positions
//! (FTS5 `detail=none`: a third of the bytes of one that does), so it cannot match a phrase;
//! instead each two adjacent ASCII words are also fed as one word, `firs_seco` (cut short),
//! and a searched word made of several (`status:passed`, `"name-first":"Jane"`,
//! `inquiry.approved`) asks for its words and their pairs. ASCII is split here, the same way
//! on both sides; text with other characters is split by FTS5's own tokenizer on both sides
//! ([`fts_words`]), so a quoted term never holds more than one word (`detail=none` refuses
//! that) and never a piece the index does not have.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;

use rusqlite::Connection;

/// What FTS5 is told a word is made of: letters, digits and marks (a word with a virama or a
/// combining accent stays one word), `_` joining Persona ids (`inq_…`).
pub(super) const TOKENIZER: &str = "unicode61 tokenchars '_' categories 'L* N* Co M*'";

/// `text` cut at white space and at ASCII characters other than letters, digits and `_`:
/// ASCII words, split as FTS5 splits them, and pieces holding other characters, left whole
/// for FTS5.
fn pieces(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        c.is_whitespace() || (c.is_ascii() && !(c.is_ascii_alphanumeric() || c == '_'))
    })
    .filter(|piece| !piece.is_empty())
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

/// `text` and, after it, the pairs of adjacent ASCII words of each line (a member), each once.
pub(super) fn with_pairs(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    out.push_str(text);
    let mut seen = HashSet::new();
    for line in text.lines() {
        let mut previous: Option<&str> = None;
        for piece in pieces(line) {
            if let Some(pair) = previous.and_then(|p| pair(p, piece))
                && seen.insert(pair.clone())
            {
                out.push('\n');
                out.push_str(&pair);
            }
            previous = Some(piece);
        }
    }
    out
}

/// Turns what a person typed into an FTS5 query: every whitespace-separated word must match,
/// its last part as a prefix; a word of several parts (`status:passed`) matches as its parts
/// and their adjacent pairs, except across `,`, `{`, `}`, `[` or `]`, which part members
/// of pasted JSON (the index pairs words within a member). None when nothing searchable is
/// left. `prefix` false: whole words only (an id looked up as is).
pub fn match_expression(text: &str, prefix: bool) -> Option<String> {
    let mut terms = Vec::new();
    for typed in text.split_whitespace() {
        let parts: Vec<&str> = pieces(typed).collect();
        // Where each part starts in `typed`: what lies between two parts says if they pair.
        let start = |part: &str| part.as_ptr() as usize - typed.as_ptr() as usize;
        for (at, part) in parts.iter().enumerate() {
            let last = prefix && at + 1 == parts.len();
            let star = |open: bool| if open { "*" } else { "" };
            if !part.is_ascii() {
                let words = fts_words(part);
                for (n, word) in words.iter().enumerate() {
                    terms.push(format!("\"{word}\"{}", star(last && n + 1 == words.len())));
                }
                continue;
            }
            terms.push(format!("\"{part}\"{}", star(last)));
            let Some(before) = at.checked_sub(1).map(|p| parts[p]) else {
                continue;
            };
            let between = &typed[start(before) + before.len()..start(part)];
            if between.contains([',', '{', '}', '[', ']']) {
                continue;
            }
            if let Some(pair) = pair(before, part) {
                // A last part shorter than a pair keeps may be the start of a longer word.
                terms.push(format!(
                    "\"{pair}\"{}",
                    star(last && part.len() < PAIR_PART)
                ));
            }
        }
    }
    (!terms.is_empty()).then(|| terms.join(" "))
}

thread_local! {
    /// An in-memory FTS5 table with the index's tokenizer, to split text as the index did.
    static SPLITTER: RefCell<Option<Connection>> = const { RefCell::new(None) };
}

/// The words FTS5 makes of `text` (folded, in order): only FTS5 knows how its Unicode tables,
/// older than Rust's, split letters, marks and symbols outside ASCII.
fn fts_words(text: &str) -> Vec<String> {
    let split = |conn: &Connection| -> rusqlite::Result<Vec<String>> {
        conn.execute("DELETE FROM splitter", [])?;
        conn.execute("INSERT INTO splitter (rowid, text) VALUES (1, ?1)", [text])?;
        let mut words = conn.prepare_cached("SELECT term FROM splitter_words ORDER BY offset")?;
        let words = words.query_map([], |r| r.get(0))?;
        words.collect()
    };
    SPLITTER.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = open_splitter()
                .inspect_err(|e| tracing::warn!("search: could not split a word: {e}"))
                .ok();
        }
        match cell.as_ref().map(split) {
            Some(Ok(words)) => words,
            Some(Err(error)) => {
                tracing::warn!("search: could not split a word: {error}");
                Vec::new()
            }
            None => Vec::new(),
        }
    })
}

fn open_splitter() -> rusqlite::Result<Connection> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE splitter USING fts5(text, tokenize = \"{TOKENIZER}\");
         CREATE VIRTUAL TABLE splitter_words USING fts5vocab(splitter, instance);"
    ))?;
    Ok(conn)
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
    fn adjacent_ascii_words_are_also_fed_as_pairs_once() {
        assert_eq!(
            super::with_pairs(
                "status passed\nname-first Jane\nStatus Passing\nJosé Müller\nid inq_Ab1"
            ),
            "status passed\nname-first Jane\nStatus Passing\nJosé Müller\nid inq_Ab1\n\
             stat_pass\nname_firs\nfirs_jane\nid_inq_"
        );
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
        assert_eq!(
            super::match_expression("inq_1-x", false),
            Some(r#""inq_1" "x" "inq__x""#.into())
        );
        // Pasted members pair within each member only: the index pairs no further.
        assert_eq!(
            query(r#""type":"id","status":"passed""#),
            Some(r#""type" "id" "type_id" "status" "passed"* "stat_pass""#.into())
        );
        // Other characters are split by FTS5 itself, folded as it folds them, with no pairs.
        assert_eq!(query("José-Mü"), Some(r#""jose" "mu"*"#.into()));
        assert_eq!(query("नमस्ते"), Some(r#""नमस्ते"*"#.into()));
        assert_eq!(query("a\u{2014}b:c"), Some(r#""a" "b" "c"*"#.into()));
    }

    proptest::proptest! {
        /// Whatever is typed, the query is one FTS5 accepts from an index without positions
        /// (no quoted term FTS5 splits into several words), and it finds a body holding what
        /// was typed (no piece the index does not have).
        #[test]
        fn any_typed_text_makes_a_query_that_finds_it(typed in "\\PC{0,24}") {
            let conn = rusqlite::Connection::open_in_memory().expect("memory");
            conn.execute_batch(&format!(
                "CREATE VIRTUAL TABLE t USING fts5(body, content = '', detail = none,
                 tokenize = \"{}\")",
                super::TOKENIZER
            ))
            .expect("table");
            conn.execute(
                "INSERT INTO t (rowid, body) VALUES (1, ?1)",
                [super::with_pairs(&typed)],
            )
            .expect("indexed");
            if let Some(query) = super::match_expression(&typed, true) {
                let found = conn
                    .query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&query], |r| {
                        r.get::<_, i64>(0)
                    })
                    .map_err(|e| {
                        proptest::test_runner::TestCaseError::fail(format!("{query}: {e}"))
                    })?;
                proptest::prop_assert_eq!(found, 1, "{} did not find {:?}", query, typed);
            }
        }
    }
}
