-- The number of chunks, kept by triggers: inverse document frequency needs it for every query,
-- and count(*) over chunks costs milliseconds per query once the index holds 100,000 chunks.
-- (Foreign-key cascades fire these triggers too: deleting a document keeps the count right.)
CREATE TABLE corpus_stats (
  name   TEXT PRIMARY KEY,
  value  INTEGER NOT NULL
);
INSERT INTO corpus_stats (name, value) SELECT 'chunks', count(*) FROM chunks;

CREATE TRIGGER chunks_count_ai AFTER INSERT ON chunks BEGIN
  UPDATE corpus_stats SET value = value + 1 WHERE name = 'chunks';
END;

CREATE TRIGGER chunks_count_ad AFTER DELETE ON chunks BEGIN
  UPDATE corpus_stats SET value = value - 1 WHERE name = 'chunks';
END;
