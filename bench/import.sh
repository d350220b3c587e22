#!/usr/bin/env bash
# Import benchmark (issue 6): parquet, jsonl and csv inputs of at least 200 MB built from
# tests/data/corpus.parquet, each converted by the engine's import path (canonical Arrow
# out), read by pyarrow into a table, and loaded by Python `datasets.load_dataset` (Arrow cache
# out), each in its own process, in the same run: MB/s of input and peak RSS.
# BENCH_DIR picks the scratch folder.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
ensure_rust
ensure_python_venv
corpus="$REPO_ROOT/tests/data/corpus.parquet"
[ -f "$corpus" ] || die "tests/data/corpus.parquet is missing"
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mistudio-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say "Building (release)"
cargo build --release -p mistudio-engine --example import_bench
bin="$CARGO_TARGET_DIR/release/examples/import_bench"

say "Writing the inputs (not timed)"
"$MISTUDIO_PYTHON" bench/import_python.py prepare "$corpus" "$work"
ls -l "$work"/corpus.* >&2

say "Measuring"
results="$work/results.jsonl"
for f in parquet jsonl csv; do
  input="$work/corpus.$f"
  cat "$input" >/dev/null # the same warm page cache for every reader
  "$bin" ingest "$input" "$work/out-$f"
  rm -rf "$work/out-$f"
  "$MISTUDIO_PYTHON" bench/import_python.py pyarrow "$input"
  "$MISTUDIO_PYTHON" bench/import_python.py datasets "$input" "$work/hf-cache-$f"
  rm -rf "$work/hf-cache-$f"
done | tee "$results"

"$MISTUDIO_PYTHON" - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print()
print(f"{'input':<10} {'size':>8}  {'miStudio import':>22}  {'pyarrow read':>22}  {'datasets.load_dataset':>22}")
for f in ("parquet", "jsonl", "csv"):
    want = {"parquet": "parquet", "jsonl": "json", "csv": "csv"}[f]
    got = {r["tool"]: r for r in rows if r["format"] in (f, want)}
    cell = lambda r: f"{r['mb_per_s']:7.1f} MB/s {r['peak_rss_mb']:6.0f} MB"
    size = got["mistudio"]["bytes"] / 1e6
    print(f"{f:<10} {size:6.0f} MB  {cell(got['mistudio']):>22}  {cell(got['pyarrow']):>22}  {cell(got['datasets']):>22}")
    counts = {t: r["rows"] for t, r in got.items()}
    assert len(set(counts.values())) == 1, f"{f}: row counts differ: {counts}"
print("(MB/s of input; peak RSS of the process. All three read the same rows.)")
PY
