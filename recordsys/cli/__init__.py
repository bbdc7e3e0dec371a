"""The `recordsys` command: one click group, one module per area, each command thin over a service.

Settings come from ``--config INI`` (or ``RECORDSYS_CONFIG``), else built-in defaults, and the
environment always wins (``RECORDSYS_DATABASE_URL``, ``RECORDSYS_DATA_DIR``, …).
"""
from __future__ import annotations

import importlib
import sys

import click

from recordsys.cli.context import AppEnv, CommandError
from recordsys.config import SettingsError

#: sub-groups living in their domains: command name -> "module:attribute"
DOMAIN_GROUPS = {
    "ingest": "recordsys.ingest.cli:ingest",
    "preservation": "recordsys.preservation.cli:preservation",
    "search": "recordsys.search.cli:search",
    "dossier": "recordsys.dossiers.cli:dossier",
}

CORE_COMMANDS = {
    "serve": "recordsys.cli.serve:serve",
    "db": "recordsys.cli.database:db",
    "demo": "recordsys.cli.admin:demo",
    "org": "recordsys.cli.admin:org",
    "user": "recordsys.cli.admin:user",
    "token": "recordsys.cli.admin:token",
    "audit": "recordsys.cli.audit:audit",
    "jobs": "recordsys.cli.jobs:jobs",
    "storage": "recordsys.cli.storage:storage",
    "trust": "recordsys.cli.trust:trust",
}


def _load(spec: str):
    module, attr = spec.split(":")
    return getattr(importlib.import_module(module), attr)


class RecordsysGroup(click.Group):
    """Loads sub-commands on demand and turns known errors into one sentence (no traceback)."""

    def list_commands(self, ctx):
        return sorted(CORE_COMMANDS) + sorted(
            name for name, spec in DOMAIN_GROUPS.items() if _available(spec)
        )

    def get_command(self, ctx, name):
        spec = CORE_COMMANDS.get(name) or DOMAIN_GROUPS.get(name)
        if spec is None or not _available(spec):
            return None
        return _load(spec)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (SettingsError, CommandError) as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(getattr(exc, "exit_code", 1))


def _available(spec: str) -> bool:
    module = spec.split(":")[0]
    return importlib.util.find_spec(module) is not None


@click.group(cls=RecordsysGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", envvar="RECORDSYS_CONFIG", type=click.Path(dir_okay=False),
              help="ini file with an [app:main] section (default: built-in settings + environment).")
@click.version_option(package_name="recordsys")
@click.pass_context
def main(ctx, config_path):
    """recordsys: hệ thống quản lý văn bản và hồ sơ lưu trữ điện tử.

    Archival records management for Vietnamese state agencies.
    """
    ctx.obj = AppEnv(config_path)
