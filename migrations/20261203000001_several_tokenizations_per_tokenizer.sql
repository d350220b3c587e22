-- Several tokenizations of a dataset with one tokenizer, when their settings differ (an SAE
-- family is trained at several context sizes): the UNIQUE (dataset_id, tokenizer_id) of the
-- first release goes. SQLite cannot drop a constraint, so the table is made again.
CREATE TABLE tokenizations_new (
    id                 TEXT PRIMARY KEY NOT NULL,
    dataset_id         TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    tokenizer_id       TEXT NOT NULL REFERENCES tokenizers (id) ON DELETE CASCADE,
    status             TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'ready', 'error', 'deleting')),
    settings           TEXT NOT NULL DEFAULT '{}',   -- JSON: truncation, padding, stride, packing, shuffle ...
    statistics         TEXT,                         -- JSON, once ready
    num_tokens         INTEGER,
    size_bytes         INTEGER,
    error              TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
INSERT INTO tokenizations_new
    SELECT id, dataset_id, tokenizer_id, status, settings, statistics, num_tokens, size_bytes,
           error, created_at, updated_at
    FROM tokenizations;
DROP TABLE tokenizations;
ALTER TABLE tokenizations_new RENAME TO tokenizations;
CREATE INDEX tokenizations_by_tokenizer ON tokenizations (tokenizer_id);
CREATE INDEX tokenizations_by_dataset ON tokenizations (dataset_id, tokenizer_id);
