"""recordsys: archival records management for Vietnamese state agencies.

`main` is the Pyramid application factory (``pserve development.ini``).
"""


def __getattr__(name):
    """``recordsys.__version__``, read from the installed metadata only when asked for (importing
    importlib.metadata costs every command ~15 ms)."""
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("recordsys")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        value = "0.0.0"
    globals()["__version__"] = value
    return value


def main(global_config, **settings):
    """Build the WSGI application from ini settings (environment variables win)."""
    from recordsys.config import make_wsgi_app

    return make_wsgi_app(settings)
