"""Checks that miStudio encodes documents as `transformers` does, which is what SAELens runs.

Usage: check_transformers.py CASES_JSON

CASES_JSON is a list of cases, each {"dir": a tokenization's folder, "tokenizer": the folder
transformers loads (tokenizer.json and tokenizer_config.json), "sources": a JSON file mapping
each split to its texts in order}. Each tokenization must be packed into rows of 2 with no
begin-batch token, no separator and no shuffle, so its rows are the documents' ids end to end
(less at most one token, the dropped last half row); `sample_lengths/<split>.u32` tells where
each document ends. Every document must be `AutoTokenizer.from_pretrained(folder).encode(text)`,
id for id. Runs offline (HF_HUB_OFFLINE=1). Prints one JSON line; exits non-zero on the first
difference, naming the document and both encodings' first ids.
"""
import json
import os
import struct
import sys

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import datasets  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402


def lengths(path):
    data = open(path, "rb").read()
    return list(struct.unpack(f"<{len(data) // 4}I", data))


def check(case):
    tok = AutoTokenizer.from_pretrained(case["tokenizer"])
    sources = json.load(open(case["sources"]))
    loaded = datasets.load_from_disk(case["dir"])
    docs = 0
    for name, texts in sources.items():
        stream = [t for row in loaded[name]["input_ids"] for t in row]
        ends = lengths(os.path.join(case["dir"], "sample_lengths", f"{name}.u32"))
        assert len(ends) == len(texts), f"{name}: {len(ends)} lengths for {len(texts)} texts"
        dropped = sum(ends) - len(stream)
        assert dropped in (0, 1), f"{name}: {sum(ends)} tokens, {len(stream)} in rows"
        at = 0
        for i, (text, n) in enumerate(zip(texts, ends)):
            ours = stream[at : at + n]
            at += n
            theirs = tok.encode(text)
            # The last document's last token may have gone with the dropped half row.
            assert ours == theirs[: len(ours)] and len(theirs) == n, (
                f"{case['tokenizer']}, {name} document {i} ({text[:40]!r}): miStudio "
                f"{ours[:6]}... ({n} ids), transformers {transformers.__version__} "
                f"({type(tok).__name__}) {theirs[:6]}... ({len(theirs)} ids)"
            )
            docs += 1
    return {"tokenizer": os.path.basename(case["tokenizer"].rstrip("/")), "documents": docs}


def main():
    cases = json.load(open(sys.argv[1]))
    results = [check(c) for c in cases]
    print(json.dumps({"ok": True, "cases": results, "transformers": transformers.__version__}))


if __name__ == "__main__":
    main()
