"""One base for every error a user may see, mapped once to each surface.

A :class:`DomainError` carries a ``code`` (stable, for programs), a message in English and in
Vietnamese, and the ``field`` it is about when an input is at fault. It is mapped in one place to
each surface: problem+json under ``/api/`` (``recordsys.api.problems``), an error page or form
errors on the web, and an exit status on the command line (``recordsys.cli``).
"""
from __future__ import annotations


class DomainError(Exception):
    """A failure to report as one sentence that says what to do next.

    ``message`` is an English message id of the gettext catalog (``recordsys/locale``), with
    ``${name}`` placeholders filled from ``mapping`` (a value that has ``localized(lang)``, such as
    another DomainError, is itself localized). The Vietnamese lives in the catalog only.
    """

    code = "error"
    http_status = 422
    exit_code = 1

    def __init__(self, message: str, *, field: str | None = None,
                 code: str | None = None, exit_code: int | None = None, http_status: int | None = None,
                 mapping: dict | None = None):
        self.template, self.mapping = message, mapping or {}
        self.message = self.localized("en")
        super().__init__(self.message)
        self.field = field
        if code is not None:
            self.code = code
        if exit_code is not None:
            self.exit_code = exit_code
        if http_status is not None:
            self.http_status = http_status

    def localized(self, lang: str = "vi") -> str:
        from recordsys.i18n import translate

        return translate(self.template, lang, self.mapping)

    def to_problem(self, lang: str = "vi") -> dict:
        """The fields of an RFC 9457 problem (without status and title)."""
        body = {"code": self.code, "detail": self.localized(lang)}
        if self.field:
            body["field"] = self.field
        return body


class ComponentMissing(DomainError):
    """A required external component (veraPDF, OCR, the search node) is not available."""

    code = "component-missing"
    http_status = 503
    exit_code = 2
