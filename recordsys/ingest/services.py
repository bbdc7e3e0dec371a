"""The intake check service: trust roots, veraPDF and the acceptance policy put together once."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

from zope.interface import implementer

from recordsys.config import as_bool
from recordsys.errors import DomainError
from recordsys.ingest.checker import CheckContext, FileVerdict, check_files
from recordsys.ingest.interfaces import IDocumentChecker
from recordsys.ingest.pdfa import VeraPdf, VeraPdfMissing
from recordsys.ingest.policy import AcceptancePolicy
from recordsys.ingest.signatures import configured_trust_roots


def quiet_pyhanko() -> None:
    """pyHanko logs every failed path search with a traceback; the verdict already says it in words."""
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


@implementer(IDocumentChecker)
class DocumentChecker:
    """The configured check: trust anchors (``metadata/trust/`` and those added with ``recordsys trust
    add``), veraPDF from ``verapdf.home``."""

    def __init__(self, settings: dict):
        self.settings = settings  # the registry's settings, read at each check

    @property
    def verapdf_home(self) -> str:
        return self.settings["verapdf.home"]

    @property
    def allow_fetching(self) -> bool:
        return as_bool(self.settings.get("ingest.allow_fetching", "false"))

    def context(self, direction: str = "incoming", lang: str = "vi", policy: AcceptancePolicy | None = None,
                trust_roots: Iterable = ()) -> CheckContext:
        quiet_pyhanko()
        try:  # metadata/trust/, the anchors added with `recordsys trust add`, and extra ones given here
            roots = configured_trust_roots(self.settings, trust_roots)
        except (FileNotFoundError, ValueError) as exc:
            raise DomainError("Cannot load the trust roots: ${exc}.", mapping={"exc": exc},
                              code="trust-roots", field="trust_root", exit_code=2) from None
        verapdf = VeraPdf(self.verapdf_home)
        if not verapdf.available():
            raise VeraPdfMissing("veraPDF is not installed in ${home}: run scripts/install-verapdf.",
                                 mapping={"home": self.verapdf_home})
        return CheckContext(trust_roots=roots, verapdf=verapdf, policy=policy or AcceptancePolicy(),
                            direction=direction, lang=lang, allow_fetching=self.allow_fetching)

    def check(self, paths: Iterable, direction: str = "incoming", lang: str = "vi",
              policy: AcceptancePolicy | None = None, trust_roots: Iterable = (),
              progress: Callable | None = None) -> Iterator[FileVerdict]:
        return check_files(paths, self.context(direction, lang, policy, trust_roots), progress=progress)
