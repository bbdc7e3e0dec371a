"""`recordsys ingest`: check files before accepting them, register them, turn scans into PDF/A."""
from __future__ import annotations

import io
import json
import logging
import sys
import tempfile
from pathlib import Path

import click

from recordsys.cli.context import CommandError, echo_json, pass_env

DIRECTIONS = ("incoming", "outgoing", "internal")


def quiet_pyhanko() -> None:
    # pyHanko logs every failed path search with a traceback; the verdict already says it in words.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


def make_context(settings: dict, trust_roots=(), lang="vi", direction="incoming", policy=None):
    from recordsys.ingest.checker import CheckContext
    from recordsys.ingest.pdfa import VeraPdf
    from recordsys.ingest.policy import AcceptancePolicy
    from recordsys.ingest.signatures import configured_trust_roots

    try:  # metadata/trust/, the anchors added with `recordsys trust add`, and --trust-root
        roots = configured_trust_roots(settings, trust_roots)
    except (FileNotFoundError, ValueError) as exc:
        raise CommandError(f"Cannot load the trust roots: {exc}.", exit_code=2) from None
    verapdf = VeraPdf(settings["verapdf.home"])
    if not verapdf.available():
        raise CommandError(f"veraPDF is not installed in {settings['verapdf.home']}: run scripts/install-verapdf.")
    return CheckContext(trust_roots=roots, verapdf=verapdf, policy=policy or AcceptancePolicy(),
                        direction=direction, lang=lang,
                        allow_fetching=str(settings.get("ingest.allow_fetching", "false")).lower() == "true")


@click.group()
def ingest():
    """Intake of documents (tiếp nhận văn bản): check, register, scan."""
    quiet_pyhanko()


@ingest.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file per line.")
@click.option("--trust-root", "trust_roots", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra trust anchor (PEM/DER file or folder), besides metadata/trust/.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--direction", type=click.Choice(DIRECTIONS), default="incoming", show_default=True)
@pass_env
def check(env, files, as_json, trust_roots, lang, direction):
    """Check signatures and PDF/A of FILES; exit 0 when all are accepted, 1 when any is refused."""
    from recordsys.ingest.checker import check_files

    ctx = make_context(env.settings, trust_roots, lang, direction)
    refused = 0
    show_bar = not as_json and len(files) > 3
    with click.progressbar(length=len(files), label="Kiểm tra" if lang == "vi" else "Checking",
                           file=sys.stderr if show_bar else io.StringIO()) as bar:
        rows = []
        for verdict in check_files(files, ctx, progress=lambda _p: bar.update(1)):
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


def register_one(env, path: Path, org_code: str, direction: str, metadata: dict, trust_roots=(), lang="vi",
                 actor="cli"):
    """Check then register (or quarantine) one file; returns (RegistrationResult, FileVerdict)."""
    from recordsys.core.services import ValidationError, require_org
    from recordsys.ingest.checker import check_files
    from recordsys.ingest.policy import AcceptancePolicy
    from recordsys.ingest.registration import register_checked_file
    from recordsys.storage import storage_from_settings

    with env.transaction() as session:
        try:
            org = require_org(session, org_code)
        except ValidationError as exc:
            raise CommandError(str(exc)) from None
        policy = AcceptancePolicy.from_settings((org.settings or {}).get("ingest"))
    ctx = make_context(env.settings, trust_roots, lang, direction, policy)
    verdict = next(check_files([path], ctx))
    storage = storage_from_settings(env.settings)
    try:
        with env.transaction() as session:
            org = require_org(session, org_code)
            extracted = verdict.extracted.to_dict() if verdict.extracted else {}
            if verdict.accepted:
                from recordsys.ingest.extract import extract_text

                extracted["text"] = extract_text(path)
            result = register_checked_file(
                session, storage=storage, path=path, verdict=verdict.to_dict(), organization=org,
                direction=direction, actor=actor, metadata=metadata, flags=list(verdict.flags),
                extracted=extracted)
    except ValidationError as exc:
        raise CommandError(f"{exc.field}: {exc}") from None
    return result, verdict


@ingest.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_code", required=True, help="Organ code of the registering agency.")
@click.option("--direction", type=click.Choice(DIRECTIONS), required=True)
@click.option("--metadata", help='JSON object, e.g. {"subject": "…", "number_and_symbol": "15/QĐ-UBND"}.')
@click.option("--trust-root", "trust_roots", multiple=True, type=click.Path(exists=True, path_type=Path))
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_env
def register(env, file, org_code, direction, metadata, trust_roots, lang, as_json):
    """Check FILE, store it and register it with the next number (or quarantine it if refused)."""
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
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Also keep the PDF/A here.")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def scan(env, file, org_code, direction, metadata, lang, output, as_json):
    """OCR a scanned PDF or TIFF into a searchable PDF/A-2b (Vietnamese), then check and register it."""
    import shutil

    from recordsys.ingest.scan import ScanError, to_searchable_pdfa

    meta = _load_metadata(metadata)
    with tempfile.TemporaryDirectory(prefix="recordsys-scan-") as tmp:
        target = Path(tmp) / (file.stem + ".pdf")
        try:
            scanned = to_searchable_pdfa(file, target)
        except ScanError as exc:
            raise CommandError(str(exc)) from None
        for warning in scanned.warnings:
            click.echo(f"warning: {warning}", err=True)
        meta.setdefault("delivery_mode", "electronic_and_paper")
        if output:
            shutil.copyfile(target, output)
        result, _ = register_one(env, target, org_code, direction, meta, (), lang)
    _report_registration(result, as_json, lang)
