# persona-inspector developer tasks.
#   make setup                      install system packages, Rust components, tools
#   make run                        build and open the desktop app (release build)
#   make serve ARGS="--port 5000"   the headless capture server (CLI), where there is no display
#   make test                       formatting, lints and all tests (the window's under Xvfb too)
#   make bench                      benchmarks
#   make fmt                        format the code
#   make bindings                   regenerate ui/src/generated/bindings.ts from the Rust commands

# rustup installs cargo here; a non-login shell may not have it on PATH.
export PATH := $(HOME)/.cargo/bin:$(PATH)

ARGS ?=

.PHONY: setup run serve test bench fmt ui-dist bindings gui-test bench-app

setup:
	bash scripts/setup.sh

# `tauri build` embeds ui/dist; a plain `cargo build` binary would look for a dev server.
run: setup ui-dist
	npx --prefix ui tauri build --no-bundle
	./target/release/persona-inspector-app

serve: setup
	cargo run --release --bin persona-inspector -- serve $(ARGS)

test: setup ui-dist
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo test --workspace --all-targets --locked
	npm --prefix ui test
	$(MAKE) --no-print-directory gui-test

# The desktop shell embeds ui/dist at compile time, so it must exist before any cargo build;
# `npm run build` type-checks the UI first.
ui-dist:
	npm --prefix ui run build

bench: setup
	cargo run --release --locked -p persona-inspector-bench --bin bench -- $(ARGS)

fmt:
	cargo fmt --all

# End-to-end tests in the app's real window: tauri-driver + WebKitWebDriver under Xvfb, one app
# launch per test file, each with its own data directory and port (ui/e2e/), driving the app as it
# ships (no accelerated compositing). `E2E_SCREENSHOTS=1 make gui-test` also saves screenshots in
# screenshots/ (with compositing on: WebKitGTK takes none without it). `tauri build` embeds ui/dist; a plain `cargo build` binary cannot load the UI, and
# any `cargo build`/`cargo test` overwrites target/debug/persona-inspector-app with one, so the
# tests run a private copy taken right after the build.
gui-test: setup
	npm --prefix ui run build
	npx --prefix ui tauri build --debug --no-bundle
	mkdir -p target/gui-test && cp -f target/debug/persona-inspector-app target/gui-test/persona-inspector-app
	PERSONA_INSPECTOR_APP=target/gui-test/persona-inspector-app \
	  xvfb-run -a dbus-run-session -- node --test --test-concurrency=1 ui/e2e/

# The desktop app's figures (BENCHMARKS.md, "Desktop app"): launch to interactive window, idle
# memory, a 5 MB payload's tree and scrolling 100 000 deliveries, in the release app's real window
# under Xvfb (bench/app/figures.mjs), launch and memory against a minimal Tauri app
# (bench/minimal-app), built with the app in one cargo run: both see the same features of every
# shared crate, so the baseline reuses the app's compiled Tauri (the app itself is fresh by then).
# Builds the release app and runs a private copy of it (a plain
# `cargo build --release` would overwrite target/release with one that cannot load the UI), writes
# the 5 MB event with the benchmarks' payload generator (the same bytes every run), and seeds
# target/bench-app/seed-100k once (about a minute; delete it to seed again). The seed keeps its
# deliveries forever (retention saved as such); a seed made before retention existed is purged
# down to 30 days at launch: delete it to seed again.
bench-app: setup
	nice npm --prefix ui run build
	nice npx --prefix ui tauri build --no-bundle
	nice cargo build --release --locked -p persona-inspector-app -p persona-inspector-minimal-app \
	  --features tauri/custom-protocol
	mkdir -p target/bench-app && cp -f target/release/persona-inspector-app target/bench-app/persona-inspector-app \
	  && cp -f target/release/minimal-tauri-app target/bench-app/minimal-tauri-app
	nice cargo run --release --locked -p persona-inspector-bench --bin bench -- \
	  --payload-into target/bench-app/payload-5mb.json
	test -d target/bench-app/seed-100k || { rm -rf target/bench-app/seed-100k.tmp && \
	  nice cargo run --release --locked -p persona-inspector-bench --bin bench -- \
	    --seed-into target/bench-app/seed-100k.tmp --rows 100000 && \
	  mv target/bench-app/seed-100k.tmp target/bench-app/seed-100k; }
	PERSONA_INSPECTOR_APP=target/bench-app/persona-inspector-app \
	  xvfb-run -a dbus-run-session -- node bench/app/figures.mjs

bindings:
	PERSONA_INSPECTOR_WRITE_BINDINGS=1 cargo test -p persona-inspector-app --test bindings
