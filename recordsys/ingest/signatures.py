"""Digital signature verdicts with pyHanko, offline by default.

Each signature is checked for integrity (digest over its byte range), cryptographic validity,
trust (a chain to the configured anchors), certificate validity, revocation (from the CRLs and
OCSP responses embedded in the document security store ``/DSS`` and in the signature itself), and
what changed after it (pyHanko's difference analysis). The file's status is the worst of its
signatures' statuses, or ``unsigned`` / ``unreadable``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509

#: worst first: the file's status is the first one any of its signatures has
STATUS_ORDER = ("invalid", "modified", "revoked", "expired", "untrusted", "valid")
FILE_STATUSES = ("unreadable", "unsigned") + STATUS_ORDER
_EXPIRED = {"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "NOT_YET_VALID"}
_REVOKED = {"REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"}
_ALLOWED_AFTER_SIGNING = {"NONE", "LTA_UPDATES", "FORM_FILLING"}


@dataclass(frozen=True)
class SignatureInfo:
    field: str
    signer: str | None
    organization: str | None
    signing_time: str | None
    issuer: str | None
    serial: str | None
    intact: bool
    trusted: bool
    status: str
    coverage: str | None
    modification_level: str | None
    problem: str | None = None

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in (
            "signer", "organization", "signing_time", "issuer", "serial", "intact", "trusted", "status",
            "coverage", "modification_level", "field", "problem")}


@dataclass(frozen=True)
class SignatureVerdict:
    status: str
    signatures: tuple[SignatureInfo, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict:
        out = {"status": self.status, "signatures": [s.to_dict() for s in self.signatures]}
        if self.error:
            out["error"] = self.error
        return out


def load_trust_roots(paths) -> list[asn1_x509.Certificate]:
    """Certificates from PEM/DER files, or from every ``*.pem``/``*.crt``/``*.cer``/``*.der`` in
    folders. (asn1crypto only: cheap, so veraPDF can start before pyHanko is imported.)"""
    from asn1crypto import pem

    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in (".pem", ".crt", ".cer", ".der"))
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"trust root {path} does not exist")
    certs = []
    for file in files:
        data = file.read_bytes()
        blobs = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        for der in blobs:
            try:
                certs.append(asn1_x509.Certificate.load(der))
                _ = certs[-1].native  # parse now: a broken file fails here, with its name
            except ValueError as exc:
                raise ValueError(f"{file} is not a certificate ({exc})") from None
    return certs


def trust_anchor_folders(settings: dict) -> list[Path]:
    """Where the trust anchors live: ``metadata/trust/`` (shipped with the code) and
    ``DATA_DIR/trust/`` (added by ``recordsys trust add``, kept out of the repository)."""
    return [Path(settings["recordsys.metadata_dir"]) / "trust", Path(settings["recordsys.data_dir"]) / "trust"]


def configured_trust_roots(settings: dict, extra=()) -> list[asn1_x509.Certificate]:
    """Every configured anchor (both folders, those that exist) plus ``extra`` files or folders."""
    return load_trust_roots([*(p for p in trust_anchor_folders(settings) if p.is_dir()), *extra])


def _name_attr(name: asn1_x509.Name, attr: str) -> str | None:
    value = name.native.get(attr)
    if isinstance(value, list):
        value = value[-1]
    return value


def _signature_status(status) -> tuple[str, str | None]:
    indic = status.trust_problem_indic.name if status.trust_problem_indic else None
    if not (status.intact and status.valid):
        return "invalid", "the signed content or the signature value does not match: the file was altered"
    level = status.modification_level.name if status.modification_level else None
    if not status.docmdp_ok or (level and level not in _ALLOWED_AFTER_SIGNING):
        return "modified", f"the document was changed after this signature ({level or 'DocMDP violation'})"
    if status.revoked or indic in _REVOKED:
        return "revoked", "the signer's certificate is revoked"
    if indic in _EXPIRED:
        return "expired", "the signer's certificate was not valid at the time of validation"
    if not status.trusted:
        return "untrusted", f"no chain to a trusted root ({indic or 'unknown issuer'})"
    return "valid", None


def strict_diff_policy():
    """pyHanko's default difference policy, except that an appearance stream may not be overwritten in
    place (a new stream is needed, as pyHanko itself and our issue step write them). pyHanko 0.38's
    in-place rule offers every existing appearance stream of a field for approval whenever a later
    revision touches the form (it compares the stream's last change with the signed revision, not
    with the new one), and an offered stream of a field locked by FieldMDP (the seal locks the number
    and date) then makes any later signature, such as a certified copy's, "modified". Refusing
    in-place overwrites is stricter and removes that false alarm. It is only asked when the default
    policy finds a modification (see ``_validate_signature``): what real signing tools write and the
    default policy accepts stays accepted."""
    from pyhanko.sign.diff_analysis import (
        DEFAULT_DIFF_POLICY,
        FormUpdatingRule,
        GenericFieldModificationRule,
        SigFieldCreationRule,
        SigFieldModificationRule,
        StandardDiffPolicy,
    )

    return StandardDiffPolicy(global_rules=DEFAULT_DIFF_POLICY.global_rules, form_rule=FormUpdatingRule(field_rules=[
        SigFieldCreationRule(), SigFieldModificationRule(),
        GenericFieldModificationRule(allow_in_place_appearance_stream_changes=False)]))


def _validate_signature(sig, vc):
    """The default policy's status, unless it reports a modification that the stricter policy (a subset
    of what the default allows) does not: then pyHanko's false alarm on locked appearance streams."""
    from pyhanko.sign.validation import validate_pdf_signature

    status = validate_pdf_signature(sig, vc)
    if _signature_status(status)[0] != "modified":
        return status
    strict = validate_pdf_signature(sig, vc, diff_policy=strict_diff_policy())
    return strict if _signature_status(strict)[0] != "modified" else status


def _field_name(sig) -> str:
    try:
        return sig.field_name
    except Exception:
        return ""


def validate(data: bytes, trust_roots: list, now: dt.datetime | None = None,
             allow_fetching: bool = False) -> SignatureVerdict:
    """Validate every signature of a PDF given as bytes; never raises for a bad file."""
    import io

    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            return SignatureVerdict("unreadable", error="the PDF is encrypted")
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
        return SignatureVerdict("unreadable", error=f"not a readable PDF: {exc}")
    except Exception as exc:
        return SignatureVerdict("unreadable", error=f"not a readable PDF: {type(exc).__name__} {exc}".strip())
    if not embedded:
        return SignatureVerdict("unsigned")
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:
        dss = None
    vc_kwargs = {"trust_roots": trust_roots, "allow_fetching": allow_fetching, "revocation_mode": "soft-fail",
                 "moment": now}
    infos = []
    for sig in embedded:
        from pyhanko_certvalidator import ValidationContext

        try:
            vc = dss.as_validation_context(vc_kwargs) if dss else ValidationContext(**vc_kwargs)
            cert = sig.signer_cert
            signing_time = sig.self_reported_timestamp
            names = (_name_attr(cert.subject, "common_name"), _name_attr(cert.subject, "organization_name"),
                     _name_attr(cert.issuer, "common_name"), format(cert.serial_number, "x"))
        except Exception as exc:
            infos.append(SignatureInfo(
                field=_field_name(sig), signer=None, organization=None, signing_time=None, issuer=None,
                serial=None, intact=False, trusted=False, status="invalid", coverage=None,
                modification_level=None, problem=f"cannot be read: {type(exc).__name__} {exc}".strip()))
            continue
        try:
            status = _validate_signature(sig, vc)
            verdict, problem = _signature_status(status)
            coverage = status.coverage.name if status.coverage else None
            level = status.modification_level.name if status.modification_level else None
            intact, trusted = bool(status.intact and status.valid), bool(status.trusted)
        except Exception as exc:
            verdict, problem, coverage, level, intact, trusted = "invalid", f"cannot be validated: {exc}", None, None, False, False
        infos.append(SignatureInfo(
            field=_field_name(sig), signer=names[0], organization=names[1],
            signing_time=signing_time.isoformat() if signing_time else None, issuer=names[2], serial=names[3],
            intact=intact, trusted=trusted, status=verdict, coverage=coverage, modification_level=level,
            problem=problem,
        ))
    worst = min((i.status for i in infos), key=STATUS_ORDER.index)
    return SignatureVerdict(worst, tuple(infos))
