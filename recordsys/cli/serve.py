"""`recordsys serve`: the web application on waitress."""
import click

from recordsys.cli.context import pass_env
from recordsys.i18n import translate

#: bytes of one request body kept in memory before waitress spools it to a temporary file
INBUF_OVERFLOW = 4 * 1024 * 1024


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=6543, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@pass_env
def serve(env, host, port, threads):
    """Serve the web application and the JSON API."""
    import waitress

    from recordsys.config import make_wsgi_app

    app = make_wsgi_app(env.settings)
    click.echo(translate("recordsys: http://${host}:${port}/  (API: http://${host}:${port}/api/v1/health)", env.lang, {"host": host, "port": port}))
    # Request bodies up to INBUF_OVERFLOW stay in memory (waitress's default spills anything over
    # 512 KB to a temporary file first: every 1 MB envelope would be written and read back once more).
    waitress.serve(app, host=host, port=port, threads=threads, ident="recordsys", inbuf_overflow=INBUF_OVERFLOW)
