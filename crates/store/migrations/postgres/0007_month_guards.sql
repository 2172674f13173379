-- Guards of the month that the database itself enforces, whatever writes to it.

-- A closed month's cards are frozen: nothing inserts, changes or removes them.
CREATE FUNCTION cards_refuse_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r cards%ROWTYPE;
BEGIN
  IF TG_OP = 'INSERT' THEN r := NEW; ELSE r := OLD; END IF;
  IF EXISTS (SELECT 1 FROM cycles WHERE organization_id = r.organization_id AND month = r.month AND phase = 'closed') THEN
    RAISE EXCEPTION 'cards of a closed month are frozen';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END; $$;
CREATE TRIGGER cards_frozen BEFORE INSERT OR UPDATE OR DELETE ON cards
FOR EACH ROW EXECUTE FUNCTION cards_refuse_frozen();

-- A continuation never points to a signed-off task, and a task with a continuation is never
-- signed off.
CREATE FUNCTION tasks_refuse_signed_off_continuation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.carried_from_id IS NOT NULL
     AND (TG_OP = 'INSERT' OR NEW.carried_from_id IS DISTINCT FROM OLD.carried_from_id)
     AND EXISTS (SELECT 1 FROM tasks o WHERE o.id = NEW.carried_from_id AND o.status = 'signed_off') THEN
    RAISE EXCEPTION 'a continuation of a signed-off task';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.status = 'signed_off' AND OLD.status <> 'signed_off'
     AND EXISTS (SELECT 1 FROM tasks n WHERE n.carried_from_id = NEW.id) THEN
    RAISE EXCEPTION 'a continuation of a signed-off task';
  END IF;
  RETURN NEW;
END; $$;
CREATE TRIGGER tasks_continuation BEFORE INSERT OR UPDATE OF carried_from_id, status ON tasks
FOR EACH ROW EXECUTE FUNCTION tasks_refuse_signed_off_continuation();

-- Lists of months read newest first: the discipline office's cases by status, newest month first.
CREATE INDEX accountability_cases_org_status_month_idx ON accountability_cases (organization_id, status, month, id);

-- The red cards that count are the published ones: a person's are found from their tasks.
CREATE INDEX publication_cards_subject_idx ON publication_cards (subject_kind, subject_id);
