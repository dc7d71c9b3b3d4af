-- Accounts, tokens and owned sessions (worker/auth/*, docs/access.md). Timestamps are epoch ms.
-- users: PBKDF2-SHA256 password hashes (base64url derived key and salt, with their iteration
-- count so that it can be raised later); token_version is carried in every access token and
-- raised by logout, refusing that user's older access tokens.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  password_hash TEXT NOT NULL,
  password_salt TEXT NOT NULL,
  password_iterations INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  token_version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  disabled_at INTEGER
);
-- Refresh tokens, stored as SHA-256 hex of the token. A refresh exchanges a token for a new one
-- of the same family (used_at set); presenting a used token again revokes its whole family.
CREATE TABLE refresh_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
-- API keys of machine clients: SHA-256 hex of the key, its first characters for display, and
-- its scopes (JSON array of permissions, at most its owner's).
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);
-- The user a chat session belongs to (claimed by its first request with accounts on).
CREATE TABLE session_owners (
  session_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
);
CREATE INDEX session_owners_user_idx ON session_owners (user_id);
