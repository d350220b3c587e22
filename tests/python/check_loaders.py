"""Opens a miStudio tokenization by its path with each of `datasets`' loaders, as SAELens users
do, and checks its `sae_lens.json`.

Usage: check_loaders.py DIR EXPECT_JSON

EXPECT_JSON is {"splits": {split: rows}, "sae_lens": {field: value}}. `load_from_disk(DIR)` must
be a DatasetDict of exactly those splits and row counts; `load_dataset(DIR, split=s)` (through
the datasets cache: set HF_DATASETS_CACHE to a scratch folder) and `load_dataset(DIR, split=s,
streaming=True)` must give the same rows, in the same order, as `load_from_disk(DIR)[s]`; every
field named in "sae_lens" must have that value in DIR/sae_lens.json. Prints one JSON line;
exits non-zero on the first difference.
"""
import json
import os
import sys

import datasets


def main():
    out_dir, expect = sys.argv[1], json.loads(sys.argv[2])
    on_disk = datasets.load_from_disk(out_dir)
    assert isinstance(on_disk, datasets.DatasetDict), type(on_disk)
    got = {name: ds.num_rows for name, ds in on_disk.items()}
    assert got == expect["splits"], f"load_from_disk: {got}, expected {expect['splits']}"
    for name in expect["splits"]:
        rows = on_disk[name]["input_ids"]
        cached = datasets.load_dataset(out_dir, split=name)
        assert cached.column_names == on_disk[name].column_names, (
            name,
            cached.column_names,
            on_disk[name].column_names,
        )
        assert cached["input_ids"] == rows, f"load_dataset(split={name!r}) has other rows"
        streamed = [r["input_ids"] for r in datasets.load_dataset(out_dir, split=name, streaming=True)]
        assert streamed == rows, f"load_dataset(split={name!r}, streaming=True) has other rows"
    meta = json.load(open(os.path.join(out_dir, "sae_lens.json")))
    for field, value in expect["sae_lens"].items():
        assert field in meta, f"sae_lens.json lacks {field}: {meta}"
        assert meta[field] == value, f"sae_lens.json {field}: {meta[field]!r}, expected {value!r}"
    print(json.dumps({"ok": True, "splits": got, "sae_lens": meta}))


if __name__ == "__main__":
    main()
