#!/usr/bin/env bash
# Browsing benchmark (issue 5, docs/design.md §7): a dataset of tests/data/corpus.parquet
# repeated BENCH_REPEAT times (default 15: 2,014,650 rows); p50/p95 of a page of 20 rows at
# random offsets and of the first page of searches for a common word, a rare word and text that
# matches nothing (a full scan), through the engine's API and through the window's command path,
# next to pyarrow doing the same on the same files, in the same run.
# BENCH_DIR picks the scratch folder; BENCH_REPS the page samples (default 400).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
ensure_rust
ensure_python_venv
corpus="$REPO_ROOT/tests/data/corpus.parquet"
[ -f "$corpus" ] || die "tests/data/corpus.parquet is missing"
repeat="${BENCH_REPEAT:-15}"
reps="${BENCH_REPS:-400}"
common="the" rare="porcupine" none="qzxwv no such text"
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mistudio-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say "Building (release; the first build compiles Tauri and takes a while)"
cargo build --release --example browse_bench
bin="$CARGO_TARGET_DIR/release/examples/browse_bench"

say "Ingesting the corpus ${repeat}x (not timed)"
"$bin" prepare "$corpus" "$repeat" "$work"

say "Measuring"
results="$work/results.jsonl"
{
  "$bin" measure "$work" "$reps" "$common" "$rare" "$none"
  "$MISTUDIO_PYTHON" bench/browse_python.py "$work/data/datasets/ds_bench/data/train" "$reps" "$common" "$rare" "$none"
} | tee "$results"

"$MISTUDIO_PYTHON" - "$results" <<'PY'
import json, sys
r = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        v = json.loads(line)
        r[(v["path"], v["what"])] = v
rows = r[("engine", "page")]["rows"]
print()
print(f"{rows:,} rows; milliseconds, p50 / p95")
print(f"{'operation':<34} {'engine':>15} {'window command':>15} {'pyarrow':>15}")
def cell(path, what):
    v = r.get((path, what))
    return f"{v['p50_ms']:6.1f} / {v['p95_ms']:6.1f}" if v else f"{'-':>15}"
for what, label in [
    ("page", "page of 20, random offset"),
    ("search_common", "search common word, 1st page"),
    ("search_common_next_page", "  its next page"),
    ("search_rare", "search rare word, 1st page"),
    ("search_rare_next_page", "  its next page"),
    ("search_none", "search no match (full scan)"),
]:
    print(f"{label:<34} {cell('engine', what):>15} {cell('window', what):>15} {cell('pyarrow', what):>15}")
for what in ("common", "rare", "none"):
    e, p = r[("engine", f"search_{what}")], r[("pyarrow", f"search_{what}")]
    assert e["matches"] == p["matches"], f"{what}: engine found {e['matches']} rows, pyarrow {p['matches']}"
    print(f"search {e['word']!r}: {e['matches']:,} matching rows (pyarrow agrees)")
ok = lambda b: "met" if b else "NOT met"
page_e, page_w = r[("engine", "page")]["p95_ms"], r[("window", "page")]["p95_ms"]
worst = max(r[("window", f"search_{w}")]["p95_ms"] for w in ("common", "rare", "none"))
print(f"page p95: engine {page_e:.1f} ms (target <= 20: {ok(page_e <= 20)}), window {page_w:.1f} ms (target <= 100: {ok(page_w <= 100)})")
print(f"search first page p95, worst case through the window: {worst:.0f} ms (target <= 300: {ok(worst <= 300)})")
PY
