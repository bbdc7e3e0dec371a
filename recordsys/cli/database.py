"""`recordsys db`: schema migrations."""
import click

from recordsys.cli.context import pass_env


@click.group()
def db():
    """Database schema (Alembic migrations)."""


@db.command()
@click.option("--revision", default="head", show_default=True)
@pass_env
def upgrade(env, revision):
    """Create or migrate the database to the newest schema."""
    from recordsys import migrate
    from recordsys.db import check_database, get_engine

    settings = env.settings
    engine = get_engine(settings)
    try:
        check_database(engine, require_schema=False)
    finally:
        engine.dispose()
    migrate.upgrade(settings, revision)
    click.echo(f"Database at revision {migrate.current(settings)} "
               f"({settings['sqlalchemy.url'].split('://')[0]}).")


@db.command()
@pass_env
def current(env):
    """Print the schema revision of the database."""
    from recordsys import migrate

    click.echo(migrate.current(env.settings) or "(empty)")
