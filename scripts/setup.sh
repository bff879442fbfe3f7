#!/usr/bin/env bash
# Make a Debian/Ubuntu machine ready to build, run and test persona-inspector.
# Idempotent, and quick (a couple of seconds) when everything is already there.
#   SKIP_TAURI_DRIVER=1  skip installing tauri-driver (needed only by the GUI tests)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

TAURI_DRIVER_VERSION=2.1.0
DEB_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config curl
  xvfb xauth webkit2gtk-driver dbus-x11
  sqlite3  # the window tests age a stored delivery (ui/e2e/purge.test.mjs)
)

log() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

# --- system packages -------------------------------------------------------
# Node may come from elsewhere (e.g. NodeSource's nodejs, which ships npm and
# conflicts with Debian's npm): only ask for Debian's if node/npm are absent.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  DEB_PACKAGES+=(nodejs npm)
fi

if command -v dpkg-query >/dev/null 2>&1; then
  # One call for all; packages dpkg has never heard of print nothing.
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${DEB_PACKAGES[@]}" 2>/dev/null \
    | awk '$NF == "installed" { sub(/:.*/, "", $1); print $1 }' || true)
  missing=()
  for pkg in "${DEB_PACKAGES[@]}"; do
    grep -qxF "$pkg" <<<"$installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "system packages present"
  else
    # Root runs apt-get itself; anyone else needs sudo.
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
      command -v sudo >/dev/null 2>&1 \
        || die "missing system packages and no sudo; as root, run: apt-get install ${missing[*]}"
      sudo=(sudo)
    fi
    log "installing system packages: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  log "warning: not a Debian/Ubuntu system; install these yourself: ${DEB_PACKAGES[*]}"
fi

# --- Rust toolchain ----------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 \
  || die "cargo not found: install Rust with rustup (https://rustup.rs), then re-run"

components=()
cargo fmt --version >/dev/null 2>&1 || components+=(rustfmt)
cargo clippy --version >/dev/null 2>&1 || components+=(clippy)
if [ ${#components[@]} -eq 0 ]; then
  log "rust toolchain present ($(cargo --version))"
elif command -v rustup >/dev/null 2>&1; then
  log "installing rust components: ${components[*]}"
  rustup component add "${components[@]}"
else
  die "missing rust components (${components[*]}) and no rustup to add them"
fi

# --- tauri-driver (WebDriver bridge for the GUI tests) -----------------------
if [ "${SKIP_TAURI_DRIVER:-0}" = 1 ]; then
  log "tauri-driver skipped (SKIP_TAURI_DRIVER=1)"
elif command -v tauri-driver >/dev/null 2>&1 \
     && { tauri-driver --version 2>/dev/null | grep -F "$TAURI_DRIVER_VERSION" >/dev/null \
          || cargo install --list | grep -xF "tauri-driver v$TAURI_DRIVER_VERSION:" >/dev/null; }; then
  # tauri-driver 2.1.0 has no --version flag: cargo's install record tells instead.
  log "tauri-driver $TAURI_DRIVER_VERSION present"
else
  log "installing tauri-driver $TAURI_DRIVER_VERSION (cargo install, takes a few minutes)"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --quiet
fi

# --- UI dependencies -----------------------------------------------------------
if [ -f ui/package.json ]; then
  stamp=ui/node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ ui/package.json -nt "$stamp" ] \
     || { [ -f ui/package-lock.json ] && [ ui/package-lock.json -nt "$stamp" ]; }; then
    log "installing ui dependencies (npm install)"
    # npm ci fails with npm 11.19 here, hence npm install.
    (cd ui && npm install --no-audit --no-fund --loglevel=error)
    # npm may rewrite package-lock.json after its hidden lockfile: mark done now.
    if [ -f "$stamp" ]; then touch "$stamp"; fi
  else
    log "ui dependencies present"
  fi
fi
