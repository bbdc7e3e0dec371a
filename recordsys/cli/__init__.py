"""The `recordsys` command: one click group, one module per area, each command thin over a service.

Settings come from ``--config INI`` (or ``RECORDSYS_CONFIG``), else built-in defaults, and the
environment always wins (``RECORDSYS_DATABASE_URL``, ``RECORDSYS_DATA_DIR``, …).
"""
from __future__ import annotations

import importlib
import sys

import click

from recordsys.cli.context import AppEnv
from recordsys.domains import command_groups
from recordsys.errors import DomainError

CORE_COMMANDS = {
    "serve": "recordsys.cli.serve:serve",
    "db": "recordsys.cli.database:db",
    "demo": "recordsys.cli.admin:demo",
    "org": "recordsys.cli.admin:org",
    "user": "recordsys.cli.admin:user",
    "token": "recordsys.cli.admin:token",
    "audit": "recordsys.cli.audit:audit",
    "jobs": "recordsys.cli.jobs:jobs",
    "trust": "recordsys.cli.trust:trust",
    "outgoing": "recordsys.workflow.cli:outgoing",
    "report": "recordsys.workflow.cli:report",
}


def _load(spec: str):
    module, attr = spec.split(":")
    return getattr(importlib.import_module(module), attr)


class RecordsysGroup(click.Group):
    """Loads sub-commands on demand and turns known errors into one sentence (no traceback)."""

    def list_commands(self, ctx):
        return sorted(CORE_COMMANDS) + sorted(command_groups())

    def get_command(self, ctx, name):
        spec = CORE_COMMANDS.get(name) or command_groups().get(name)
        return _load(spec) if spec else None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            lang = getattr(ctx.obj, "lang", "vi")
            prefix = f"{exc.field}: " if exc.field else ""
            from recordsys.i18n import translate

            click.echo(f"{translate('Error', lang)}: {prefix}{exc.localized(lang)}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=RecordsysGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", envvar="RECORDSYS_CONFIG", type=click.Path(dir_okay=False),
              help="ini file with an [app:main] section (default: built-in settings + environment).")
@click.option("--lang", type=click.Choice(["vi", "en"]), envvar="RECORDSYS_LANG", default="vi", show_default=True,
              help="Language of messages (tiếng Việt by default).")
@click.version_option(package_name="recordsys")
@click.pass_context
def main(ctx, config_path, lang):
    """recordsys: hệ thống quản lý văn bản và hồ sơ lưu trữ điện tử.

    Archival records management for Vietnamese state agencies.
    """
    ctx.obj = AppEnv(config_path, lang)
