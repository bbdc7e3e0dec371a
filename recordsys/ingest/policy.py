"""The acceptance policy for incoming files: a pure function of the verdicts and the agency's
settings. Accepted = at least one signature and every signature valid, and PDF/A-compliant;
an agency may allow unsigned internal scans and non-PDF/A files, which are then flagged."""
from __future__ import annotations

from dataclasses import dataclass

FLAG_UNSIGNED_SCAN = "unsigned_internal_scan"
FLAG_MUST_CONVERT = "must_convert_before_archiving"


@dataclass(frozen=True)
class AcceptancePolicy:
    allow_unsigned_internal: bool = False
    allow_non_pdfa: bool = False

    @classmethod
    def from_settings(cls, settings: dict | None) -> AcceptancePolicy:
        settings = settings or {}
        return cls(bool(settings.get("allow_unsigned_internal")), bool(settings.get("allow_non_pdfa")))


@dataclass(frozen=True)
class Reason:
    """Why a file was refused or flagged: a message code and its arguments (see messages.py)."""

    code: str
    args: tuple = ()


@dataclass(frozen=True)
class Decision:
    accepted: bool
    reasons: tuple[Reason, ...] = ()
    flags: tuple[str, ...] = ()


def decide(signature, pdfa, policy: AcceptancePolicy, direction: str = "incoming") -> Decision:
    """``signature`` is a SignatureVerdict, ``pdfa`` a PdfaVerdict (or None when not checked)."""
    if signature.status == "unreadable":
        return Decision(False, (Reason("unreadable", (signature.error or "",)),))
    reasons: list[Reason] = []
    flags: list[str] = []
    if signature.status == "unsigned":
        if policy.allow_unsigned_internal and direction == "internal":
            flags.append(FLAG_UNSIGNED_SCAN)
        else:
            reasons.append(Reason("unsigned"))
    for sig in signature.signatures:
        if sig.status != "valid":
            reasons.append(Reason(f"signature_{sig.status}", (sig.signer or "?",)))
    if pdfa is not None and not pdfa.compliant:
        if pdfa.error:
            args = ("pdfa_error", (pdfa.error,))
        elif pdfa.flavour is None:
            args = ("pdfa_not_declared", ())
        else:
            args = ("pdfa_failed", (pdfa.flavour, len(pdfa.failed_rules)))
        if policy.allow_non_pdfa:
            flags.append(FLAG_MUST_CONVERT)
        else:
            reasons.append(Reason(*args))
    return Decision(not reasons, tuple(reasons), tuple(flags))
