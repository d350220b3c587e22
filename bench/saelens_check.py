"""SAELens's side of bench/saelens.sh, run in the SAELens virtualenv (sae-lens, torch).

pretokenize TOKENIZER_DIR CORPUS CONTEXT OUT
    SAELens's PretokenizeRunner on the parquet file: one map batch over the whole split (so no
    per-batch remainder is dropped), shuffle off, SAELens's default special tokens.
encodings TOKENIZER_DIR CORPUS
    How many documents transformers' AutoTokenizer.encode (what SAELens calls) encodes
    differently from the folder's tokenizer.json as the `tokenizers` library loads it.
compare NAME OURS THEIRS
    Row-by-row comparison of the two tokenizations' input_ids.
train OURS CONTEXT VOCAB STEPS OUT
    LanguageModelSAETrainingRunner on our tokenization with a 1-layer HookedTransformer built
    from a config (random weights, nothing downloaded) and a small standard SAE.

Each role prints one JSON line on stdout (details go to stderr).
"""
import dataclasses
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("WANDB_MODE", "disabled")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def load_rows(folder):
    """A tokenization folder as a Dataset: a DatasetDict folder's train split, or a Dataset."""
    from datasets import DatasetDict, load_from_disk

    d = load_from_disk(folder)
    return d["train"] if isinstance(d, DatasetDict) else d


def special_ids(tok):
    return {"bos": tok.bos_token_id, "eos": tok.eos_token_id, "sep": tok.sep_token_id}


def pretokenize(tokenizer_dir, corpus, context, out):
    from sae_lens import PretokenizeRunner, PretokenizeRunnerConfig, __version__
    from transformers import AutoTokenizer

    fields = {f.name for f in dataclasses.fields(PretokenizeRunnerConfig)}
    if "pretokenize_batch_size" not in fields:
        sys.exit(f"sae-lens {__version__}'s PretokenizeRunnerConfig has no pretokenize_batch_size")
    cfg = PretokenizeRunnerConfig(
        tokenizer_name=tokenizer_dir,
        dataset_path="parquet",
        data_files=[corpus],
        split="train",
        column_name="text",
        context_size=context,
        shuffle=False,
        num_proc=1,
        # None: datasets' map hands the whole split to one call, so SAELens packs it
        # continuously like the engine (the default, 1000, drops each batch's remainder).
        pretokenize_batch_size=None,
        begin_batch_token="bos",
        begin_sequence_token=None,
        sequence_separator_token="bos",
        save_path=out,
    )
    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    ids = special_ids(tok)
    log(f"SAELens {__version__}: {type(tok).__name__}, special tokens {ids}")
    t0 = time.time()
    ds = PretokenizeRunner(cfg).run()
    secs = time.time() - t0
    print(
        json.dumps(
            {
                "role": "saelens_pretokenize",
                "tokenizer": os.path.basename(tokenizer_dir.rstrip("/")),
                "tokenizer_class": type(tok).__name__,
                "special_ids": ids,
                "rows": len(ds),
                "seconds": round(secs, 1),
                "sae_lens": __version__,
            }
        )
    )


def encodings(tokenizer_dir, corpus):
    import pyarrow.parquet as pq
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    texts = [t or "" for t in pq.read_table(corpus, columns=["text"]).column("text").to_pylist()]
    hf = AutoTokenizer.from_pretrained(tokenizer_dir)
    hf.model_max_length = sys.maxsize
    raw = Tokenizer.from_file(os.path.join(tokenizer_dir, "tokenizer.json"))
    differ, first = 0, None
    for start in range(0, len(texts), 2000):
        part = texts[start : start + 2000]
        a = hf(part)["input_ids"]
        b = [e.ids for e in raw.encode_batch(part)]
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                differ += 1
                if first is None:
                    first = start + i
                    j = next((k for k in range(min(len(x), len(y))) if x[k] != y[k]), min(len(x), len(y)))
                    log(
                        f"document {first} ({texts[first][:40]!r}): transformers "
                        f"{hf.convert_ids_to_tokens(x[:j + 3])} vs tokenizer.json "
                        f"{[raw.id_to_token(t) for t in y[:j + 3]]}"
                    )
    print(
        json.dumps(
            {
                "role": "encodings",
                "tokenizer": os.path.basename(tokenizer_dir.rstrip("/")),
                "documents": len(texts),
                "documents_differing": differ,
                "first_differing": first,
            }
        )
    )


def as_matrix(ds, name):
    import numpy as np
    import pyarrow as pa

    col = ds.data.table.column("input_ids").combine_chunks()
    lengths = np.diff(np.asarray(col.offsets))
    if len(lengths) and (lengths.min() != lengths.max()):
        sys.exit(f"{name}: rows of {lengths.min()}..{lengths.max()} tokens, not one length")
    width = int(lengths[0]) if len(lengths) else 0
    values = np.asarray(pa.array(col.flatten()).cast(pa.int64()))
    return values.reshape(len(lengths), width)


def compare(name, ours_dir, theirs_dir):
    import numpy as np

    ours, theirs = as_matrix(load_rows(ours_dir), "ours"), as_matrix(load_rows(theirs_dir), "SAELens")
    common = min(len(ours), len(theirs))
    if ours.shape[1] != theirs.shape[1]:
        sys.exit(f"row widths differ: ours {ours.shape[1]}, SAELens {theirs.shape[1]}")
    bad = np.nonzero((ours[:common] != theirs[:common]).any(axis=1))[0]
    first = int(bad[0]) if len(bad) else (common if len(ours) != len(theirs) else None)
    if len(bad):
        i = int(bad[0])
        j = int(np.nonzero(ours[i] != theirs[i])[0][0])
        lo = max(0, j - 4)
        log(
            f"first differing row {i}, from position {j}: ours {ours[i, lo:j + 4].tolist()} "
            f"vs SAELens {theirs[i, lo:j + 4].tolist()} (positions {lo}..{j + 3})"
        )
    print(
        json.dumps(
            {
                "role": "compare",
                "tokenizer": name,
                "rows_ours": len(ours),
                "rows_saelens": len(theirs),
                "rows_differing": int(len(bad)) + abs(len(ours) - len(theirs)),
                "first_differing_row": first,
            }
        )
    )


def train(ours_dir, context, vocab, steps, out):
    import torch
    from sae_lens import (
        LanguageModelSAERunnerConfig,
        LanguageModelSAETrainingRunner,
        LoggingConfig,
        StandardTrainingSAEConfig,
    )
    from sae_lens.training.sae_trainer import SAETrainer
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    d_model, d_sae, batch_tokens = 64, 256, 1024
    model = HookedTransformer(
        HookedTransformerConfig(
            n_layers=1,
            d_model=d_model,
            n_ctx=context,
            d_head=16,
            n_heads=4,
            d_mlp=4 * d_model,
            d_vocab=vocab,
            act_fn="relu",
            normalization_type="LN",
            seed=0,
            device="cpu",
        )
    )
    data = load_rows(ours_dir)
    held_out = torch.tensor(data.select(range(len(data) - 16, len(data)))["input_ids"], dtype=torch.long)
    data = data.select(range(len(data) - 16))
    hook = "blocks.0.hook_mlp_out"
    cfg = LanguageModelSAERunnerConfig(
        sae=StandardTrainingSAEConfig(d_in=d_model, d_sae=d_sae, l1_coefficient=1.0),
        model_name="tiny-1l-random",
        hook_name=hook,
        dataset_path=ours_dir,
        is_dataset_tokenized=True,
        streaming=False,
        context_size=context,
        training_tokens=steps * batch_tokens,
        train_batch_size_tokens=batch_tokens,
        store_batch_size_prompts=8,
        n_batches_in_buffer=16,  # the mixing buffer holds n_batches_in_buffer * context_size activations
        device="cpu",
        seed=0,
        lr=1e-3,
        logger=LoggingConfig(log_to_wandb=False),
        checkpoint_path=None,
        n_checkpoints=0,
        output_path=out,
        verbose=False,
    )

    losses = []
    step = SAETrainer.step

    def recording_step(self, batch):
        result = step(self, batch)
        losses.append({k: float(v.item()) for k, v in result.losses.items()} | {"loss": float(result.loss.item())})
        return result

    SAETrainer.step = recording_step
    t0 = time.time()
    runner = LanguageModelSAETrainingRunner(cfg, override_dataset=data, override_model=model)
    sae = runner.run()
    secs = time.time() - t0

    # Reconstruction of activations from rows the SAE did not train on.
    with torch.no_grad():
        _, cache = model.run_with_cache(held_out, names_filter=hook, stop_at_layer=1)
        acts = cache[hook].reshape(-1, d_model)
        recon = sae.decode(sae.encode(acts))
        # As SAELens's mse_loss: squared error summed over d_in, averaged over tokens.
        mse = float(((recon - acts) ** 2).sum(-1).mean())
        explained = 1 - float(((recon - acts) ** 2).sum() / ((acts - acts.mean(0)) ** 2).sum())
        l0 = float((sae.encode(acts) > 0).float().sum(-1).mean())
    print(
        json.dumps(
            {
                "role": "train",
                "steps": len(losses),
                "training_tokens": steps * batch_tokens,
                "first_loss": round(losses[0]["loss"], 4),
                "final_loss": round(losses[-1]["loss"], 4),
                "first_mse": round(losses[0].get("mse_loss", float("nan")), 4),
                "final_mse": round(losses[-1].get("mse_loss", float("nan")), 4),
                "held_out_mse": round(mse, 4),
                "held_out_explained_variance": round(explained, 3),
                "held_out_l0": round(l0, 1),
                "seconds": round(secs, 1),
                "saved": sorted(os.listdir(out)) if os.path.isdir(out) else [],
            }
        )
    )


def main():
    role, args = sys.argv[1], sys.argv[2:]
    if role == "pretokenize":
        pretokenize(args[0], args[1], int(args[2]), args[3])
    elif role == "encodings":
        encodings(args[0], args[1])
    elif role == "compare":
        compare(args[0], args[1], args[2])
    elif role == "train":
        train(args[0], int(args[1]), int(args[2]), int(args[3]), args[4])
    else:
        sys.exit(f"unknown role {role}")


if __name__ == "__main__":
    main()
