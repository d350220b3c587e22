#!/usr/bin/env bash
# Tokenization benchmark: GPT-2 on tests/data/corpus.parquet and a 10x repetition of it.
# In one run, each in its own process, on both inputs: the engine's pass (canonical Arrow in,
# save_to_disk Arrow + statistics out) on the fast byte-level BPE path and forced onto
# tokenizers, the tokenizers crate alone (encode_batch_fast), the fast path's encoder alone on
# texts in memory (the limit; it also compares every text's ids with tokenizers'), Python
# tokenizers and Python datasets (from_parquet -> map -> save_to_disk), with peak RSS; then
# packed rows on the big input in source order and shuffled (the shuffle's cost).
# BENCH_DIR picks the scratch folder; BENCH_REPEAT the big input's repetition (default 10).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"
ensure_rust
ensure_python_venv
corpus="$REPO_ROOT/tests/data/corpus.parquet"
tokenizer="$REPO_ROOT/tests/data/gpt2-tokenizer.json"
[ -f "$corpus" ] && [ -f "$tokenizer" ] || die "tests/data/ lacks corpus.parquet or gpt2-tokenizer.json"
repeat="${BENCH_REPEAT:-10}"
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mistudio-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say "Building (release)"
cargo build --release -p mistudio-engine --example tokenize_bench
bin="$CARGO_TARGET_DIR/release/examples/tokenize_bench"

say "Ingesting the corpus (1x and ${repeat}x; not timed)"
"$bin" prepare "$corpus" 1 "$work/x1" >/dev/null
"$bin" prepare "$corpus" "$repeat" "$work/x$repeat" >/dev/null

say "Measuring"
results="$work/results.jsonl"
role() { sed "s/\"role\": *\"[a-z_]*\"/\"role\":\"$1\"/"; }
# Outputs removed and written back before the next measurement, so one run's write-back does
# not land in the next one's time.
settle() { rm -rf "$work/out" "$work/py-out" "$work/hf-cache" "$work/out-shuffled"; sync; }
{
  for n in 1 "$repeat"; do
    x="$work/x$n"
    settle
    "$bin" raw "$x" "$tokenizer" | role "raw_$n"
    "$bin" fast "$x" "$tokenizer" "$work/cache" | role "fast_$n"
    "$bin" pass "$x" "$tokenizer" "$work/out" "$work/cache" packed | role "pass_$n"
    settle
    MISTUDIO_ENCODER=tokenizers "$bin" pass "$x" "$tokenizer" "$work/out" "$work/cache" packed | role "pass_tokenizers_$n"
    settle
    "$bin" pass "$x" "$tokenizer" "$work/out" "$work/cache" per-sample | role "per_sample_$n"
    settle
    # Python reads the parquet file itself: the 10x input is that file n times over.
    "$MISTUDIO_PYTHON" bench/tokenize_python.py raw "$corpus" "$tokenizer" "$n" | role "python_raw_$n"
    HF_DATASETS_CACHE="$work/hf-cache" "$MISTUDIO_PYTHON" bench/tokenize_python.py pipeline "$corpus" "$tokenizer" "$work/py-out" "$n" | role "python_pipeline_$n"
    settle
  done
  # The shuffle's cost: packed at context 128 (SAELens's defaults) shuffled, against the
  # source-order pass above, on the big input.
  "$bin" pass "$work/x$repeat" "$tokenizer" "$work/out-shuffled" "$work/cache" shuffled | role shuffled_big
  settle
} | tee "$results"

"$MISTUDIO_PYTHON" - "$results" "$repeat" <<'PY'
import json, sys
r = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        v = json.loads(line)
        r[v["role"]] = v
n = sys.argv[2]
m = lambda x: f"{x / 1e6:.2f} M"
rss = lambda v: f"{v['peak_rss_mb']:.0f} MB"
ok = lambda b: "met" if b else "NOT met"
rows = [
    ("miStudio pass, fast path (packed 128, SAELens defaults)", "pass"),
    ("miStudio pass forced onto tokenizers (same settings)", "pass_tokenizers"),
    ("miStudio pass, fast path, per-sample rows", "per_sample"),
    ("tokenizers crate encode_batch_fast (texts in memory)", "raw"),
    ("fast path's encoder alone (bpe crate; texts in memory)", "fast"),
    ("Python tokenizers encode_batch (texts in memory)", "python_raw"),
    ("Python datasets from_parquet -> map -> save_to_disk", "python_pipeline"),
]
for size in ["1", n]:
    print()
    print(f"GPT-2, corpus.parquet x{size}: {r['pass_' + size]['tokens']:,} tokens")
    print(f"{'':<58} {'tokens/s':>9} {'peak RSS':>9}")
    for label, key in rows:
        v = r[f"{key}_{size}"]
        print(f"{label:<58} {m(v['tokens_per_sec']):>9} {rss(v):>9}")
    p, ref, raw, lim = (r[f"{k}_{size}"] for k in ["pass", "pass_tokenizers", "raw", "fast"])
    print(f"pass / raw tokenizers crate:   {p['tokens_per_sec'] / raw['tokens_per_sec']:.2f}x (target >= 5x: {ok(p['tokens_per_sec'] >= 5 * raw['tokens_per_sec'])})")
    print(f"pass / forced onto tokenizers: {p['tokens_per_sec'] / ref['tokens_per_sec']:.2f}x")
    print(f"pass / fast encoder's limit:   {p['tokens_per_sec'] / lim['tokens_per_sec']:.0%} (target >= 60%: {ok(p['tokens_per_sec'] >= 0.6 * lim['tokens_per_sec'])})")
    print(f"texts whose fast ids differ from tokenizers': {lim['texts_with_other_ids']} of {lim['texts']:,} (target 0: {ok(lim['texts_with_other_ids'] == 0)})")
    assert p["tokens"] == ref["tokens"], "the two paths wrote different token counts"
    assert r[f"per_sample_{size}"]["tokens"] == raw["tokens"] == r[f"python_pipeline_{size}"]["tokens"], "token counts differ between the engine and its peers"
big = r[f"pass_{n}"]
print()
print(f"peak RSS of the pass on the {n}x input: {rss(big)} (target <= 400 MB: {ok(big['peak_rss_mb'] <= 400)})")
shuffled = r["shuffled_big"]
slower = 1 - shuffled["tokens_per_sec"] / big["tokens_per_sec"]
print(f"shuffle: {slower * 100:+.1f} % slower than source order (limit 10 %), peak RSS {rss(shuffled)} (limit 400 MB)")
PY
