"""Reads miStudio tokenizations the way Python users will, and checks them token for token.

Usage: check_tokenized.py CASES_JSON

CASES_JSON is a list of cases, each {"dir": the tokenization's folder, "tokenizer": the
tokenizer.json or its folder, "sources": a JSON file mapping each split to its texts in order,
"settings": the tokenization's settings as `mistudio-cli --json tokenize` prints them}.

Each folder is loaded with `datasets.load_from_disk` (a DatasetDict holding exactly the
sources' splits) and each split read again with `pyarrow` from the files its state.json names;
both must agree. The rows are then compared with ids made here from the source texts by Python
`tokenizers`: packed rows with `saelens_packing` (SAELens's rules), per-sample rows with
`encode_batch`. Rows of a shuffled tokenization must be a permutation of those (the same rows,
each as often). The ids must be stored in two bytes when the tokenizer's ids all fit
(uint16), else in four (uint32). Prints one JSON line; exits non-zero on the first difference.
"""
import json
import os
import sys
from collections import Counter

import datasets
import pyarrow as pa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import saelens_packing  # noqa: E402


def expected_rows(encoder, texts, s):
    if s.get("packing"):
        return saelens_packing.rows_for(encoder, texts, s)
    tok = encoder.tokenizer
    if s["truncation"]:
        tok.enable_truncation(max_length=s["max_length"])
    else:
        tok.no_truncation()
    try:
        return encoder.encode_all(texts, add_special_tokens=s["add_special_tokens"])
    finally:
        tok.no_truncation()


def read_split(folder):
    """A split's input_ids read straight from its Arrow files."""
    state = json.load(open(os.path.join(folder, "state.json")))
    ids = []
    for f in state["_data_files"]:
        with pa.memory_map(os.path.join(folder, f["filename"])) as source:
            ids.extend(pa.ipc.open_stream(source).read_all().column("input_ids").to_pylist())
    return ids


def first_difference(got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            at = next(k for k, (a, b) in enumerate(zip(g + [None], w + [None])) if a != b)
            return f"row {i} differs from token {at}: ours {g[max(at - 3, 0) : at + 5]}, SAELens's {w[max(at - 3, 0) : at + 5]}"
    return f"{len(got)} rows, the reference has {len(want)}"


def check(case, encoders):
    out_dir = case["dir"]
    sources = json.load(open(case["sources"]))
    settings = case["settings"]
    if case["tokenizer"] not in encoders:
        encoders[case["tokenizer"]] = saelens_packing.load(case["tokenizer"])
    encoder = encoders[case["tokenizer"]]
    loaded = datasets.load_from_disk(out_dir)
    assert isinstance(loaded, datasets.DatasetDict), f"{out_dir}: {type(loaded)}"
    assert sorted(loaded.keys()) == sorted(sources), (list(loaded.keys()), list(sources))
    counts = {}
    largest_id = max(encoder.tokenizer.get_vocab(with_added_tokens=True).values())
    want_dtype = "uint16" if largest_id <= 65535 else "uint32"
    for name, texts in sources.items():
        dtype = loaded[name].features["input_ids"].feature.dtype
        assert dtype == want_dtype, f"{name}: input_ids stored as {dtype}, expected {want_dtype}"
        ids = loaded[name]["input_ids"]
        assert ids == read_split(os.path.join(out_dir, name)), f"{name}: datasets and pyarrow disagree"
        want = expected_rows(encoder, texts, settings)
        if settings["shuffle"]:
            same = Counter(map(tuple, ids)) == Counter(map(tuple, want))
            assert same, f"{name}: the shuffled rows are not a permutation of the unshuffled ones"
            assert len(ids) < 8 or ids != want, f"{name}: shuffled, yet in the original order"
        else:
            assert ids == want, f"{out_dir} {name}: {first_difference(ids, want)}"
        counts[name] = len(ids)
    return counts, want_dtype


def main():
    cases = json.load(open(sys.argv[1]))
    encoders = {}
    results = [check(case, encoders) for case in cases]
    print(
        json.dumps(
            {
                "ok": True,
                "cases": [counts for counts, _ in results],
                "input_ids_dtypes": [dtype for _, dtype in results],
                "datasets": datasets.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
