"""Alembic environment: the URL and engine come from recordsys settings (ini + environment)."""
from alembic import context

from recordsys.db import Base
from recordsys.models import import_all_models

import_all_models()
target_metadata = Base.metadata


def run_migrations_online():
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    from recordsys.db import get_engine

    engine = get_engine(context.config.attributes["settings"])
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()  # closes the connections, which also checkpoints SQLite's WAL


def _run(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("recordsys migrations run online only: use `recordsys db upgrade`.")
run_migrations_online()
