"""Plain sentences for refusals and flags: English message ids of the catalog (recordsys/locale),
said in Vietnamese (default) or English by :func:`sentence`."""
from __future__ import annotations

from recordsys.i18n import translate
from recordsys.ingest.policy import Reason

#: code -> (message id, names of the reason's arguments in order)
MESSAGES = {
    "unreadable": ("The file cannot be read: ${reason}.", ('reason',)),
    "unsigned": ("The document has no digital signature.", ()),
    "signature_invalid": ("The signature of ${signer} is broken: the content was altered after signing.", ('signer',)),
    "signature_modified": ("The document was modified after ${signer} signed it.", ('signer',)),
    "signature_revoked": ("The certificate of ${signer} has been revoked.", ('signer',)),
    "signature_expired": ("The certificate of ${signer} has expired or is not yet valid.", ('signer',)),
    "signature_untrusted": ("The certificate of ${signer} does not chain to a trusted certification authority.", ('signer',)),
    "pdfa_not_declared": ("The file is not declared as PDF/A.", ()),
    "pdfa_failed": ("The file does not conform to PDF/A-${part}: ${count} rule(s) failed.", ('part', 'count')),
    "pdfa_error": ("The PDF/A check failed: ${reason}.", ('reason',)),
    "unsigned_internal_scan": ("Internal scan without a digital signature (allowed by the agency's settings).", ()),
    "must_convert_before_archiving": ("Must be converted to PDF/A before archiving.", ()),
}
LANGS = ("vi", "en")


def sentence(code: str, args=(), lang: str = "vi") -> str:
    message, names = MESSAGES[code]
    return translate(message, lang, dict(zip(names, args)))


def reason_text(reason: Reason, lang: str = "vi") -> str:
    return sentence(reason.code, reason.args, lang)
