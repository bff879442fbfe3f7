use super::*;

#[test]
fn single_quotes_survive_quoting() {
    assert_eq!(single_quoted("it's"), r"'it'\''s'");
    assert_eq!(single_quoted("$(rm -rf ~)`x`"), "'$(rm -rf ~)`x`'");
}

#[test]
fn bytes_that_are_not_printable_utf8_go_through_printf_escapes() {
    let word = shell_word(&[b'a', 0xff, b'%', b'\'', b'\\', b'\t']).expect("word");
    assert_eq!(word, r#""$(printf 'a\377%%\047\\\011')""#);
    assert!(shell_word(b"a\0b").is_err());
    assert!(shell_word(b"ab\n").is_err());
}

#[test]
fn the_target_appends_the_original_path_only_when_asked() {
    let local = Target::local(4747).expect("local");
    assert_eq!(
        local.join("/hook", Some("a=b"), Spelling::AsReceived),
        "http://127.0.0.1:4747/hook?a=b"
    );
    let exact = Target::parse("http://localhost:3000/webhooks", false).expect("url");
    assert_eq!(
        exact.join("/hook", Some("a=b"), Spelling::AsReceived),
        "http://localhost:3000/webhooks"
    );
    let appended = Target::parse("http://localhost:3000/base/", true).expect("url");
    assert_eq!(
        appended.join("/hook", None, Spelling::AsReceived),
        "http://localhost:3000/base/hook"
    );
    for (bad, says) in [
        ("localhost:3000", "write http://localhost:3000"),
        ("ftp://x/", "only http:// and https://"),
        ("http:///x", "http://127.0.0.1:3000"),
        ("not a url", "write http://not a url"),
    ] {
        let error = Target::parse(bad, false).expect_err(bad).to_string();
        assert!(error.contains(says), "{bad}: {error}");
    }
    // A target's own query is kept, the original one joined to it, as a re-delivery does.
    let with_query = Target::parse("http://x/?a=b", true).expect("url");
    assert_eq!(
        with_query.join("/hook", Some("c=d"), Spelling::AsReceived),
        "http://x/hook?a=b&c=d"
    );
}
