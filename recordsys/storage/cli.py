"""`recordsys storage`: the content-addressed file store."""
import click
from sqlalchemy import select

from recordsys.cli.context import pass_env
from recordsys.i18n import translate


@click.group()
def storage():
    """Stored files (kho tệp)."""


@storage.command()
@click.option("--older-than-hours", default=24.0, show_default=True,
              help="Grace period: files younger than this may belong to a transaction still running.")
@pass_env
def sweep(env, older_than_hours):
    """Remove stored files that no document or quarantined file references."""
    from recordsys.storage.models import StoredFile

    with env.transaction() as session:
        referenced = set(session.scalars(select(StoredFile.sha256)))
    removed = env.storage.sweep(referenced, older_than_hours * 3600)
    click.echo(translate("Removed ${n_removed} unreferenced file(s); ${n_referenced} referenced file(s) kept.", env.lang, {"n_removed": len(removed), "n_referenced": len(referenced)}))
