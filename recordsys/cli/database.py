"""`recordsys db`: schema migrations."""
import click

from recordsys.cli.context import CommandError, pass_env
from recordsys.i18n import translate


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
    click.echo(translate("Database at revision ${current} (${split}).", env.lang, {"current": migrate.current(settings), "split": settings['sqlalchemy.url'].split('://')[0]}))


@db.command()
@pass_env
def current(env):
    """Print the schema revision of the database."""
    from recordsys import migrate

    click.echo(migrate.current(env.settings) or "(empty)")


@db.command()
@pass_env
def check(env):
    """Compare the models with a database migrated to head (exit 1 listing every difference).

    Run it on a freshly upgraded database: CI does, so models and migrations never drift.
    """
    from recordsys import migrate

    differences = migrate.drift(env.settings)
    for difference in differences:
        click.echo(f"  {difference}", err=True)
    if differences:
        raise CommandError("The models and the migrations differ in ${n_differences} place(s): write a migration (`recordsys db revision -m …`).", mapping={"n_differences": len(differences)})
    click.echo(translate("The models and the migrations agree.", env.lang))


@db.command()
@click.option("-m", "--message", required=True, help="What the migration changes.")
@click.option("--empty", is_flag=True, help="Do not compare with the database; write an empty migration.")
@pass_env
def revision(env, message, empty):
    """Write a new migration under recordsys/migrations/versions/, from the differences between the
    models and the (migrated) database unless --empty; review it before committing."""
    from recordsys import migrate

    click.echo(migrate.revision(env.settings, message, autogenerate=not empty))
