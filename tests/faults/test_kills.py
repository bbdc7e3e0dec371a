"""Nothing is lost when a process dies: each scenario killed a few times on PostgreSQL (the long
run, 50 kills a scenario, is ``python bench/faults.py``)."""
import pytest

from tests.faults import harness

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def installation(postgresql_server, tmp_path, monkeypatch):
    from recordsys import migrate
    from recordsys.cli.context import AppEnv
    from recordsys.core import demo

    name = f"faults_{tmp_path.name[-12:].replace('-', '_').lower()}"
    postgresql_server.execute(f"CREATE DATABASE {name} TEMPLATE recordsys_template")
    env = {"RECORDSYS_DATABASE_URL": postgresql_server.url(name), "RECORDSYS_DATA_DIR": str(tmp_path / "data"),
           "RECORDSYS_SEARCH_BACKEND": "fts5", "RECORDSYS_JOBS__IN_PROCESS": "false",
           "RECORDSYS_JOBS__HANDLER_MODULES": "tests.faults.effects", "RECORDSYS_JOBS__LEASE_SECONDS": "3",
           "RECORDSYS_JOBS__RECOVER_SECONDS": "1"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    migrate.upgrade({"sqlalchemy.url": env["RECORDSYS_DATABASE_URL"]})
    with AppEnv().transaction() as session:
        demo.seed(session)
    yield env
    postgresql_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.parametrize("scenario", ["registration", "handover", "bagging", "outbox", "jobs"])
def test_killed_processes_leave_everything_consistent(installation, scenario):
    # a hand-over or a package takes seconds (two bag copies): kill later so that some finish
    window = (2.0, 6.0) if scenario in ("handover", "bagging") else (0.5, 2.5)
    summary = harness.run(scenario, installation, kills=3, window=window)
    assert summary.kills == 3
    assert summary.problems == []
    if scenario != "jobs":
        assert summary.units_done > 0  # the kills landed while real work was being done


def test_the_checks_find_what_a_kill_could_break(installation):
    """The harness is not blind: a lost file and a gap in a register are reported."""
    from sqlalchemy import select, update

    from recordsys.cli.context import AppEnv
    from recordsys.ingest.models import Document, Register

    harness.run("registration", installation, kills=1, window=(1.0, 1.5))
    app = AppEnv()
    with app.transaction() as session:
        document = session.scalars(select(Document)).first()
        app.storage.path(document.file.sha256).unlink()
        session.execute(update(Register).values(last_number=Register.last_number + 1))
    problems = harness.check(installation, "registration")
    assert any("without its file" in p for p in problems)
    assert any(p.startswith("register incoming") for p in problems)
