"""The audit chain catches an edited, deleted, reordered or cut event, on SQLite and PostgreSQL."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from recordsys.core import audit


def _seed_events(tx, n=5):
    with tx() as session:
        for i in range(n):
            audit.record(session, actor="vanthu", action="document.register", object_type="document",
                         object_id=i, organization_code="000.00.01.H41",
                         payload={"number": f"{i + 1}/QĐ-UBND", "subject": "Về việc giao đất đai"})


def _tamper(engine, *statements):
    """What an attacker with raw database access would do: drop the guard, then edit rows."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        for statement in statements:
            conn.execute(text(statement))


def _verify(tx):
    with tx() as session:
        return audit.verify(session)


def test_intact_chain_verifies(tx):
    _seed_events(tx)
    report = _verify(tx)
    assert report.intact and report.events == 5
    with tx() as session:
        assert audit.head(session) == {"seq": 5, "hash": report.head}


def test_edited_payload_is_caught(tx, engine):
    _seed_events(tx)
    _tamper(engine, "UPDATE audit_events SET payload = replace(payload, '3/QĐ', '9/QĐ') WHERE seq = 3")
    report = _verify(tx)
    assert not report.intact and report.broken_seq == 3
    assert "payload" in report.problem


def test_edited_field_with_recomputed_digest_is_caught(tx, engine):
    _seed_events(tx)
    _tamper(engine, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2")
    report = _verify(tx)
    assert (report.intact, report.broken_seq) == (False, 2)
    assert "altered" in report.problem


def test_rehashed_event_breaks_the_next_link(tx, engine):
    _seed_events(tx)
    with tx() as session:
        row = session.execute(text("SELECT * FROM audit_events WHERE seq = 2")).mappings().one()
    fields = {k: row[k] for k in audit.CHAINED_FIELDS}
    fields["actor"] = "mallory"
    new_hash = audit.event_hash(fields)
    _tamper(engine, f"UPDATE audit_events SET actor = 'mallory', hash = '{new_hash}' WHERE seq = 2")
    report = _verify(tx)
    assert (report.intact, report.broken_seq) == (False, 3)


def test_deleted_event_is_caught(tx, engine):
    _seed_events(tx)
    _tamper(engine, "DELETE FROM audit_events WHERE seq = 4")
    report = _verify(tx)
    assert (report.intact, report.broken_seq) == (False, 4)
    assert "missing" in report.problem


def test_reordered_events_are_caught(tx, engine):
    _seed_events(tx)
    _tamper(engine,
            "UPDATE audit_events SET seq = -1 WHERE seq = 2",
            "UPDATE audit_events SET seq = 2 WHERE seq = 3",
            "UPDATE audit_events SET seq = 3 WHERE seq = -1")
    report = _verify(tx)
    assert (report.intact, report.broken_seq) == (False, 2)


def test_cut_tail_is_caught_by_the_head(tx, engine):
    _seed_events(tx)
    _tamper(engine, "DELETE FROM audit_events WHERE seq = 5")
    report = _verify(tx)
    assert not report.intact and "deleted from the end" in report.problem


def test_database_refuses_updates_and_deletes(tx, engine):
    _seed_events(tx, 1)
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert _verify(tx).intact
