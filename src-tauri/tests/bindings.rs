//! The window's TypeScript types are generated from the Rust commands and events; this fails
//! when the committed file no longer matches them. `make bindings` rewrites it.

use std::path::Path;

use persona_inspector_app::ipc;

const COMMITTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../ui/src/generated/bindings.ts"
);

#[test]
fn the_committed_typescript_bindings_match_the_rust_commands() {
    let dir = tempfile::tempdir().expect("temp");
    let fresh = dir.path().join("bindings.ts");
    ipc::builder()
        .export(ipc::typescript(), &fresh)
        .expect("export the bindings");
    let fresh = std::fs::read_to_string(&fresh).expect("read the fresh bindings");
    assert!(
        fresh.contains("listDeliveries"),
        "the export names the commands"
    );
    if std::env::var_os("PERSONA_INSPECTOR_WRITE_BINDINGS").is_some() {
        std::fs::write(COMMITTED, &fresh).expect("write the bindings");
        return;
    }
    let committed = std::fs::read_to_string(Path::new(COMMITTED)).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/generated/bindings.ts is stale: the Rust commands or types changed. \
         Run `make bindings` and commit the result."
    );
}
