"""Settings and the Pyramid Configurator.

Settings come, in increasing priority, from built-in defaults, the ini file's ``[app:main]`` section,
and the environment (``RECORDSYS_*``), so one command can be pointed at another database or data
folder without editing files. The whole wiring of the application is readable in
:func:`make_configurator`.
"""
from __future__ import annotations

import os
from pathlib import Path

from recordsys.errors import DomainError

REPO_ROOT = Path(__file__).resolve().parent.parent

#: environment variable -> setting name
ENVIRONMENT = {
    "RECORDSYS_DATABASE_URL": "sqlalchemy.url",
    "RECORDSYS_DATA_DIR": "recordsys.data_dir",
    "RECORDSYS_SECRET": "recordsys.secret",
    "RECORDSYS_SEARCH_BACKEND": "search.backend",
    "RECORDSYS_OPENSEARCH_URL": "search.opensearch_url",
    "RECORDSYS_ELASTICSEARCH_URL": "search.elasticsearch_url",  # the old name of search.opensearch_url
    "RECORDSYS_SEARCH_INDEX_PREFIX": "search.index_prefix",
    "RECORDSYS_VERAPDF_HOME": "verapdf.home",
    "RECORDSYS_METADATA_DIR": "recordsys.metadata_dir",
    "RECORDSYS_STORAGE_LOCATIONS": "preservation.locations",
    "RECORDSYS_DEFAULT_LOCALE": "pyramid.default_locale_name",
    "RECORDSYS_SECURE_COOKIES": "recordsys.secure_cookies",
    "RECORDSYS_JOBS_BROKER": "jobs.broker",
    "RECORDSYS_REDIS_URL": "jobs.redis_url",
}

DEFAULTS = {
    "recordsys.data_dir": "var",
    "pyramid.default_locale_name": "vi",
    "search.backend": "fts5",
    "search.index_prefix": "recordsys",
    "recordsys.secure_cookies": "false",
    "tm.manager_hook": "pyramid_tm.explicit_manager",
    "jobs.in_process": "true",
    "jobs.broker": "sqlite",  # the Huey queue: sqlite (a file in the data folder) or redis
    "recordsys.session_lifetime_hours": "12",  # absolute: a session ends this long after sign-in
    "recordsys.session_idle_minutes": "480",  # idle: a session unused this long ends
    "recordsys.max_upload_bytes": str(200 * 1024 * 1024),  # whole request body, checked before reading it
    "recordsys.max_upload_files": "50",  # files in one request
    "recordsys.login_max_failures": "5",  # failed sign-ins of one user name before a lock-out
    "recordsys.login_max_failures_per_address": "20",  # … of one client address
}


class SettingsError(DomainError):
    """A setting is missing or wrong; the message is one sentence a person can act on."""

    code = "settings"
    http_status = 500


def load_settings(settings: dict | None = None, environ: dict | None = None) -> dict:
    """Merge defaults, the given (ini) settings and the environment; fill derived values.

    Raises :class:`SettingsError` with one clear sentence when a value is unusable.
    """
    environ = os.environ if environ is None else environ
    merged = dict(DEFAULTS)
    merged.update({k: v for k, v in (settings or {}).items() if v is not None})
    for env_name, key in ENVIRONMENT.items():
        if environ.get(env_name):
            merged[key] = environ[env_name]
    for env_name, value in environ.items():  # any other setting: RECORDSYS_JOBS__IN_PROCESS=false
        if env_name.startswith("RECORDSYS_") and "__" in env_name and env_name not in ENVIRONMENT:
            merged[env_name[len("RECORDSYS_"):].lower().replace("__", ".")] = value

    data_dir = Path(merged["recordsys.data_dir"]).expanduser()
    merged["recordsys.data_dir"] = str(data_dir.resolve())
    from sqlalchemy.engine import (
        make_url,  # here, not at the top: commands that need no database start faster
    )
    from sqlalchemy.exc import ArgumentError

    if not merged.get("sqlalchemy.url"):
        merged["sqlalchemy.url"] = f"sqlite:///{data_dir.resolve() / 'recordsys.sqlite'}"
    try:
        url = make_url(merged["sqlalchemy.url"])
    except ArgumentError as exc:
        raise SettingsError(
            "RECORDSYS_DATABASE_URL / sqlalchemy.url is not a database URL: ${merged} (${exc}).", mapping={"merged": f"{merged['sqlalchemy.url']!r}", "exc": exc}
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(
            "Unsupported database ${get_backend_name}: use sqlite:///PATH or postgresql://USER@HOST/DB.", mapping={"get_backend_name": f"{url.get_backend_name()!r}"}
        )
    if merged["search.backend"] == "elasticsearch":  # the old name: the OpenSearch client serves it
        merged["search.backend"] = "opensearch"
    if merged["search.backend"] not in ("fts5", "opensearch"):
        raise SettingsError(
            "search.backend must be 'fts5' or 'opensearch', not ${merged}.", mapping={"merged": f"{merged['search.backend']!r}"}
        )
    if not merged.get("search.opensearch_url"):
        merged["search.opensearch_url"] = merged.get("search.elasticsearch_url") or "http://127.0.0.1:9200"
    urls = [u.strip() for u in merged["search.opensearch_url"].split(",") if u.strip()]
    if merged["search.backend"] == "opensearch" and not all(u.startswith(("http://", "https://")) for u in urls or [""]):
        raise SettingsError(
            "RECORDSYS_OPENSEARCH_URL / search.opensearch_url must be one or more http(s):// URLs separated by commas, not ${merged}.", mapping={"merged": f"{merged['search.opensearch_url']!r}"}
        )
    if merged["jobs.broker"] not in ("sqlite", "redis"):
        raise SettingsError("jobs.broker must be 'sqlite' or 'redis', not ${merged}.", mapping={"merged": f"{merged['jobs.broker']!r}"})
    if merged["jobs.broker"] == "redis" and not merged.get("jobs.redis_url"):
        raise SettingsError("jobs.broker = redis needs jobs.redis_url (RECORDSYS_REDIS_URL), e.g. redis://127.0.0.1:6379/0.")
    if not merged.get("recordsys.secret"):
        merged["recordsys.secret"] = _local_secret(data_dir)
    merged.setdefault("search.fts5_path", str(data_dir.resolve() / "search.sqlite"))
    merged.setdefault("storage.path", str(data_dir.resolve() / "files"))
    merged.setdefault(
        "preservation.locations",
        f"primary={data_dir.resolve() / 'archive-a'};secondary={data_dir.resolve() / 'archive-b'}",
    )
    merged.setdefault("recordsys.metadata_dir", str(REPO_ROOT / "metadata"))
    merged.setdefault("verapdf.home", str(REPO_ROOT / ".tools" / "verapdf"))
    return merged


def _local_secret(data_dir: Path) -> str:
    """A per-installation random secret kept in the data folder (used when none is configured)."""
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = os.urandom(32).hex()
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    os.replace(tmp, path)
    return secret


def as_bool(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def make_configurator(settings: dict):
    from pyramid.config import Configurator

    settings = load_settings(settings)
    config = Configurator(settings=settings)
    # A view that forgets to declare its permission is not public: it needs at least "view".
    config.set_default_permission("view")
    config.include("pyramid_jinja2")
    config.include("pyramid_services")
    config.include("recordsys.db")
    config.include("recordsys.jobs")
    config.include("recordsys.core")
    config.include("recordsys.i18n")
    config.include("recordsys.api")
    config.include("recordsys.web")
    from recordsys.domains import import_submodules, includes, template_packages

    import_submodules("permissions")  # before any ACL is read
    import_submodules("indexing")  # each domain's search projection
    for package in template_packages():  # each domain's pages: "<domain>/page.jinja2"
        config.add_jinja2_search_path(f"{package}:templates", name=".jinja2")
    for domain in includes():  # the one list of domains: recordsys/domains.py
        config.include(domain)
    return config


def make_wsgi_app(settings: dict):
    config = make_configurator(settings)
    from recordsys.db import check_database

    check_database(config.registry["db_engine"])
    if config.registry.settings.get("audit.seal") == "background":  # recordsys serve
        from recordsys.core import audit

        audit.seal_in_background(config.registry["db_engine"])
    app = config.make_wsgi_app()
    from recordsys.jobs.queue import IJobQueue
    from recordsys.services import find_service

    # The queue is always there (the web enqueues jobs); the embedded default also consumes it.
    queue = find_service(config.registry, IJobQueue)
    if as_bool(config.registry.settings["jobs.in_process"]):
        config.registry["job_worker"] = queue.consumer(
            workers=int(config.registry.settings.get("jobs.workers") or 1), embedded=True
        ).start()
    return app
