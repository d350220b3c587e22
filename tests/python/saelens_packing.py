"""SAELens's pretokenizer, re-implemented for the tests over plain lists of ids.

SAELens's `PretokenizeRunner` encodes each document with `AutoTokenizer.from_pretrained(name)
.encode(text)` and cuts the stream with `concat_and_batch_sequences`
(`sae_lens/tokenization_and_batching.py`). This module does the same with Python `tokenizers`
and no torch, so the tests can hold a miStudio tokenization against it row for row:

- `load(path)`: a tokenizer as transformers 5 sets it up from a `tokenizer.json` (a file, or
  a folder holding one) and the `tokenizer_config.json` beside it: when the config names the
  `LlamaTokenizer` class and the file has nothing byte-level, transformers keeps the file's
  vocabulary, merges and post-processor but drops its normalizer and puts a `Metaspace`
  pre-tokenizer in (prepend "always"; "first" without `legacy`; "never" without
  `add_prefix_space`); otherwise the file is used as it is. The config's
  `add_bos_token`/`add_eos_token` do not override the file's post-processor. `bos`/`eos`/`sep`
  are the config's `bos_token`/`eos_token`/`sep_token` (GPT-2's `<|endoftext|>` for BOS and EOS
  when there is no config), as SAELens's `get_special_token_from_cfg` reads them.
- `pack(docs, ...)`: the rows, by the rules of sae_lens 6.54.0 (the release `sae_lens.json`
  names).

Run as a script, `saelens_packing.py fixture TOKENIZER CONTEXT FOLDER SOURCES_JSON` writes a
small corpus of edge-case documents for that tokenizer and context (empty ones, some exactly a
context long, one a token short and one a token over, others several contexts long) as
`FOLDER/train.jsonl` and `FOLDER/test.jsonl`, and the same texts as SOURCES_JSON (split ->
texts).
"""
import json
import os
import random
import sys

from tokenizers import Tokenizer
from tokenizers import normalizers, pre_tokenizers

TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "tokenizer_config.json"


def _config_token(config, key):
    """A special token's text in a tokenizer_config.json: a string or {"content": ...}."""
    value = config.get(key)
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


class Encoder:
    """Encodes documents as SAELens gets them from transformers, and names its special ids."""

    def __init__(self, path):
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        file = os.path.join(path, TOKENIZER_FILE) if os.path.isdir(path) else path
        self.tokenizer = Tokenizer.from_file(file)
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        config_path = os.path.join(folder, CONFIG_FILE)
        config = json.load(open(config_path)) if os.path.exists(config_path) else None
        if config is None:
            eot = self.tokenizer.token_to_id("<|endoftext|>")
            self.special = {"bos": eot, "eos": eot, "sep": None}
        else:
            self.special = {}
            for name in ("bos", "eos", "sep"):
                text = _config_token(config, f"{name}_token")
                self.special[name] = None if text is None else self.tokenizer.token_to_id(text)
            tokenizer_class = config.get("tokenizer_class") or ""
            byte_level = '"ByteLevel"' in open(file, encoding="utf-8").read()
            if tokenizer_class.removesuffix("Fast") == "LlamaTokenizer" and not byte_level:
                self._as_llama_tokenizer(config)

    def _as_llama_tokenizer(self, config):
        """transformers 5's LlamaTokenizer: the file's model, its own pre-tokenizer."""
        if config.get("add_prefix_space", True) is False:
            scheme = "never"
        elif config.get("legacy", True) is False:
            scheme = "first"
        else:
            scheme = "always"
        self.tokenizer.normalizer = normalizers.Sequence([])
        self.tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
            replacement="▁", prepend_scheme=scheme, split=False
        )

    def encode(self, text, add_special_tokens=True):
        return self.tokenizer.encode(text, add_special_tokens=add_special_tokens).ids

    def encode_all(self, texts, add_special_tokens=True):
        return [
            e.ids for e in self.tokenizer.encode_batch(texts, add_special_tokens=add_special_tokens)
        ]

    def token(self, setting):
        """A packing token as the tokenization's settings name it ({"kind": "bos"},
        {"kind": "id", "id": 7}, {"kind": "none"}), as an id or None."""
        kind = setting["kind"]
        if kind == "none":
            return None
        if kind == "id":
            return setting["id"]
        return self.special[kind]


def load(path):
    return Encoder(path)


def pack(docs, context, begin_batch=None, begin_sequence=None, separator=None, one_per_row=False):
    """The rows SAELens cuts from `docs` (lists of ids), all `context` long, in order."""
    if one_per_row:
        return _one_per_row(docs, context, begin_batch, begin_sequence)
    rows = []
    row = None
    for doc in docs:
        pos = 0
        # Whether the document still owes its begin-sequence token: at its start, and again
        # in the next row when the token did not fit where the document began.
        opening = True
        while pos < len(doc):
            prefix = []
            lead = doc[pos]
            owed = False
            if opening and begin_sequence is not None and lead != begin_sequence:
                prefix = [begin_sequence]
                lead = begin_sequence
                owed = True
            if row is None:
                if begin_batch is not None and lead != begin_batch:
                    prefix = [begin_batch] + prefix
                room = context
                row = []
            else:
                if separator is not None and lead != separator:
                    prefix = [separator] + prefix
                room = context - len(row)
            take = max(room - len(prefix), 0)
            row.extend(prefix[:room])
            row.extend(doc[pos : pos + take])
            pos += take
            opening = owed and len(prefix) > room
            if len(row) == context:
                rows.append(row)
                row = None
    return rows


def _one_per_row(docs, context, begin_batch, begin_sequence):
    # With each document on its own row, the begin-batch token serves as the begin-sequence
    # token when there is none.
    if begin_sequence is None:
        begin_sequence = begin_batch
    rows = []
    for doc in docs:
        if not doc:
            continue
        if begin_sequence is not None and len(doc) >= context - 1 and doc[0] != begin_sequence:
            doc = [begin_sequence] + doc[: context - 1]
        if len(doc) >= context:
            rows.append(doc[:context])
    return rows


def rows_for(encoder, texts, settings):
    """The rows of one split as SAELens makes them, for a packed tokenization's `settings`
    (as `mistudio-cli --json tokenize` prints them)."""
    p = settings["packing"]
    docs = encoder.encode_all(texts, add_special_tokens=settings["add_special_tokens"])
    return pack(
        docs,
        p["context_size"],
        begin_batch=encoder.token(p["begin_batch_token"]),
        begin_sequence=encoder.token(p["begin_sequence_token"]),
        separator=encoder.token(p["sequence_separator_token"]),
        one_per_row=p["disable_concat_sequences"],
    )


WORDS = (
    "the model learns sparse features of language while a researcher reads activations "
    "from layer twelve and finds monosemantic directions in its residual stream naïve café "
    "东京 🚀 — \"quoted\" numbers 1234 3.14159 dictionary learning"
).split()


def _text_of_length(encoder, target, rng):
    """A text whose encoding (special tokens included) is exactly `target` ids long."""
    filler = ["the", "a", "and", "of", "in"]
    words = []
    while True:
        n = len(encoder.encode(" ".join(words)))
        if n == target:
            return " ".join(words)
        assert n < target, f"overshot {target} with {n}"
        for w in [rng.choice(WORDS)] + filler:
            if len(encoder.encode(" ".join(words + [w]))) <= target:
                words.append(w)
                break
        else:
            raise AssertionError(f"no word keeps the text within {target} tokens")


def fixture(encoder, context, seed):
    """Two splits of edge-case documents for `context`."""
    rng = random.Random(seed)

    def short():
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))

    def long(contexts):
        return " ".join(rng.choice(WORDS) for _ in range(int(context * contexts)))

    train = [
        "",
        _text_of_length(encoder, context, rng),
        short(),
        "",
        _text_of_length(encoder, context - 1, rng),
        _text_of_length(encoder, context + 1, rng),
        long(3.5),
        short(),
        short(),
        "",
        _text_of_length(encoder, context, rng),
        long(5.2),
        short(),
        _text_of_length(encoder, context, rng),
    ]
    # Leading whitespace: where transformers' LlamaTokenizer and Llama-2's file part ways.
    train += [" " + short(), "  " + short(), "\n" + short()]
    train += [rng.choice([short(), long(0.7), long(1.6), ""]) for _ in range(37)]
    test = [_text_of_length(encoder, context, rng), "", long(4.1), short(), short(), long(0.4)]
    test += [rng.choice([short(), long(1.3)]) for _ in range(10)]
    return {"train": train, "test": test}


def main():
    if len(sys.argv) != 6 or sys.argv[1] != "fixture":
        sys.exit(__doc__)
    _, _, tokenizer, context, folder, sources = sys.argv
    encoder = load(tokenizer)
    splits = fixture(encoder, int(context), seed=int(context))
    os.makedirs(folder, exist_ok=True)
    for name, texts in splits.items():
        with open(os.path.join(folder, f"{name}.jsonl"), "w") as f:
            for t in texts:
                f.write(json.dumps({"text": t}) + "\n")
    with open(sources, "w") as f:
        json.dump(splits, f)
    print(json.dumps({"ok": True, "splits": {k: len(v) for k, v in splits.items()}}))


if __name__ == "__main__":
    main()
