"""`recordsys ingest`: check files before accepting them, register them, turn scans into PDF/A."""
from __future__ import annotations

import io
import json
import sys
import tempfile
from pathlib import Path

import click

from recordsys.cli.context import echo_json, pass_env

DIRECTIONS = ("incoming", "outgoing", "internal")


def _checker(env):
    from recordsys.ingest.interfaces import IDocumentChecker

    return env.find_service(IDocumentChecker)


@click.group()
def ingest():
    """Intake of documents (tiếp nhận văn bản): check, register, scan."""


@ingest.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file per line.")
@click.option("--trust-root", "trust_roots", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra trust anchor (PEM/DER file or folder), besides metadata/trust/.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of this command's output (default: recordsys --lang, Vietnamese).")
@click.option("--direction", type=click.Choice(DIRECTIONS), default="incoming", show_default=True)
@pass_env
def check(env, files, as_json, trust_roots, lang, direction):
    """Check signatures and PDF/A of FILES; exit 0 when all are accepted, 1 when any is refused."""
    lang = lang or env.lang
    checker = _checker(env)
    refused = 0
    show_bar = not as_json and len(files) > 3
    with click.progressbar(length=len(files), label="Kiểm tra" if lang == "vi" else "Checking",
                           file=sys.stderr if show_bar else io.StringIO()) as bar:
        rows = []
        for verdict in checker.check(files, direction, lang, trust_roots=trust_roots,
                                     progress=lambda _p: bar.update(1)):
            refused += not verdict.accepted
            if as_json:
                echo_json(verdict.to_dict())
            else:
                rows.append(verdict)
    if not as_json:
        _print_table(rows, lang)
    sys.exit(1 if refused else 0)


def _print_table(rows, lang):
    accepted_word = ("TIẾP NHẬN", "TỪ CHỐI") if lang == "vi" else ("ACCEPTED", "REFUSED")
    for v in rows:
        pdfa = ("PDF/A-" + v.pdfa.flavour + (" ✓" if v.pdfa.compliant else " ✗")) if v.pdfa and v.pdfa.flavour else "-"
        click.echo(f"{accepted_word[0] if v.accepted else accepted_word[1]:<10} {v.signature.status:<10} "
                   f"{pdfa:<12} {v.file}")
        for sig in v.signature.signatures:
            click.echo(f"{'':<10} ✍ {sig.signer} ({sig.organization}) — {sig.status}")
        for reason in v.reasons:
            click.echo(f"{'':<10} • {reason}")


def _load_metadata(value: str | None) -> dict:
    if not value:
        return {}
    try:
        data = json.loads(value)
    except ValueError as exc:
        raise click.BadParameter(f"not valid JSON ({exc})", param_hint="--metadata") from None
    if not isinstance(data, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--metadata")
    return data


def _agency_signer(env, org_code: str):
    """The agency's signer from the workflow's signer provider (demo keys made on first use in the demo)."""
    return env.agency_signer(org_code)


def register_one(env, path: Path, org_code: str, direction: str, metadata: dict, trust_roots=(), lang="vi",
                 actor="cli"):
    """Check then register (or quarantine) one file; returns (RegistrationResult, FileVerdict)."""
    from recordsys.core.services import require_org
    from recordsys.ingest.policy import AcceptancePolicy
    from recordsys.ingest.registration import register_checked_file

    with env.transaction() as session:
        policy = AcceptancePolicy.from_settings((require_org(session, org_code).settings or {}).get("ingest"))
    [verdict] = _checker(env).check([path], direction, lang, policy, trust_roots)
    with env.transaction() as session:
        result = register_checked_file(
            session, storage=env.storage, path=path, verdict=verdict.to_dict(),
            organization=require_org(session, org_code), direction=direction, actor=actor, metadata=metadata,
            flags=list(verdict.flags), extracted=verdict.extracted.to_dict() if verdict.extracted else {})
    return result, verdict


@ingest.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_code", required=True, help="Organ code of the registering agency.")
@click.option("--direction", type=click.Choice(DIRECTIONS), required=True)
@click.option("--metadata", help='JSON object, e.g. {"subject": "…", "number_and_symbol": "15/QĐ-UBND"}.')
@click.option("--trust-root", "trust_roots", multiple=True, type=click.Path(exists=True, path_type=Path))
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of this command's output (default: recordsys --lang, Vietnamese).")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def register(env, file, org_code, direction, metadata, trust_roots, lang, as_json):
    """Check FILE, store it and register it with the next number (or quarantine it if refused)."""
    lang = lang or env.lang
    result, verdict = register_one(env, file, org_code, direction, _load_metadata(metadata), trust_roots, lang)
    _report_registration(result, as_json, lang)


def _report_registration(result, as_json, lang):
    if as_json:
        echo_json(result.to_dict())
    elif result.accepted:
        click.echo(str(result.number))
        click.echo(f"{'Đã đăng ký' if lang == 'vi' else 'Registered'}: {result.register} {result.year} "
                   f"số {result.number} ({result.organization}), document {result.document_id}", err=True)
    else:
        click.echo(("Từ chối, đã lưu cách ly" if lang == "vi" else "Refused and quarantined")
                   + f" (#{result.quarantine_id}):", err=True)
        for reason in result.reasons:
            click.echo(f"  • {reason}", err=True)
    if not result.accepted:
        sys.exit(1)


@ingest.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_code", required=True)
@click.option("--direction", type=click.Choice(DIRECTIONS), default="internal", show_default=True)
@click.option("--metadata")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of this command's output (default: recordsys --lang, Vietnamese).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Also keep the PDF/A here.")
@click.option("--kind", type=click.Choice(["document", "map", "drawing"]), default="document", show_default=True,
              help="The original: maps and drawings need 300 dpi, other paper 200 dpi (Circular 05/2025).")
@click.option("--sign/--no-sign", default=True, show_default=True,
              help="Sign the digitised record with the agency's key (Circular 05/2025; no seal image).")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def scan(env, file, org_code, direction, metadata, lang, output, kind, sign, as_json):
    """OCR a scanned PDF or TIFF into a searchable PDF/A-2b (Vietnamese), signed by the agency, then check
    and register it; a scan below the circular's resolution is refused."""
    lang = lang or env.lang
    import shutil

    from recordsys.errors import DomainError
    from recordsys.ingest.scan import to_searchable_pdfa
    from recordsys.workflow.signers import SigningError

    meta = _load_metadata(metadata)
    signer = _agency_signer(env, org_code) if sign else None
    with tempfile.TemporaryDirectory(prefix="recordsys-scan-") as tmp:
        target = Path(tmp) / (file.stem + ".pdf")
        try:
            scanned = to_searchable_pdfa(file, target, kind=kind, signer=signer)
        except SigningError as exc:
            raise DomainError(exc.template, mapping=exc.mapping, code="signing", exit_code=2) from None
        for warning in scanned.warnings:
            click.echo(f"warning: {warning}", err=True)
        meta.setdefault("delivery_mode", "electronic_and_paper")
        meta.setdefault("confidence_level", "02")  # digitised (Circular 05/2025 confidenceLevel)
        if output:
            shutil.copyfile(target, output)
        result, _ = register_one(env, target, org_code, direction, meta, (), lang)
    _report_registration(result, as_json, lang)
