"""Running Alembic migrations from code (`recordsys db upgrade`, tests)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(settings: dict) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["settings"] = settings
    return cfg


def upgrade(settings: dict, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings), revision)


def current(settings: dict) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from recordsys.db import get_engine

    engine = get_engine(settings)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
