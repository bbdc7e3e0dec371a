"""Vietnamese by default, English selectable: gettext catalogs compiled with Babel.

Message ids are English; ``recordsys/locale/vi/LC_MESSAGES/recordsys.po`` holds the Vietnamese.
The catalogs are compiled at start-up into the data folder when the .po is newer, so a checkout
needs no build step.
"""
from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("vi", "en")
DOMAIN = "recordsys"
SOURCE = Path(__file__).resolve().parent / "locale"


def compile_catalogs(target: Path) -> Path:
    for po in SOURCE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parts[-3], domain=DOMAIN)
        # a temporary file of its own: processes starting together (serve --workers) compile at once
        fd, tmp = tempfile.mkstemp(prefix=f".{mo.name}.", dir=mo.parent)
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp, mo)
    return target


@functools.cache
def _catalog(lang: str) -> dict[str, str]:
    po = SOURCE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return {}
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}


def translate(message: str, lang: str = "vi", mapping: dict | None = None) -> str:
    """``message`` (an English message id, ``${name}`` placeholders) in ``lang`` from the same
    catalog the web uses: the command line and errors speak through this, outside any request."""
    text = _catalog(lang).get(message, message) if lang != "en" else message
    for key, value in (mapping or {}).items():
        if hasattr(value, "localized"):
            value = value.localized(lang)
        text = text.replace(f"${{{key}}}", str(value))
    return text


class Text:
    """A sentence to localize later, where the language is known (a problem in a list, a verdict):
    an English message id of the catalog and its ``mapping``."""

    def __init__(self, message: str, mapping: dict | None = None):
        self.template, self.mapping = message, mapping or {}

    def localized(self, lang: str = "vi") -> str:
        return translate(self.template, lang, self.mapping)

    @property
    def vi(self) -> str:
        return self.localized("vi")

    @property
    def en(self) -> str:
        return self.localized("en")

    def __str__(self) -> str:
        return self.localized("en")


class LocalizedError(ValueError):
    """A refusal from pure code (no DomainError yet): an English message id and its mapping, so the
    caller that knows the language says it (``localized(lang)``); ``str()`` is the English."""

    def __init__(self, message: str, mapping: dict | None = None):
        self.text = Text(message, mapping)
        self.template, self.mapping = self.text.template, self.text.mapping
        super().__init__(self.text.en)

    def localized(self, lang: str = "vi") -> str:
        return self.text.localized(lang)

    @property
    def vi(self) -> str:
        return self.text.vi

    @property
    def en(self) -> str:
        return self.text.en


def locale_negotiator(request) -> str:
    chosen = request.cookies.get("_LOCALE_") or request.params.get("_LOCALE_")
    if chosen in LOCALES:
        return chosen
    user = getattr(request, "user", None)
    if user is not None and user.locale in LOCALES:
        return user.locale
    return request.registry.settings.get("pyramid.default_locale_name", "vi")


def includeme(config):
    settings = config.get_settings()
    target = compile_catalogs(Path(settings["recordsys.data_dir"]) / "locale")
    config.add_translation_dirs(str(target))
    config.set_locale_negotiator(locale_negotiator)
    settings.setdefault("jinja2.i18n.domain", DOMAIN)
