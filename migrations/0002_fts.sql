-- Lexical search over chunks (hand-written: drizzle does not model FTS5).
-- chunks_fts: English with Porter stemming; Hangul tokens are matched by prefix queries.
-- chunks_trigram: substring matching for Korean and other unsegmented text (terms >= 3 chars).
-- Both are external-content tables over chunks, kept in sync by triggers.

CREATE VIRTUAL TABLE chunks_fts USING fts5(
  title, heading, content,
  content='chunks', content_rowid='seq',
  tokenize='porter unicode61 remove_diacritics 2'
);

CREATE VIRTUAL TABLE chunks_trigram USING fts5(
  content,
  content='chunks', content_rowid='seq',
  tokenize='trigram'
);

CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts(rowid, title, heading, content) VALUES (new.seq, new.title, new.heading, new.content);
  INSERT INTO chunks_trigram(rowid, content) VALUES (new.seq, new.content);
END;

CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, title, heading, content) VALUES ('delete', old.seq, old.title, old.heading, old.content);
  INSERT INTO chunks_trigram(chunks_trigram, rowid, content) VALUES ('delete', old.seq, old.content);
END;

CREATE TRIGGER chunks_au AFTER UPDATE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, title, heading, content) VALUES ('delete', old.seq, old.title, old.heading, old.content);
  INSERT INTO chunks_trigram(chunks_trigram, rowid, content) VALUES ('delete', old.seq, old.content);
  INSERT INTO chunks_fts(rowid, title, heading, content) VALUES (new.seq, new.title, new.heading, new.content);
  INSERT INTO chunks_trigram(rowid, content) VALUES (new.seq, new.content);
END;
