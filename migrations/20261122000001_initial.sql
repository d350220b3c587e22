-- The local index of the data root and the job ledger. Timestamps are unix milliseconds.

CREATE TABLE datasets (
    id                 TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    source             TEXT NOT NULL CHECK (source IN ('hugging_face', 'local')),
    hf_repo_id         TEXT,
    hf_config          TEXT,
    hf_split           TEXT,
    hf_revision        TEXT,
    local_path         TEXT,
    status             TEXT NOT NULL CHECK (status IN ('queued', 'downloading', 'processing', 'ready', 'error', 'cancelled', 'deleting')),
    num_samples        INTEGER,
    size_bytes         INTEGER,
    splits             TEXT NOT NULL DEFAULT '[]',   -- JSON [{name, num_rows}]
    columns            TEXT NOT NULL DEFAULT '[]',   -- JSON [{name, data_type}]
    text_column        TEXT,
    format             TEXT,
    description        TEXT,
    error              TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX datasets_by_created ON datasets (created_at);

CREATE TABLE tokenizers (
    id                 TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    source             TEXT NOT NULL CHECK (source IN ('hugging_face', 'local')),
    hf_repo_id         TEXT,
    hf_revision        TEXT,
    vocab_size         INTEGER,
    sha256             TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

CREATE TABLE tokenizations (
    id                 TEXT PRIMARY KEY NOT NULL,
    dataset_id         TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    tokenizer_id       TEXT NOT NULL REFERENCES tokenizers (id) ON DELETE CASCADE,
    status             TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'ready', 'error', 'deleting')),
    settings           TEXT NOT NULL DEFAULT '{}',   -- JSON: truncation, padding, stride, packing ...
    statistics         TEXT,                         -- JSON, once ready
    num_tokens         INTEGER,
    size_bytes         INTEGER,
    error              TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    -- One tokenization per dataset and tokenizer: re-tokenizing replaces it.
    UNIQUE (dataset_id, tokenizer_id)
);
CREATE INDEX tokenizations_by_tokenizer ON tokenizations (tokenizer_id);

CREATE TABLE jobs (
    id                 TEXT PRIMARY KEY NOT NULL,
    kind               TEXT NOT NULL,
    target             TEXT,                         -- the dataset / tokenization id the job works on
    params             TEXT NOT NULL DEFAULT '{}',   -- JSON, kind-specific
    status             TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    stage              TEXT,
    progress           TEXT,                         -- JSON Progress, last persisted value
    attempts           INTEGER NOT NULL DEFAULT 0,
    error              TEXT,                         -- JSON {kind, message}
    created_at         INTEGER NOT NULL,
    started_at         INTEGER,
    finished_at        INTEGER,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX jobs_by_status ON jobs (status, created_at);
CREATE INDEX jobs_by_target ON jobs (target);
