#!/usr/bin/env bash
# Tokenization benchmark: GPT-2 on tests/data/corpus.parquet (and a 10x repetition of it).
# In one run, each in its own process: the engine's pass (canonical Arrow in, save_to_disk
# Arrow + statistics out), the tokenizers crate alone (encode_batch, encode_batch_fast), and
# Python (tokenizers alone; datasets.from_parquet -> map -> save_to_disk), with peak RSS; then
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
{
  "$bin" raw "$work/x1" "$tokenizer"
  "$bin" pass "$work/x1" "$tokenizer" "$work/out1"
  rm -rf "$work/out1"
  "$MISTUDIO_PYTHON" bench/tokenize_python.py raw "$corpus" "$tokenizer"
  HF_DATASETS_CACHE="$work/hf-cache" "$MISTUDIO_PYTHON" bench/tokenize_python.py pipeline "$corpus" "$tokenizer" "$work/py-out"
  rm -rf "$work/py-out" "$work/hf-cache"
  "$bin" pass "$work/x$repeat" "$tokenizer" "$work/out$repeat" | sed 's/"role":"pass"/"role":"pass_big"/'
  rm -rf "$work/out$repeat"
  # The shuffle's cost: packed at context 128 (SAELens's defaults), in source order, then
  # shuffled, each on the big input.
  "$bin" pass "$work/x$repeat" "$tokenizer" "$work/out-packed" packed | sed 's/"role":"pass"/"role":"packed_big"/'
  rm -rf "$work/out-packed"
  "$bin" pass "$work/x$repeat" "$tokenizer" "$work/out-shuffled" shuffled | sed 's/"role":"pass"/"role":"shuffled_big"/'
  rm -rf "$work/out-shuffled"
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
raw = r["raw"]
fast, batch = raw["encode_batch_fast_tokens_per_sec"], raw["encode_batch_tokens_per_sec"]
ours, big, py = r["pass"], r["pass_big"], r["python_pipeline"]
m = lambda x: f"{x / 1e6:.3f} M"
print()
print(f"{'GPT-2 on corpus.parquet':<52} {'tokens/s':>10} {'peak RSS':>10}")
print(f"{'miStudio pass (Arrow in -> save_to_disk + stats)':<52} {m(ours['tokens_per_sec']):>10} {ours['peak_rss_mb']:>7.0f} MB")
print(f"{'miStudio pass, ' + n + 'x input':<52} {m(big['tokens_per_sec']):>10} {big['peak_rss_mb']:>7.0f} MB")
print(f"{'tokenizers crate encode_batch_fast (texts in memory)':<52} {m(fast):>10}")
print(f"{'tokenizers crate encode_batch (texts in memory)':<52} {m(batch):>10}")
print(f"{'Python tokenizers encode_batch (texts in memory)':<52} {m(r['python_raw']['tokens_per_sec']):>10} {r['python_raw']['peak_rss_mb']:>7.0f} MB")
print(f"{'Python datasets from_parquet -> map -> save_to_disk':<52} {m(py['tokens_per_sec']):>10} {py['peak_rss_mb']:>7.0f} MB")
packed, shuffled = r["packed_big"], r["shuffled_big"]
print(f"{'miStudio packed 128, ' + n + 'x input, source order':<52} {m(packed['tokens_per_sec']):>10} {packed['peak_rss_mb']:>7.0f} MB")
print(f"{'miStudio packed 128, ' + n + 'x input, shuffled':<52} {m(shuffled['tokens_per_sec']):>10} {shuffled['peak_rss_mb']:>7.0f} MB")
slower = 1 - shuffled["tokens_per_sec"] / packed["tokens_per_sec"]
print(f"shuffle: {slower * 100:+.1f} % slower than source order (limit 10 %), peak RSS {shuffled['peak_rss_mb']:.0f} MB (limit 400 MB)")
print()
ok = lambda b: "met" if b else "NOT met"
a = ours["tokens_per_sec"] / fast
b = ours["tokens_per_sec"] / py["tokens_per_sec"]
print(f"pass / raw encode_batch_fast: {a:.0%}  (target >= 90%: {ok(a >= 0.9)})")
print(f"pass / Python pipeline:       {b:.2f}x (target >= 2x: {ok(b >= 2)})")
print(f"peak RSS on the {n}x input:    {big['peak_rss_mb']:.0f} MB (target <= 400 MB: {ok(big['peak_rss_mb'] <= 400)})")
assert ours["tokens"] == r["python_pipeline"]["tokens"] == raw["tokens"], "token counts differ between the engine and its peers"
print(f"same token count in all three: {ours['tokens']:,}")
PY
