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
    let local = Target::default();
    assert_eq!(
        local.for_delivery("/hook", Some("a=b")),
        "http://127.0.0.1:4747/hook?a=b"
    );
    let exact = Target::url("http://localhost:3000/webhooks", false).expect("url");
    assert_eq!(
        exact.for_delivery("/hook", Some("a=b")),
        "http://localhost:3000/webhooks"
    );
    let appended = Target::url("http://localhost:3000/base/", true).expect("url");
    assert_eq!(
        appended.for_delivery("/hook", None),
        "http://localhost:3000/base/hook"
    );
    for bad in ["localhost:3000", "ftp://x/", "http:///x", "not a url"] {
        let error = Target::url(bad, false).expect_err(bad).to_string();
        assert!(error.contains("http://127.0.0.1:3000"), "{bad}: {error}");
    }
    assert!(Target::url("http://x/?a=b", true).is_err());
}
