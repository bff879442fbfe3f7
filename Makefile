# persona-inspector developer tasks.
#   make setup                      install system packages, Rust components, tools
#   make run ARGS="--port 5000"     run the app (for now: the webhook server)
#   make test                       formatting, lints and all tests
#   make bench                      benchmarks
#   make fmt                        format the code

# rustup installs cargo here; a non-login shell may not have it on PATH.
export PATH := $(HOME)/.cargo/bin:$(PATH)

ARGS ?=

.PHONY: setup run test bench fmt

setup:
	bash scripts/setup.sh

run: setup
	cargo run --release --bin persona-inspector -- serve $(ARGS)

test: setup
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo test --workspace --all-targets --locked
	if [ -f ui/package.json ]; then \
		npm --prefix ui run typecheck && npm --prefix ui test; \
	fi

bench: setup
	cargo run --release --locked -p persona-inspector-bench --bin bench -- $(ARGS)

fmt:
	cargo fmt --all
