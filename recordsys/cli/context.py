"""What every command shares: settings, the database and a transaction scope."""
from __future__ import annotations

import contextlib
import json
from functools import cached_property
from pathlib import Path

import click

from recordsys.config import SettingsError, load_settings


class CommandError(Exception):
    """A failure to report as one sentence; ``exit_code`` is the process exit status."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


class AppEnv:
    def __init__(self, config_path: str | None = None):
        self.config_path = config_path

    @cached_property
    def settings(self) -> dict:
        raw = {}
        if self.config_path:
            path = Path(self.config_path)
            if not path.is_file():
                raise SettingsError(f"Config file {self.config_path} does not exist.")
            from pyramid.paster import get_appsettings

            raw = dict(get_appsettings(str(path)))
        return load_settings(raw)

    @cached_property
    def engine(self):
        from recordsys.db import check_database, get_engine

        engine = get_engine(self.settings)
        check_database(engine)
        return engine

    @cached_property
    def session_factory(self):
        from recordsys.db import get_session_factory
        from recordsys.search.outbox import install

        factory = get_session_factory(self.engine)
        install(factory, self.search_backend)  # index updates follow each committed change
        return factory

    @cached_property
    def search_backend(self):
        from recordsys.search.factory import make_backend

        return make_backend(self.settings)

    @contextlib.contextmanager
    def transaction(self):
        """One transaction: committed when the block ends, aborted on any exception."""
        from recordsys.db import transaction_scope

        with transaction_scope(self.session_factory) as session:
            yield session


pass_env = click.make_pass_decorator(AppEnv)


def echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str))
