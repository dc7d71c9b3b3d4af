-- Per-term statistics of the porter index (term, number of chunks containing it, occurrences),
-- maintained by FTS5 itself. Used for inverse document frequency at query time.
CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab('chunks_fts', 'row');
