"""Checks a tokenization adopted from a datatrove run against an independent computation.

Usage: check_datatrove.py CASE_JSON

CASE_JSON is {"dir": the adopted tokenization's folder, "texts": the split's texts in the
dataset's order (a JSON list, or a parquet file and its "column"), "tokenizer": {"kind": "tokenizers", "file": tokenizer.json} or
{"kind": "transformers", "folder": a folder AutoTokenizer loads}, "eos": the EOS id,
"context": the row length}. Rows must be the consecutive `context`-token windows of the
documents' ids (as `tokenizers` or `transformers` encode them, special tokens included), each
followed by EOS, empty texts skipped (datatrove's readers skip them), the remainder dropped;
`load_from_disk` must read it; the statistics in mistudio.json must equal a recount. Prints
one JSON line; exits non-zero on the first difference.
"""
import collections
import json
import os
import struct
import sys

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import datasets  # noqa: E402
import numpy as np  # noqa: E402


def encoder(spec):
    if spec["kind"] == "tokenizers":
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(spec["file"])
        return lambda texts: [e.ids for e in tok.encode_batch(texts)]
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(spec["folder"])
    return lambda texts: tok(texts)["input_ids"]


def fail(message):
    print(json.dumps({"ok": False, "error": message}))
    sys.exit(1)


def main():
    case = json.load(open(sys.argv[1]))
    if case["texts"].endswith(".parquet"):
        import pyarrow.parquet as pq

        column = pq.read_table(case["texts"], columns=[case["column"]]).column(0).to_pylist()
        texts = [t or "" for t in column]
    else:
        texts = json.load(open(case["texts"]))
    encode = encoder(case["tokenizer"])
    eos, n = case["eos"], case["context"]
    lengths, stream = [], []
    for start in range(0, len(texts), 2000):
        chunk = texts[start:start + 2000]
        kept = [t for t in chunk if t]
        encoded = iter(encode(kept)) if kept else iter(())
        for text in chunk:
            if not text:
                lengths.append(0)
                continue
            ids = next(encoded) + [eos]
            lengths.append(len(ids))
            stream.extend(ids)
    rows = len(stream) // n
    expected = np.array(stream[: rows * n], dtype=np.int64).reshape(rows, n)

    loaded = datasets.load_from_disk(case["dir"])
    if list(loaded.keys()) != ["train"]:
        fail(f"splits {list(loaded.keys())}")
    column = loaded["train"].data.column("input_ids").combine_chunks()
    got = column.flatten().to_numpy().astype(np.int64).reshape(len(column), -1) if len(column) else np.zeros((0, n))
    if got.shape != expected.shape:
        fail(f"rows {got.shape} where the recount gives {expected.shape}")
    if not np.array_equal(got, expected):
        row = int(np.argmax((got != expected).any(axis=1)))
        fail(f"row {row} differs: {got[row][:12].tolist()} vs {expected[row][:12].tolist()}")

    raw = open(os.path.join(case["dir"], "sample_lengths", "train.u32"), "rb").read()
    if list(struct.unpack(f"<{len(raw) // 4}I", raw)) != lengths:
        fail("sample_lengths/train.u32 is not each row's document length")

    stats = json.load(open(os.path.join(case["dir"], "mistudio.json")))["statistics"]
    counts = collections.Counter(expected.ravel().tolist())
    recount = {
        "num_samples": len(texts),
        "num_rows": rows,
        "num_tokens": rows * n,
        "dropped_tokens": len(stream) - rows * n,
        "unique_tokens": len(counts),
    }
    for key, value in recount.items():
        if stats[key] != value:
            fail(f"statistics {key} = {stats[key]}, the recount gives {value}")
    if stats["sample_len"]["max"] != max(lengths) or stats["sample_len"]["min"] != min(lengths):
        fail(f"sample lengths {stats['sample_len']} vs min {min(lengths)} max {max(lengths)}")
    if not stats["top_tokens"]:
        fail("no top tokens")
    for top in stats["top_tokens"]:
        if counts[top["id"]] != top["count"]:
            fail(f"top token {top['id']} counted {top['count']}, recount {counts[top['id']]}")
    if stats["top_tokens"][0]["count"] != max(counts.values()):
        fail("the first top token is not the most frequent")
    if stats["encoder"]["path"] != "datatrove":
        fail(f"encoder {stats['encoder']}")
    print(json.dumps({"ok": True, "rows": rows, "tokens": len(stream), "documents": sum(1 for t in texts if t)}))


if __name__ == "__main__":
    main()
