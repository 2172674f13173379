-- The ledger is keyed: each entry carries an HMAC of its hash under a key kept outside the
-- database, so that rewriting an entry and re-hashing the chain after it is detected. Entries
-- written before a key existed have none until the key is made and they are sealed.
ALTER TABLE audit_log ADD COLUMN mac TEXT;
-- A published bulletin carries the head of its organization's chain at publication, signed:
-- a checkpoint in every copy that was printed or sent.
ALTER TABLE bulletins ADD COLUMN ledger_checkpoint TEXT;
-- An API token may end: at its expiry, or when its owner or the security administrator
-- revokes it.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
-- One row that `/healthz` rewrites, and only while the last write failed for want of space,
-- to learn whether writes succeed again: with a fresh, incompressible `pad`, so that the write
-- needs new space on disk as a real change does.
CREATE TABLE write_probe (id INTEGER PRIMARY KEY, at TEXT NOT NULL, pad TEXT);
INSERT INTO write_probe (id, at) VALUES (1, '1970-01-01T00:00:00Z');
