"""The intake check as a service: signature (pyHanko) and PDF/A (veraPDF) verdicts."""
from __future__ import annotations

from zope.interface import Interface


class IDocumentChecker(Interface):
    """Checks files before they are accepted; found with ``find_service(IDocumentChecker)``."""

    def context(direction="incoming", lang="vi", policy=None, trust_roots=()):
        """The ``CheckContext`` a verdict depends on (trust roots, veraPDF, policy, language)."""

    def check(paths, direction="incoming", lang="vi", policy=None, trust_roots=(), progress=None):
        """Verdicts for ``paths``, in order (an iterator of ``FileVerdict``)."""
