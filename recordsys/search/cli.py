"""`recordsys search QUERY`, `search reindex`, `search sync`."""
from __future__ import annotations

import sys

import click
from sqlalchemy import select

from recordsys.cli.context import CommandError, echo_json, pass_env
from recordsys.i18n import translate


class QueryFirstGroup(click.Group):
    """``recordsys search đất đai`` searches; ``recordsys search reindex`` runs the subcommand."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["query", *args]
        return super().parse_args(ctx, args)


@click.group(cls=QueryFirstGroup)
def search():
    """Search documents and dossiers (tra cứu), rebuild the index."""


@search.command("query")
@click.argument("words", nargs=-1)
@click.option("--json", "as_json", is_flag=True)
@click.option("--as", "username", help="Show only what this user may open (default: everything).")
@click.option("--kind", type=click.Choice(["document", "dossier"]))
@click.option("--year", type=int)
@click.option("--org", help="Organ code to narrow to.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--page", default=1, show_default=True, type=int)
@click.option("--page-size", default=20, show_default=True, type=int)
@pass_env
def query(env, words, as_json, username, kind, year, org, sort, page, page_size):
    """Print the hits for WORDS (with or without diacritics; "quotes" for a phrase, word* for a prefix)."""
    from recordsys.core.models import User
    from recordsys.search.interfaces import QueryError, SearchUnavailable
    from recordsys.search.services import build_request, everything, viewer_for

    params = {"q": " ".join(words), "kind": kind, "year": year, "org": org, "sort": sort, "page": page,
              "page_size": page_size}
    with env.transaction() as session:
        if username:
            user = session.scalar(select(User).where(User.username == username.lower()))
            if user is None:
                raise CommandError("Unknown user ${username}.", mapping={"username": f"{username!r}"})
            viewer = viewer_for(user)
        else:
            viewer = everything(session)
        try:
            request = build_request(session, params, viewer)
        except QueryError as exc:
            raise CommandError("${error}", exit_code=2, mapping={"error": exc}) from None
    try:
        result = env.search_backend.search(request)
    except SearchUnavailable as exc:
        raise CommandError("${error}", mapping={"error": exc}) from None
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo(translate("${total} results", env.lang, {"total": result.total}))
    for hit in result.hits:
        entry = hit.entry
        click.echo(f"{hit.id:<14} {entry.get('number_and_symbol') or '':<16} {entry.get('date') or '':<10} "
                   f"{entry['title'][:90]}")


@search.command()
@pass_env
def reindex(env):
    """Rebuild the whole index from the database (swapped in at the end: no downtime)."""
    from recordsys.search.outbox import all_entries, apply_pending, count_all

    with env.transaction() as session:
        total = count_all(session)
        with click.progressbar(length=total, label="Reindexing", file=sys.stderr) as bar:
            done_before = [0]

            def progress(done):
                bar.update(done - done_before[0])
                done_before[0] = done

            count = env.search_backend.rebuild(all_entries(session), progress)
    # changes committed while the snapshot was read are still queued: apply them on top
    applied = apply_pending(env.session_factory, env.search_backend)
    click.echo(translate("Indexed ${count} records into ${name} (+${applied} queued updates).", env.lang, {"count": count, "name": env.search_backend.name, "applied": applied}))


@search.command()
@pass_env
def sync(env):
    """Apply queued index updates (after the search backend was unreachable)."""
    from recordsys.search.outbox import apply_pending

    click.echo(translate("Applied ${apply_pending} queued update(s).", env.lang, {"apply_pending": apply_pending(env.session_factory, env.search_backend)}))
