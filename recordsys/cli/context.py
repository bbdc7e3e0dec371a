"""What every command shares: the application's registry (the one composition root, built by
:func:`recordsys.config.make_configurator`), its services and a transaction scope.

Nothing is built until a command asks for it, so ``recordsys --help`` stays fast.
"""
from __future__ import annotations

import contextlib
import json
from functools import cached_property
from pathlib import Path

import click

from recordsys.config import SettingsError, load_settings
from recordsys.errors import DomainError


class CommandError(DomainError):
    """A command-line usage failure as one sentence; ``exit_code`` is the process exit status."""

    code = "command"

    def __init__(self, message: str, exit_code: int = 1, mapping: dict | None = None):
        super().__init__(message, exit_code=exit_code, mapping=mapping)


class AppEnv:
    def __init__(self, config_path: str | None = None, lang: str = "vi"):
        self.config_path = config_path
        self.lang = lang

    @cached_property
    def settings(self) -> dict:
        raw = {}
        if self.config_path:
            path = Path(self.config_path)
            if not path.is_file():
                raise SettingsError("Config file ${config_path} does not exist.", mapping={"config_path": self.config_path})
            from pyramid.paster import get_appsettings

            raw = dict(get_appsettings(str(path)))
        return load_settings(raw)

    @cached_property
    def registry(self):
        """The configured application registry (the same wiring as the web application)."""
        from recordsys.config import make_configurator

        config = make_configurator(self.settings)
        config.commit()
        return config.registry

    def find_service(self, iface, name: str = ""):
        from recordsys.services import find_service

        return find_service(self.registry, iface, name)

    @cached_property
    def engine(self):
        from recordsys.db import check_database

        engine = self.registry["db_engine"]
        check_database(engine)
        return engine

    @cached_property
    def session_factory(self):
        self.engine  # noqa: B018 - checked once before the first transaction
        return self.registry["dbsession_factory"]

    @property
    def search_backend(self):
        from recordsys.search.interfaces import ISearchBackend

        return self.find_service(ISearchBackend)

    @property
    def storage(self):
        from recordsys.storage import IFileStorage

        return self.find_service(IFileStorage)

    def agency_signer(self, org_code: str):
        """The agency's signer from the signer provider service (``ISignerProvider.for_agency``); in
        an installation seeded by ``recordsys demo`` the demo keys are made on first use."""
        from recordsys.core.services import require_org
        from recordsys.workflow.keys import ISignerProvider, audit_demo_anchor, demo_seeded

        signers = self.find_service(ISignerProvider)
        with self.transaction() as session:
            org = require_org(session, org_code)
            if demo_seeded(session, org.code):
                audit_demo_anchor(session, signers.ensure_demo())
            return signers.for_agency(org.code, org.name)

    @contextlib.contextmanager
    def transaction(self):
        """One transaction: committed when the block ends, aborted on any exception."""
        from recordsys.db import transaction_scope

        with transaction_scope(self.session_factory) as session:
            yield session


pass_env = click.make_pass_decorator(AppEnv)


def echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str))
