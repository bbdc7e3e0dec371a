"""audit events are appended without a chain position and sealed into the chain just after commit

An event's ``seq``, ``prev_hash`` and ``hash`` may now be empty until the sealer fills them in (once);
the append-only guard allows exactly that update and still refuses every other update and any delete.

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

CHAIN = ("seq", "prev_hash", "hash")
KEPT = ("id", "occurred_at", "actor", "organization_code", "action", "object_type", "object_id",
        "payload_sha256", "payload")
#: the one update allowed: filling in an unsealed event's chain fields, nothing else changed
SEALING = " AND ".join(["OLD.seq IS NULL", "NEW.seq IS NOT NULL", "NEW.prev_hash IS NOT NULL",
                        "NEW.hash IS NOT NULL", "OLD.prev_hash IS NULL", "OLD.hash IS NULL"]
                       + [f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in KEPT])


def _types():
    return {"seq": sa.Integer(), "prev_hash": sa.String(length=64), "hash": sa.String(length=64)}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for column, type_ in _types().items():
            op.alter_column("audit_events", column, existing_type=type_, nullable=True)
        op.execute(f"""CREATE FUNCTION recordsys_audit_seal_only() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'UPDATE' AND {SEALING} THEN RETURN NEW; END IF;
              RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END; $$ LANGUAGE plpgsql""")
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION recordsys_audit_seal_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        for column, type_ in _types().items():
            batch_op.alter_column(column, existing_type=type_, nullable=True)
    sealing = SEALING.replace("IS NOT DISTINCT FROM", "IS")  # SQLite spells it IS
    op.execute("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
               f"WHEN NOT ({sealing}) BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END")
    op.execute("CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
               "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END")


def downgrade():
    # events not sealed yet cannot go back to NOT NULL columns: seal them first (recordsys audit seal)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION recordsys_append_only()")
        op.execute("DROP FUNCTION recordsys_audit_seal_only()")
        for column, type_ in _types().items():
            op.alter_column("audit_events", column, existing_type=type_, nullable=False)
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        for column, type_ in _types().items():
            batch_op.alter_column(column, existing_type=type_, nullable=False)
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                   "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END")
