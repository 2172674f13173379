-- Guards of the month that the database itself enforces, whatever writes to it.

-- A closed month's cards are frozen: nothing inserts, changes or removes them.
CREATE TRIGGER cards_frozen_insert BEFORE INSERT ON cards
WHEN EXISTS (SELECT 1 FROM cycles WHERE organization_id = NEW.organization_id AND month = NEW.month AND phase = 'closed')
BEGIN SELECT RAISE(ABORT, 'cards of a closed month are frozen'); END;
CREATE TRIGGER cards_frozen_update BEFORE UPDATE ON cards
WHEN EXISTS (SELECT 1 FROM cycles WHERE organization_id = OLD.organization_id AND month = OLD.month AND phase = 'closed')
BEGIN SELECT RAISE(ABORT, 'cards of a closed month are frozen'); END;
CREATE TRIGGER cards_frozen_delete BEFORE DELETE ON cards
WHEN EXISTS (SELECT 1 FROM cycles WHERE organization_id = OLD.organization_id AND month = OLD.month AND phase = 'closed')
BEGIN SELECT RAISE(ABORT, 'cards of a closed month are frozen'); END;

-- A continuation never points to a signed-off task, and a task with a continuation is never
-- signed off.
CREATE TRIGGER tasks_continuation_insert BEFORE INSERT ON tasks
WHEN NEW.carried_from_id IS NOT NULL
 AND EXISTS (SELECT 1 FROM tasks o WHERE o.id = NEW.carried_from_id AND o.status = 'signed_off')
BEGIN SELECT RAISE(ABORT, 'a continuation of a signed-off task'); END;
CREATE TRIGGER tasks_continuation_update BEFORE UPDATE OF carried_from_id ON tasks
WHEN NEW.carried_from_id IS NOT NULL
 AND EXISTS (SELECT 1 FROM tasks o WHERE o.id = NEW.carried_from_id AND o.status = 'signed_off')
BEGIN SELECT RAISE(ABORT, 'a continuation of a signed-off task'); END;
CREATE TRIGGER tasks_signed_off_continued BEFORE UPDATE OF status ON tasks
WHEN NEW.status = 'signed_off' AND OLD.status <> 'signed_off'
 AND EXISTS (SELECT 1 FROM tasks n WHERE n.carried_from_id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'a continuation of a signed-off task'); END;

-- Lists of months read newest first: the discipline office's cases by status, newest month first.
CREATE INDEX accountability_cases_org_status_month_idx ON accountability_cases (organization_id, status, month, id);

-- The red cards that count are the published ones: a person's are found from their tasks.
CREATE INDEX publication_cards_subject_idx ON publication_cards (subject_kind, subject_id);
