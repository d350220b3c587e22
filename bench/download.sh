#!/usr/bin/env bash
# Download benchmark: the engine vs curl vs Python huggingface_hub on one >= 500 MB file served
# by the loopback Hub emulator, in the same run; then the bytes re-fetched after an interruption.
# BENCH_SIZE_MB changes the file size (default 512); BENCH_DIR=/dev/shm writes to memory, taking
# the disk out of the measurement. Then the budgeted case: the first 1 % of a 1,000-shard
# FineWeb-shaped repo, the engine's --rows 1% next to Python datasets' split="train[:1%]"
# (BENCH_DUMPS, BENCH_SHARDS, BENCH_ROWS reshape the repo).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
ensure_rust
command -v curl >/dev/null || ensure_apt_packages curl
venv="${XDG_CACHE_HOME:-$HOME/.cache}/mistudio/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
  say "Creating a Python venv for huggingface_hub"
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c "import huggingface_hub, datasets" 2>/dev/null || "$venv/bin/pip" install -q huggingface_hub datasets
say "Building (release)"
cargo build --release -p mistudio-engine --example download_bench --example budget_bench
BENCH_PYTHON="$venv/bin/python" "$CARGO_TARGET_DIR/release/examples/download_bench"
BENCH_PYTHON="$venv/bin/python" "$CARGO_TARGET_DIR/release/examples/budget_bench"
