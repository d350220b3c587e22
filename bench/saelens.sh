#!/usr/bin/env bash
# Compatibility check against SAELens itself (not part of scripts/test: torch makes the install
# about 6 GB). In its own virtualenv with sae-lens, on tests/data/corpus.parquet:
#  1. for GPT-2 and tests/data/llama2/ (a tokenizer that adds BOS to every encoding), packs the
#     corpus into rows of 128 tokens with `mistudio-cli tokenize --pack` and with SAELens's
#     PretokenizeRunner (one map batch over the split, shuffle off, SAELens's default special
#     tokens), and counts the rows that differ (target 0);
#  2. trains a small SAE for a few hundred steps with LanguageModelSAETrainingRunner on our GPT-2
#     output, with a 1-layer HookedTransformer built from a config (random weights, no download).
# BENCH_DIR picks the scratch folder; BENCH_STEPS the SAE's training steps (default 300);
# BENCH_PACK_ARGS replaces the packing flags below (split on spaces), e.g.
# BENCH_PACK_ARGS="--bos --separator bos" for the CLI before the SAELens-style flags.
# SAELENS_VENV picks the virtualenv (default: the cache folder's mistudio/saelens-venv).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO_ROOT"

# Pinned, so reruns measure the same SAELens (and the transformers it encodes with).
SAELENS_PACKAGES=(sae-lens==6.54.12 transformer-lens==3.9.0 transformers==5.25.0 torch==2.15.0
  datasets==5.2.0 tokenizers==0.23.3)
CONTEXT=128
# `mistudio-cli tokenize` asked for what PretokenizeRunnerConfig's defaults do (the CLI's own
# defaults are the same; spelled out so a change of either shows here).
PACK_ARGS=(--begin-batch-token bos --begin-sequence-token none --sequence-separator-token bos --no-shuffle)
if [ -n "${BENCH_PACK_ARGS:-}" ]; then read -r -a PACK_ARGS <<<"$BENCH_PACK_ARGS"; fi
steps="${BENCH_STEPS:-300}"

ensure_saelens_venv() {
  local venv="${SAELENS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mistudio/saelens-venv}"
  if venv_incomplete "$venv" "${SAELENS_PACKAGES[@]}"; then
    local free_gb
    mkdir -p "$(dirname "$venv")"
    free_gb="$(df -Pk "$(dirname "$venv")" | awk 'NR == 2 { print int($4 / 1048576) }')"
    [ "$free_gb" -ge 10 ] || die "installing SAELens takes about 6.5 GB (torch); only $free_gb GB free"
    say "SAELens with torch is about 6.5 GB; installing takes minutes"
  fi
  ensure_venv "$venv" "${SAELENS_PACKAGES[@]}"
  SAELENS_PYTHON="$venv/bin/python"
  say "SAELens virtualenv: $(du -sh "$venv" | cut -f1)"
}

ensure_rust
ensure_saelens_venv
corpus="$REPO_ROOT/tests/data/corpus.parquet"
[ -f "$corpus" ] && [ -f tests/data/gpt2-tokenizer.json ] && [ -f tests/data/llama2/tokenizer.json ] ||
  die "tests/data/ lacks corpus.parquet, gpt2-tokenizer.json or llama2/"
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/mistudio-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$SECONDS

# Python never reaches the network nor writes outside the scratch folder.
export HF_HUB_OFFLINE=1 HF_HOME="$work/hf" HF_DATASETS_CACHE="$work/hf-cache" WANDB_MODE=disabled \
  WANDB_DIR="$work" MPLCONFIGDIR="$work/mpl"
# transformers loads a tokenizer from a folder: GPT-2's as the Hub's gpt2 repo describes it
# (GPT2TokenizerFast, <|endoftext|> as BOS, EOS and UNK); llama2/ has its own config.
mkdir -p "$work/gpt2"
cp tests/data/gpt2-tokenizer.json "$work/gpt2/tokenizer.json"
cat >"$work/gpt2/tokenizer_config.json" <<'JSON'
{
  "tokenizer_class": "GPT2TokenizerFast",
  "bos_token": "<|endoftext|>",
  "eos_token": "<|endoftext|>",
  "unk_token": "<|endoftext|>",
  "add_prefix_space": false,
  "model_max_length": 1024
}
JSON
declare -A tokenizer_dir=([gpt2]="$work/gpt2" [llama2]="$REPO_ROOT/tests/data/llama2")

say "Building mistudio-cli (release)"
cargo build --release -p mistudio-cli
cli() { MISTUDIO_DATA_DIR="$work/data" MISTUDIO_LOCAL_DIR="$work/local" "$CARGO_TARGET_DIR/release/mistudio-cli" "$@"; }
# A field of a JSON document on stdin ("a.b" for nested fields; empty when absent).
field() { "$SAELENS_PYTHON" -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)' "$1"; }

say "Importing the corpus"
dataset="$(cli --json import "$corpus" --progress none | field id)"
[ -n "$dataset" ] || die "import printed no dataset id"

results="$work/results.jsonl"
for name in gpt2 llama2; do
  dir="${tokenizer_dir[$name]}"
  say "$name: mistudio-cli tokenize --pack $CONTEXT ${PACK_ARGS[*]}"
  t0=$(date +%s.%N)
  cli --json tokenize "$dataset" --tokenizer "$dir/tokenizer.json" --pack "$CONTEXT" "${PACK_ARGS[@]}" \
    --progress none >"$work/ours-$name.json" || { cat "$work/ours-$name.json" >&2; die "mistudio-cli tokenize failed"; }
  t1=$(date +%s.%N)
  ours="$(field path <"$work/ours-$name.json")"
  if [ -z "$ours" ]; then
    ours="$work/data/datasets/$(field dataset_id <"$work/ours-$name.json")/tokenized/$(field id <"$work/ours-$name.json")"
  fi
  [ -d "$ours" ] || die "no tokenization folder at $ours"
  printf '{"role": "ours", "tokenizer": "%s", "seconds": %.1f}\n' "$name" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" | tee -a "$results"
  say "$name: SAELens PretokenizeRunner (one map batch over the split; minutes)"
  "$SAELENS_PYTHON" bench/saelens_check.py pretokenize "$dir" "$corpus" "$CONTEXT" "$work/saelens-$name" | tee -a "$results"
  say "$name: rows compared"
  "$SAELENS_PYTHON" bench/saelens_check.py compare "$name" "$ours" "$work/saelens-$name" | tee -a "$results"
  say "$name: documents transformers encodes differently from tokenizer.json"
  "$SAELENS_PYTHON" bench/saelens_check.py encodings "$dir" "$corpus" | tee -a "$results"
  rm -rf "$work/saelens-$name" "$work/hf-cache"
  [ "$name" = gpt2 ] && gpt2_ours="$ours"
done

say "Training an SAE for $steps steps on our GPT-2 tokenization (1-layer random HookedTransformer)"
"$SAELENS_PYTHON" bench/saelens_check.py train "$gpt2_ours" "$CONTEXT" 50257 "$steps" "$work/sae" | tee -a "$results"

"$SAELENS_PYTHON" - "$results" "$((SECONDS - started))" "${PACK_ARGS[*]}" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = lambda role: {r["tokenizer"]: r for r in rows if r["role"] == role}
ours, theirs, cmp, enc = by("ours"), by("saelens_pretokenize"), by("compare"), by("encodings")
train = next(r for r in rows if r["role"] == "train")
version = next(iter(theirs.values()))["sae_lens"]
print()
print(f"mistudio-cli tokenize --pack 128 {sys.argv[3]}  vs  SAELens {version} PretokenizeRunner")
print(f"{'tokenizer':<10} {'rows ours':>10} {'SAELens':>10} {'differing':>10} {'first at':>9} {'docs enc. diff.':>16}  target 0")
for name in ("gpt2", "llama2"):
    c, e = cmp[name], enc[name]
    first = "-" if c["first_differing_row"] is None else f"{c['first_differing_row']:,}"
    ok = "met" if c["rows_differing"] == 0 else "NOT met"
    print(f"{name:<10} {c['rows_ours']:>10,} {c['rows_saelens']:>10,} {c['rows_differing']:>10,} {first:>9} "
          f"{e['documents_differing']:>16,}  {ok}")
print(f"(time: ours {ours['gpt2']['seconds']:.0f} s / {ours['llama2']['seconds']:.0f} s, "
      f"SAELens {theirs['gpt2']['seconds']:.0f} s / {theirs['llama2']['seconds']:.0f} s; "
      f"'docs enc. diff.': documents transformers' encode gives other ids than tokenizer.json)")
print()
print(f"SAE on our GPT-2 rows: {train['steps']} steps ({train['training_tokens']:,} tokens) in {train['seconds']:.0f} s; "
      f"loss {train['first_loss']:.2f} -> {train['final_loss']:.2f}, MSE {train['first_mse']:.2f} -> {train['final_mse']:.2f}; "
      f"held-out rows: MSE {train['held_out_mse']:.2f}, explained variance {train['held_out_explained_variance']:.2f}, "
      f"L0 {train['held_out_l0']:.0f}")
print(f"whole run: {int(sys.argv[2]) // 60} min {int(sys.argv[2]) % 60} s")
assert train["steps"] > 0 and train["final_loss"] < train["first_loss"], "the SAE did not train"
PY
