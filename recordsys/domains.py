"""The one list of domains, and everything derived from it by convention.

A domain is a package ``recordsys.<package>``. Adding one to :data:`DOMAINS` is all the wiring it
needs; what it offers is found by convention:

- ``recordsys.<package>`` has an ``includeme`` (routes, services, search projections), included by
  the Configurator;
- ``recordsys.<package>.models`` (if present) holds its tables, imported for migrations;
- ``recordsys.<package>.cli:<command>`` (if ``command`` is set) is its click group, listed under
  ``recordsys <command>``;
- ``recordsys.<package>.jobs`` (if present) registers its background job handlers;
- ``recordsys.<package>.permissions`` (if present) declares its permissions and who holds them;
- ``recordsys.<package>.indexing`` (if present) registers the search projection of its records;
- ``recordsys/<package>/templates/<package>/`` (if present) holds its pages, rendered as
  ``"<package>/page.jinja2"`` (they extend the layout in ``recordsys/web/templates``).

This module imports nothing heavy, so ``recordsys --help`` stays fast.
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    package: str
    command: str | None = None  # the CLI group name, when the domain has commands

    @property
    def module(self) -> str:
        return f"recordsys.{self.package}"

    def submodule(self, name: str) -> str | None:
        """``recordsys.<package>.<name>`` when that module exists, else None."""
        full = f"{self.module}.{name}"
        return full if importlib.util.find_spec(full) is not None else None


#: platform packages first (services the domains find), then the domains in dependency order
DOMAINS: tuple[Domain, ...] = (
    Domain("storage", command="storage"),
    Domain("search", command="search"),
    Domain("ingest", command="ingest"),
    Domain("dossiers", command="dossier"),
    Domain("preservation", command="preservation"),
    Domain("exchange", command="exchange"),
    Domain("workflow", command="workflow"),
)

#: models outside the domains (agencies, users, audit chain; background jobs)
CORE_MODEL_MODULES = ("recordsys.core.models", "recordsys.jobs")


def includes() -> list[str]:
    """Domain packages with an ``includeme``."""
    return [d.module for d in DOMAINS if _has_includeme(d.module)]


def model_modules() -> list[str]:
    return [*CORE_MODEL_MODULES, *filter(None, (d.submodule("models") for d in DOMAINS))]


def job_modules() -> list[str]:
    return list(filter(None, (d.submodule("jobs") for d in DOMAINS)))


def import_submodules(name: str) -> None:
    """Import ``recordsys.<package>.<name>`` of every domain that has one (they register on import)."""
    for module in filter(None, (d.submodule(name) for d in DOMAINS)):
        importlib.import_module(module)


def template_packages() -> list[str]:
    """Domains whose pages live in ``recordsys/<package>/templates/<package>/``."""
    from pathlib import Path

    root = Path(__file__).resolve().parent
    return [d.module for d in DOMAINS if (root / d.package / "templates" / d.package).is_dir()]


def command_groups() -> dict[str, str]:
    """CLI command name -> ``module:attribute`` of the domain's click group (only those that exist)."""
    return {d.command: f"{d.module}.cli:{d.command}" for d in DOMAINS
            if d.command and importlib.util.find_spec(f"{d.module}.cli") is not None}


def _has_includeme(module: str) -> bool:
    return hasattr(importlib.import_module(module), "includeme")
