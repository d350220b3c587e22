#!/usr/bin/env bash
# Rescan benchmark (issue 7): a shared data folder holding BENCH_DATASETS dataset manifests
# (default 1000); a fresh engine's first rescan (adopts them all into its own database) and a
# second one (nothing changed), next to Python merely reading and parsing the same manifests.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
ensure_rust
ensure_python_venv
n="${BENCH_DATASETS:-1000}"
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mistudio-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
say "Building (release)"
cargo build --release -p mistudio-engine --example rescan_bench
bin="$CARGO_TARGET_DIR/release/examples/rescan_bench"
"$bin" prepare "$n" "$work" >/dev/null
say "Measuring"
"$bin" measure "$work"
"$MISTUDIO_PYTHON" - "$work/data/datasets" <<'PY'
import json, os, sys, time
t = time.perf_counter()
found = 0
for entry in os.scandir(sys.argv[1]):
    with open(os.path.join(entry.path, "manifest.json"), "rb") as f:
        found += json.load(f)["dataset"]["status"] == "ready"
print(json.dumps({"role": "python_read_manifests", "ms": (time.perf_counter() - t) * 1e3, "datasets": found}))
PY
