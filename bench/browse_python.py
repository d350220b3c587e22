"""The pyarrow peer of bench/browse_bench.rs: the same operations on the same canonical Arrow
files, memory-mapped. A page is a slice of 20 rows turned into Python dicts; a search is a
case-insensitive substring match over the text column, counted, with its first 20 rows.

usage: browse_python.py SPLIT_DIR REPS COMMON RARE NONE
"""
import glob
import json
import math
import sys
import time

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def next(self, below):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (self.state >> 33) % below


def percentiles(ms):
    ms = sorted(ms)
    at = lambda q: ms[min(max(math.ceil(q * len(ms)), 1), len(ms)) - 1]
    return at(0.5), at(0.95)


def report(what, ms, **extra):
    p50, p95 = percentiles(ms)
    print(json.dumps({"path": "pyarrow", "what": what, "n": len(ms), "p50_ms": p50, "p95_ms": p95, **extra}))


def main():
    split_dir, reps, common, rare, none = sys.argv[1], int(sys.argv[2]), *sys.argv[3:6]
    tables = [ipc.open_file(pa.memory_map(f)).read_all() for f in sorted(glob.glob(f"{split_dir}/data-*.arrow"))]
    table = pa.concat_tables(tables)
    rows = table.num_rows

    rng = Lcg(42)
    table.slice(0, 20).to_pylist()
    ms = []
    for _ in range(reps):
        offset = rng.next(rows - 20)
        t = time.perf_counter()
        page = table.slice(offset, 20).to_pylist()
        ms.append((time.perf_counter() - t) * 1e3)
        assert len(page) == 20
    report("page", ms, rows=rows)

    text = table.column("text")
    for what, word in (("common", common), ("rare", rare), ("none", none)):
        ms = []
        for _ in range(max(3, -(-reps // 20))):
            t = time.perf_counter()
            mask = pc.match_substring(text, word, ignore_case=True)
            total = pc.sum(mask).as_py() or 0
            first = table.filter(mask).slice(0, 20).to_pylist()
            ms.append((time.perf_counter() - t) * 1e3)
        report(f"search_{what}", ms, word=word, matches=total)


main()
