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


def _record(session, i):
    audit.record(session, actor=f"writer-{i}", action="document.register", object_type="document", object_id=i,
                 payload={"number": f"{i}/QĐ-UBND"})


def test_concurrent_writers_make_one_chain_without_gaps_or_forks(tx, engine):
    """Writers commit at once (none holds the head across its commit); each event gets one place."""
    import threading

    start, errors = threading.Barrier(8), []

    def writer(w):
        try:
            start.wait()
            for i in range(5):
                with tx() as session:
                    _record(session, w * 100 + i)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = _verify(tx)
    assert (report.intact, report.events, report.pending) == (True, 40, 0)
    with engine.connect() as conn:
        seqs = conn.execute(text("SELECT seq FROM audit_events ORDER BY seq")).scalars().all()
    assert seqs == list(range(1, 41))
    _tamper(engine, "UPDATE audit_events SET payload = replace(payload, 'QĐ', 'QD') WHERE seq = 17")
    report = _verify(tx)
    assert (report.intact, report.broken_seq) == (False, 17) and "payload" in report.problem


def test_a_rolled_back_event_takes_no_place(tx):
    with tx() as session:
        _record(session, 1)
    with pytest.raises(RuntimeError), tx() as session:
        _record(session, 2)
        raise RuntimeError("the work it describes failed")
    with tx() as session:
        _record(session, 3)
    report = _verify(tx)
    assert (report.intact, report.events, report.pending) == (True, 2, 0)


def _unsealed(engine, actor="crashed"):
    """An event committed by a writer that died before sealing it."""
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_events (occurred_at, actor, action, object_type, object_id, payload_sha256, payload) "
            "VALUES ('2026-11-30T08:00:00.000000+00:00', :actor, 'document.register', 'document', '9', :digest, '{}')"),
            {"actor": actor, "digest": audit.sha256_text("{}")})


def test_an_event_left_unsealed_is_reported_then_sealed_by_the_next_writer(tx, engine):
    _seed_events(tx, 2)
    _unsealed(engine)
    report = _verify(tx)
    assert (report.intact, report.events, report.pending) == (True, 2, 1)
    with tx() as session:
        _record(session, 4)  # its seal takes the pending one too, first
    report = _verify(tx)
    assert (report.intact, report.events, report.pending) == (True, 4, 0)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM audit_events WHERE seq = 3")).scalar_one() == "crashed"


def test_sealing_is_the_only_update_the_database_allows(tx, engine):
    _seed_events(tx, 1)
    _unsealed(engine)
    for statement in (
        "UPDATE audit_events SET seq = 2, prev_hash = 'a', hash = 'b', actor = 'mallory' WHERE seq IS NULL",
        "UPDATE audit_events SET seq = 7, prev_hash = 'a', hash = 'b' WHERE seq = 1",  # sealed once only
        "UPDATE audit_events SET actor = 'mallory' WHERE seq IS NULL",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert audit.seal(engine) == 1
    report = _verify(tx)
    assert (report.intact, report.events, report.pending) == (True, 2, 0)


def test_the_periodic_seal_takes_events_left_by_a_crashed_writer(tx, engine):
    from sqlalchemy.orm import sessionmaker

    from recordsys.jobs import PERIODIC
    from recordsys.jobs.builtin import seal_audit_events

    _seed_events(tx, 1)
    _unsealed(engine)
    assert PERIODIC["audit.seal"].fn is seal_audit_events
    assert seal_audit_events(sessionmaker(bind=engine), {}) == 1
    report = _verify(tx)
    assert (report.intact, report.events, report.pending) == (True, 2, 0)


def test_a_server_process_seals_from_one_background_thread(tx, engine):
    """``recordsys serve``: writers commit and go; one thread seals what they committed, together."""
    import threading
    import time

    sealer = audit.seal_in_background(engine, pause=5)
    try:
        def writer(i):
            with tx() as session:
                _record(session, i)

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(1, 4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        report = _verify(tx)
        assert (report.intact, report.events, report.pending) == (True, 0, 3)  # no writer sealed its own
        deadline = time.monotonic() + 30
        while _verify(tx).pending and time.monotonic() < deadline:
            time.sleep(0.2)
        report = _verify(tx)
        assert (report.intact, report.events, report.pending) == (True, 3, 0)
        with tx() as session:
            _record(session, 4)
    finally:
        sealer.close()  # seals the fourth on its way out
    report = _verify(tx)
    assert (report.intact, report.events, report.pending) == (True, 4, 0)
    with tx() as session:
        _record(session, 5)  # closed: the writer seals its own again
    assert _verify(tx).pending == 0
