"""The Python peers of bench/tokenize.sh, on the same parquet file and tokenizer.

raw:      tokenizers' encode_batch on all texts in memory (the library alone);
pipeline: datasets.Dataset.from_parquet -> map(batched=True) with tokenizers -> save_to_disk,
          the way a notebook does it.
The last argument repeats the file's rows that many times (the benchmark's big input).
Prints one JSON line per role with tokens, seconds, tokens per second and peak RSS.
"""
import json
import resource
import sys
import time


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    role, parquet, tokenizer_path = sys.argv[1:4]
    repeat = int(sys.argv[-1])
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tokenizer_path)
    if role == "raw":
        import pyarrow.parquet as pq

        texts = pq.read_table(parquet, columns=["text"]).column("text").to_pylist()
        texts = [t or "" for t in texts] * repeat
        t0 = time.time()
        tokens = 0
        for i in range(0, len(texts), 1000):
            tokens += sum(len(e.ids) for e in tok.encode_batch(texts[i : i + 1000]))
        secs = time.time() - t0
    else:
        out = sys.argv[4]
        import datasets

        datasets.disable_progress_bars()
        counted = [0]

        def encode(batch):
            ids = [e.ids for e in tok.encode_batch([t or "" for t in batch["text"]])]
            counted[0] += sum(len(x) for x in ids)
            return {"input_ids": ids}

        t0 = time.time()
        ds = datasets.Dataset.from_parquet([parquet] * repeat)
        ds = ds.map(encode, batched=True, batch_size=1000, remove_columns=ds.column_names)
        ds.save_to_disk(out)
        secs = time.time() - t0
        tokens = counted[0]
    print(json.dumps({"role": f"python_{role}", "tokens": tokens, "seconds": secs,
                      "tokens_per_sec": tokens / secs, "peak_rss_mb": rss_mb()}))


if __name__ == "__main__":
    main()
