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


def drift(settings: dict) -> list:
    """The differences between the models and a database migrated to head (Alembic's autogenerate
    comparison); empty when the migrations describe the models exactly."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from recordsys.db import Base, get_engine
    from recordsys.models import import_all_models

    import_all_models()
    engine = get_engine(settings)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def revision(settings: dict, message: str, autogenerate: bool = True) -> str:
    """Write a new migration file (compared against the database of ``settings``); returns its path."""
    from alembic.script import ScriptDirectory

    cfg = alembic_config(settings)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    number = f"{int(head) + 1:04d}" if head and head.isdigit() else None
    script = command.revision(cfg, message=message, autogenerate=autogenerate, rev_id=number)
    return script.path
