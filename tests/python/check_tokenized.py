"""Reads a miStudio tokenization the way Python users will, and checks it token for token.

Usage: check_tokenized.py TOKENIZED_DIR TOKENIZER_JSON SOURCES_JSON SETTINGS_JSON

SOURCES_JSON maps each split to the list of its texts, in order. SETTINGS_JSON is the
tokenization's settings. The output is loaded with `datasets.load_from_disk`, read again with
`pyarrow` directly, and compared with ids computed here by Python's `tokenizers` from the source
texts (packing re-implemented independently). Prints one JSON line; exits non-zero on any
difference.
"""
import json
import sys

import datasets
import pyarrow as pa
from tokenizers import Tokenizer


def expected_rows(tok, texts, s):
    packing = s.get("packing")
    if packing:
        special = {
            "eos": tok.token_to_id("<|endoftext|>"),
            "bos": tok.token_to_id("<|endoftext|>"),
        }
        sep = packing["separator"]
        sep_id = None if sep["kind"] == "none" else (sep["id"] if sep["kind"] == "id" else special[sep["kind"]])
        stream = []
        for i, enc in enumerate(tok.encode_batch(texts, add_special_tokens=False)):
            if i > 0 and sep_id is not None:
                stream.append(sep_id)
            stream.extend(enc.ids)
        ctx = packing["context_size"]
        bos = [special["bos"]] if packing["bos_per_row"] else []
        cap = ctx - len(bos)
        return [bos + stream[i : i + cap] for i in range(0, len(stream) - cap + 1, cap)]
    tok.no_padding()
    if s["truncation"]:
        tok.enable_truncation(max_length=s["max_length"])
    else:
        tok.no_truncation()
    return [e.ids for e in tok.encode_batch(texts, add_special_tokens=s["add_special_tokens"])]


def main():
    out_dir, tokenizer_path, sources_path, settings_json = sys.argv[1:5]
    sources = json.load(open(sources_path))
    settings = json.loads(settings_json)
    tok = Tokenizer.from_file(tokenizer_path)
    loaded = datasets.load_from_disk(out_dir)
    splits = list(sources)
    if isinstance(loaded, datasets.DatasetDict):
        assert sorted(loaded.keys()) == sorted(splits), (list(loaded.keys()), splits)
        by_split = {name: (loaded[name], f"{out_dir}/{name}") for name in splits}
    else:
        assert len(splits) == 1, splits
        by_split = {splits[0]: (loaded, out_dir)}
    rows = 0
    for name, (ds, folder) in by_split.items():
        ids = ds["input_ids"]
        state = json.load(open(f"{folder}/state.json"))
        direct = []
        for f in state["_data_files"]:
            with pa.memory_map(f"{folder}/{f['filename']}") as source:
                direct.extend(pa.ipc.open_stream(source).read_all().column("input_ids").to_pylist())
        assert ids == direct, f"{name}: datasets and pyarrow disagree"
        want = expected_rows(tok, sources[name], settings)
        assert len(ids) == len(want), f"{name}: {len(ids)} rows, Python tokenizers makes {len(want)}"
        for i, (got, exp) in enumerate(zip(ids, want)):
            assert got == exp, f"{name} row {i}: {got[:8]}... != {exp[:8]}..."
        rows += len(ids)
    print(json.dumps({"ok": True, "rows": rows, "datasets": datasets.__version__}))


if __name__ == "__main__":
    main()
