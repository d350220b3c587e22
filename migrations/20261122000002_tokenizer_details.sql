-- The special tokens a tokenizer was found to have (JSON {bos, eos, pad, unk}, each {id, content}
-- or null) and the tokenizer's file name as the person knows it.
ALTER TABLE tokenizers ADD COLUMN special_tokens TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tokenizers ADD COLUMN file_name TEXT;
