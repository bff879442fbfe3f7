# persona-inspector developer tasks.
#   make setup                      install system packages, Rust components, tools
#   make run ARGS="--port 5000"     run the app (for now: the webhook server)
#   make test                       formatting, lints and all tests
#   make bench                      benchmarks
#   make fmt                        format the code

# rustup installs cargo here; a non-login shell may not have it on PATH.
export PATH := $(HOME)/.cargo/bin:$(PATH)

ARGS ?=

.PHONY: setup run test bench fmt ui-dist

setup:
	bash scripts/setup.sh

run: setup
	cargo run --release --bin persona-inspector -- serve $(ARGS)

test: setup ui-dist
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo test --workspace --all-targets --locked
	npm --prefix ui test

# The desktop shell embeds ui/dist at compile time, so it must exist before any cargo build;
# `npm run build` type-checks the UI first.
ui-dist:
	npm --prefix ui run build

bench: setup
	cargo run --release --locked -p persona-inspector-bench --bin bench -- $(ARGS)

fmt:
	cargo fmt --all
