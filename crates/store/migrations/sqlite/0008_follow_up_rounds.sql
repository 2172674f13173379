-- A follow-up (督办) is a state machine: issued ('open') → answered → verified: closed, or
-- returned to the unit, which answers again. The team's verdict and its note are kept; the
-- unit's evidence files are files owned by the follow-up.
ALTER TABLE follow_ups ADD COLUMN verify_note TEXT;
ALTER TABLE follow_ups ADD COLUMN verified_by BIGINT REFERENCES persons (id);
ALTER TABLE follow_ups ADD COLUMN verified_at TEXT;
-- A follow-up that was closed without an answer stays closed; one answered and still open is
-- now waiting for verification.
UPDATE follow_ups SET status = 'answered' WHERE status = 'open' AND responded_at IS NOT NULL;
