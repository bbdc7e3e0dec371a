"""recordsys: archival records management for Vietnamese state agencies.

`main` is the Pyramid application factory (``pserve development.ini``).
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("recordsys")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0"


def main(global_config, **settings):
    """Build the WSGI application from ini settings (environment variables win)."""
    from recordsys.config import make_wsgi_app

    return make_wsgi_app(settings)
