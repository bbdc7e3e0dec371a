"""`recordsys db check` (models and migrations never drift; CI runs it) and `db revision`."""
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import Column, Integer, String, Table

from recordsys.cli import main
from recordsys.db import Base
from recordsys.migrate import alembic_config


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("RECORDSYS_DATABASE_URL", settings["sqlalchemy.url"])
    monkeypatch.setenv("RECORDSYS_DATA_DIR", settings["recordsys.data_dir"])
    return CliRunner()


@pytest.fixture
def probe_table():
    """A table the models declare and no migration creates: a drift."""
    table = Table("drift_probe", Base.metadata, Column("id", Integer, primary_key=True), Column("label", String(20)))
    yield table
    Base.metadata.remove(table)


def test_models_and_migrations_agree(cli_env):
    result = cli_env.invoke(main, ["--lang", "en", "db", "check"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output


def test_a_drift_is_reported_and_a_revision_written_for_it(cli_env, probe_table):
    result = cli_env.invoke(main, ["db", "check"])
    assert result.exit_code == 1
    assert "drift_probe" in result.output and "khác nhau ở 1 chỗ" in result.output
    before = ScriptDirectory.from_config(alembic_config({})).get_current_head()
    written = cli_env.invoke(main, ["db", "revision", "-m", "drift probe"])
    path = Path(written.output.strip().splitlines()[-1])
    try:
        assert written.exit_code == 0, written.output
        text = path.read_text()
        assert "create_table('drift_probe'" in text or 'create_table("drift_probe"' in text
        assert path.name == f"{int(before) + 1:04d}_drift_probe.py"  # numbered after the head it follows
        assert f"down_revision = '{before}'" in text
    finally:
        path.unlink(missing_ok=True)
