# Shared by scripts/launch and scripts/test: install what the project needs on Debian/Ubuntu
# (x86_64 or aarch64, e.g. a Jetson on JetPack 6), idempotently. Sourced, not run.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Build output lives outside the clone, so fresh clones (and CI) reuse earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mistudio/target}"
TOOLS_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/mistudio-tools"

# The Rust toolchain this project is developed with; older ones lack std's file locks.
MIN_RUST_MINOR=89
# Vite 7 needs Node 20.19+.
MIN_NODE="20.19.0"

BUILD_PACKAGES=(build-essential pkg-config curl libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev
  libjavascriptcoregtk-4.1-dev librsvg2-dev)
TEST_PACKAGES=(xvfb webkit2gtk-driver dbus-x11 xauth python3-venv)
# What the Python interoperability tests read tokenizations with (and the benchmarks' peers);
# transformers (no torch) is what SAELens encodes documents with.
PYTHON_PACKAGES=(datasets==5.2.0 pyarrow==26.0.1 tokenizers==0.23.3 transformers==5.25.0 datatrove==0.10.1)

say() { printf '\033[1;32m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "installing system packages needs root; run as root or install sudo"
  fi
}

ensure_apt_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing system packages (${missing[*]}) and no apt-get: install them with your package manager"
  say "Installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_rust() {
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  if ! command -v cargo >/dev/null; then
    say "Installing the Rust toolchain (rustup)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component rustfmt,clippy
    . "$HOME/.cargo/env"
  fi
  local minor
  minor="$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')"
  if [ "$minor" -lt "$MIN_RUST_MINOR" ]; then
    command -v rustup >/dev/null || die "rustc 1.$minor is too old (need 1.$MIN_RUST_MINOR+); install a newer Rust with rustup"
    say "Updating Rust (1.$minor is older than 1.$MIN_RUST_MINOR)"
    rustup update stable
  fi
  if command -v rustup >/dev/null; then
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
  fi
}

node_is_recent() {
  command -v node >/dev/null || return 1
  local have
  have="$(node --version | sed 's/^v//')"
  [ "$(printf '%s\n%s\n' "$MIN_NODE" "$have" | sort -V | head -1)" = "$MIN_NODE" ]
}

ensure_node() {
  [ -x "$TOOLS_DIR/node/node_modules/.bin/node" ] && export PATH="$TOOLS_DIR/node/node_modules/.bin:$PATH"
  node_is_recent && command -v npm >/dev/null && return 0
  command -v npm >/dev/null || ensure_apt_packages nodejs npm
  if ! node_is_recent; then
    # Distribution Node is often too old for Vite 7; the npm registry ships Node itself.
    say "Installing Node.js 22 into $TOOLS_DIR/node (system Node is $(node --version 2>/dev/null || echo missing))"
    npm install --prefix "$TOOLS_DIR/node" --no-audit --no-fund --loglevel=error node@22 >/dev/null
    export PATH="$TOOLS_DIR/node/node_modules/.bin:$PATH"
  fi
  node_is_recent || die "could not get Node.js $MIN_NODE or newer; install it and rerun"
}

ensure_ui_deps() {
  say "Installing the window's npm packages"
  (cd "$REPO_ROOT/src-ui" && npm install --no-audit --no-fund --loglevel=error)
}

# Whether the virtualenv at $1 lacks Python or any of the pinned packages after it.
venv_incomplete() {
  local venv="$1" frozen pkg
  shift
  [ -x "$venv/bin/python" ] || return 0
  frozen="$("$venv/bin/pip" freeze 2>/dev/null)"
  for pkg in "$@"; do
    grep -qixF "$pkg" <<<"$frozen" || return 0
  done
  return 1
}

# Creates the virtualenv at $1 if needed and installs the pinned packages after it that it lacks.
ensure_venv() {
  local venv="$1"
  shift
  venv_incomplete "$venv" "$@" || return 0
  if [ ! -x "$venv/bin/python" ]; then
    say "Creating a Python virtualenv in $venv"
    python3 -m venv "$venv" || die "python3 -m venv failed: install python3-venv"
  fi
  say "Installing $* into the virtualenv"
  "$venv/bin/pip" install -q "$@"
}

# A virtualenv with PYTHON_PACKAGES; exports MISTUDIO_PYTHON, which the tests read.
ensure_python_venv() {
  local venv="${XDG_CACHE_HOME:-$HOME/.cache}/mistudio/py-venv"
  ensure_venv "$venv" "${PYTHON_PACKAGES[@]}"
  export MISTUDIO_PYTHON="$venv/bin/python"
}

tauri_cli() {
  "$REPO_ROOT/src-ui/node_modules/.bin/tauri" "$@"
}
