-- A download that took part of a split (--include/--exclude, --rows) records what it took:
-- JSON {rows_budget, include, exclude, splits: [{name, rows, of_rows, files, of_files, partial_files}]}.
-- NULL for a whole dataset.
ALTER TABLE datasets ADD COLUMN subset TEXT;
