"""The Python side of bench/import.sh.

prepare SRC.parquet DIR   writes DIR/corpus.parquet (SRC x12), DIR/corpus.jsonl and
                          DIR/corpus.csv (SRC x5): each at least 200 MB
pyarrow FILE              reads FILE into one Arrow table (pyarrow.parquet / .json / .csv)
datasets FILE CACHE       datasets.load_dataset of FILE, converted into CACHE as the library does
Each measuring role prints one JSON line: input bytes, seconds, MB/s, rows, peak RSS.
"""
import json
import os
import resource
import sys
import time


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fmt(path):
    return {".parquet": "parquet", ".jsonl": "json", ".csv": "csv"}[os.path.splitext(path)[1]]


def report(tool, path, seconds, rows):
    size = os.path.getsize(path)
    print(json.dumps({"tool": tool, "format": fmt(path), "bytes": size, "seconds": seconds,
                      "mb_per_s": size / 1e6 / seconds, "rows": rows, "peak_rss_mb": peak_rss_mb()}))


def prepare(src, out):
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq
    table = pq.read_table(src)
    pq.write_table(pa.concat_tables([table] * 12), os.path.join(out, "corpus.parquet"))
    with open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        rows = table.to_pylist()
        for _ in range(5):
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False))
                f.write("\n")
    pcsv.write_csv(pa.concat_tables([table] * 5), os.path.join(out, "corpus.csv"))


def read_pyarrow(path):
    t = time.perf_counter()
    kind = fmt(path)
    if kind == "parquet":
        import pyarrow.parquet as pq
        table = pq.read_table(path)
    elif kind == "json":
        import pyarrow.json as pj
        # Long documents straddle the default 1 MB blocks.
        table = pj.read_json(path, read_options=pj.ReadOptions(block_size=64 << 20))
    else:
        import pyarrow.csv as pcsv
        # Documents hold line breaks inside quoted fields.
        table = pcsv.read_csv(path, parse_options=pcsv.ParseOptions(newlines_in_values=True),
                              read_options=pcsv.ReadOptions(block_size=64 << 20))
    report("pyarrow", path, time.perf_counter() - t, table.num_rows)


def read_datasets(path, cache):
    import datasets
    datasets.disable_progress_bars()
    t = time.perf_counter()
    ds = datasets.load_dataset(fmt(path), data_files=path, split="train", cache_dir=cache)
    report("datasets", path, time.perf_counter() - t, ds.num_rows)


role = sys.argv[1]
if role == "prepare":
    prepare(sys.argv[2], sys.argv[3])
elif role == "pyarrow":
    read_pyarrow(sys.argv[2])
elif role == "datasets":
    read_datasets(sys.argv[2], sys.argv[3])
else:
    sys.exit(__doc__)
