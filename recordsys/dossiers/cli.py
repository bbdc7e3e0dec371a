"""`recordsys dossier`: open, build, describe, close, export, hand over, dispose."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from recordsys.cli.context import CommandError, echo_json, pass_env
from recordsys.i18n import translate


def _run(env, fn, dossier_id=None, attempted="", actor="cli"):
    """Run ``fn(session)`` in a transaction; a refused change to a closed dossier is audited."""
    from recordsys.dossiers.services import DossierClosed, DossierError, record_refusal

    try:
        with env.transaction() as session:
            return fn(session)
    except DossierClosed as exc:
        with env.transaction() as session:
            record_refusal(session, dossier_id, actor, attempted, str(exc))
        raise CommandError("${error}", mapping={"error": exc}) from None
    except DossierError as exc:
        details = "".join(f"\n  - {p if isinstance(p, str) else p.localized(env.lang)}" for p in exc.problems)
        raise CommandError("${error}${details}", mapping={"error": exc, "details": details}) from None


@click.group()
def dossier():
    """Dossiers (hồ sơ)."""


@dossier.command()
@click.option("--org", "org_code", required=True)
@click.option("--year", type=int, default=lambda: dt.date.today().year, show_default="this year")
@click.option("--plan-code", required=True, help="Dossier number and symbol in the plan, e.g. 01.TCCB.")
@click.option("--title", required=True)
@click.option("--retention", required=True, help="vinh_vien, 70, 50, 30, 20, 15, 10, 5, 2 or het_hieu_luc.")
@pass_env
def create(env, org_code, year, plan_code, title, retention):
    """Open a dossier from the year's plan; prints its id."""
    from recordsys.core.services import require_org
    from recordsys.dossiers.building import open_dossier

    def work(session):
        made = open_dossier(session, organization=require_org(session, org_code), year=year, plan_code=plan_code,
                            title=title, retention=retention, actor="cli")
        return made.id, made.archival_code

    dossier_id, code = _run(env, work)
    click.echo(dossier_id)
    click.echo(translate("Opened ${code}.", env.lang, {"code": code}), err=True)


@dossier.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_code", help="The agency (default: read from the file's FileCode or OrganId).")
@click.option("--with-documents", is_flag=True,
              help="Link the file's documents (VanBan) to registered documents with the same number and notation.")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def import_xml(env, file, org_code, with_documents, as_json):
    """Create a dossier from a Circular 02/2019 XML export (HoSo); prints its id."""
    from recordsys.dossiers.importing import import_dossier, parse_xml

    imported = parse_xml(file.read_bytes())

    def work(session):
        made, not_found = import_dossier(session, imported, actor="cli", org_code=org_code,
                                         with_documents=with_documents)
        return made.id, made.archival_code, not_found

    dossier_id, code, not_found = _run(env, work)
    if as_json:
        echo_json({"id": dossier_id, "archival_code": code, "source_code": imported.fields.get("FileCode"),
                   "documents_not_found": not_found})
        return
    click.echo(dossier_id)
    click.echo(translate("Imported ${old} as ${code}.", env.lang, {"old": imported.fields.get("FileCode"), "code": code}), err=True)
    for reference in not_found:
        click.echo(f"warning: document {reference} not found; not linked", err=True)


@dossier.command()
@click.argument("dossier_id", type=int)
@click.argument("document_ids", type=int, nargs=-1, required=True)
@pass_env
def add(env, dossier_id, document_ids):
    """Attach registered documents, in this order."""
    from recordsys.dossiers.building import add_documents
    from recordsys.dossiers.services import get

    ordinals = _run(env, lambda s: add_documents(s, get(s, dossier_id), list(document_ids), "cli"),
                    dossier_id, "add")
    click.echo(translate("Added as ${items}.", env.lang, {"items": ', '.join(map(str, ordinals))}))


@dossier.command()
@click.argument("dossier_id", type=int)
@click.option("--set", "pairs", multiple=True, metavar="ELEMENT=VALUE",
              help="e.g. --set maintenance=02 --set keyword='đất đai; quy hoạch' --set language=01,02 "
                   "(Circular 05/2025 element names), or --set Keyword='đất đai' (Circular 02/2019 ones)")
@pass_env
def describe(env, dossier_id, pairs):
    """Set metadata fields: Circular 05/2025 elements (those of the web form: title, maintenance, mode,
    language, keyword, numberOfPaper, format, inforSign, paperFileCode, description) or, for the
    older export, Circular 02/2019 ones; each invalid field is named with its rule, nothing is saved."""
    from recordsys.dossiers.building import set_circular05_fields, set_fields
    from recordsys.dossiers.circular05 import EDITABLE
    from recordsys.dossiers.services import get

    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not ELEMENT=VALUE", param_hint="--set")
        values[key.strip()] = value.split(",") if key.strip() == "language" else value
    circular05 = {k: v for k, v in values.items() if k in EDITABLE}
    circular02 = {k: v for k, v in values.items() if k not in EDITABLE}

    def describe_both(session):
        dossier = get(session, dossier_id)
        if circular05:
            set_circular05_fields(session, dossier, circular05, "cli")
        if circular02 or not circular05:
            set_fields(session, dossier, circular02, "cli")

    _run(env, describe_both, dossier_id, "describe")
    click.echo(translate("Saved.", env.lang))


@dossier.command()
@click.argument("dossier_id", type=int)
@click.argument("document_id", type=int)
@click.option("--reason", required=True)
@pass_env
def waive(env, dossier_id, document_id, reason):
    """Accept a document that is not archival-ready, with a written reason."""
    from recordsys.dossiers.building import waive as waive_document
    from recordsys.dossiers.services import get

    _run(env, lambda s: waive_document(s, get(s, dossier_id), document_id, reason, "cli"), dossier_id, "waive")
    click.echo(translate("Waived.", env.lang))


@dossier.command()
@click.argument("dossier_id", type=int)
@pass_env
def close(env, dossier_id):
    """Close the dossier (exit 1 listing every missing or invalid field)."""
    from recordsys.dossiers.building import close as close_dossier
    from recordsys.dossiers.services import get

    _run(env, lambda s: close_dossier(s, get(s, dossier_id), "cli"), dossier_id, "close")
    click.echo(translate("Closed.", env.lang))


@dossier.command()
@click.argument("dossier_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["xml", "json", "sip", "sip-zip"]), default="xml",
              show_default=True,
              help="xml: Circular 02/2019 fields; json: Circular 05/2025 fields; sip / sip-zip: the E-ARK "
                   "CSIP 2.0.4 submission package of Circular 05/2025 as a folder or a zip.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the metadata and the files here (default: metadata to standard output; "
                   "required for sip and sip-zip).")
@pass_env
def export(env, dossier_id, fmt, out_dir):
    """Export a dossier: its metadata (XML with the Circular 02 fields, JSON with the Circular 05
    fields) with its files, or its SIP (gói nộp) following Circular 05 and E-ARK CSIP 2.0.4."""
    from recordsys.core import audit
    from recordsys.dossiers.circular05 import Circular05Error
    from recordsys.dossiers.export import export_files, export_json, export_sip, export_xml
    from recordsys.dossiers.services import get

    if fmt in ("sip", "sip-zip") and out_dir is None:
        raise click.UsageError("--out is required for --format sip and sip-zip.")

    def work(session):
        found = get(session, dossier_id)
        try:
            if fmt in ("sip", "sip-zip"):
                written = export_sip(session, found, env.storage, out_dir, zipped=fmt == "sip-zip")
                audit.record(session, actor="cli", action="dossier.export", object_type="dossier",
                             object_id=found.id, organization_code=found.organization.code,
                             payload={"format": fmt, "path": str(written), "code": found.archival_code})
                return written, None
            data = export_xml(found) if fmt == "xml" else export_json(found, session=session)
        except Circular05Error as exc:
            raise DossierError("The dossier does not fit Circular 05/2025.", exc.problems) from None
        except FileExistsError as exc:
            raise DossierError("${error}", mapping={"error": exc}) from None
        if out_dir is None:
            return data, None
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"ho-so.{fmt}").write_bytes(data)
        files = export_files(found, env.storage, out_dir / "van-ban")
        return data, files

    from recordsys.dossiers.services import DossierError

    data, files = _run(env, work)
    if fmt in ("sip", "sip-zip"):
        click.echo(data)
    elif files is None:
        sys.stdout.buffer.write(data)
    else:
        click.echo(translate("Wrote ${value} and ${n_files} file(s).", env.lang, {"value": out_dir / ('ho-so.' + fmt), "n_files": len(files)}))


@dossier.command()
@click.option("--org", "org_code", required=True)
@click.argument("dossier_ids", type=int, nargs=-1, required=True)
@pass_env
def transfer(env, org_code, dossier_ids):
    """Hand closed dossiers over to the archive (nộp lưu); prints the batch id."""
    import tempfile

    from recordsys.core.services import require_org
    from recordsys.dossiers.transfer import create_transfer

    with tempfile.TemporaryDirectory() as tmp:
        batch_id = _run(env, lambda s: create_transfer(s, require_org(s, org_code), list(dossier_ids), "cli",
                                                       env.storage, Path(tmp)).id)
    click.echo(batch_id)


@dossier.command()
@click.argument("batch_id", type=int)
@pass_env
def accept(env, batch_id):
    """The archive accepts a hand-over: archival packages are built in every storage location."""
    from recordsys.dossiers.models import TransferBatch
    from recordsys.dossiers.services import DossierError
    from recordsys.dossiers.transfer import accept_transfer
    from recordsys.preservation.bagging import PreservationError

    def work(session):
        batch = session.get(TransferBatch, batch_id)
        if batch is None:
            raise DossierError("No transfer batch ${batch_id}.", mapping={"batch_id": batch_id})
        try:
            return accept_transfer(session, env.settings, batch, "cli", env.storage)
        except PreservationError as exc:
            raise DossierError("${error}", mapping={"error": exc}) from None

    packages = _run(env, work)
    click.echo(translate("Accepted: packages ${items}.", env.lang, {"items": ', '.join(map(str, packages))}))


@dossier.command("list")
@click.option("--org", "org_code")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def list_dossiers(env, org_code, as_json):
    """Dossiers with their codes, status and due dates."""
    from recordsys.core.services import require_org
    from recordsys.dossiers.services import dossier_row
    from recordsys.dossiers.services import list_dossiers as dossiers_of

    with env.transaction() as session:
        org_ids = {require_org(session, org_code).id} if org_code else None
        rows = [dossier_row(found) for found in dossiers_of(session, organization_ids=org_ids)]
    for row in rows:
        if as_json:
            echo_json(row)
        else:
            click.echo(f"{row['id']:>5} {row['archival_code']:<28} {row['status']:<11} {row['title'][:70]}")


@dossier.command("sign-handover")
@click.argument("batch_id", type=int)
@click.option("--side", type=click.Choice(["giver", "receiver"]), required=True)
@click.option("--key", "key_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--cert", "cert_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--chain", "chain", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Intermediate and root certificates to embed.")
@pass_env
def sign_handover(env, batch_id, side, key_path, cert_path, chain):
    """Sign the hand-over record as the giving or the receiving side (PAdES, pyHanko)."""
    from pyhanko.sign import signers

    from recordsys.dossiers.transfer import sign_handover as sign

    signer = signers.SimpleSigner.load(key_path, cert_path, ca_chain_files=list(chain))
    if signer is None:
        raise CommandError("The key or certificate could not be read.")
    click.echo(_run(env, lambda session: sign(session, env.storage, batch_id, side, signer, "cli")))


@dossier.command()
@click.argument("dossier_id", type=int)
@click.argument("document_ids", type=int, nargs=-1, required=True)
@pass_env
def reorder(env, dossier_id, document_ids):
    """Put the dossier's documents in this order (every document, once)."""
    from recordsys.dossiers.building import reorder as reorder_documents
    from recordsys.dossiers.services import get

    _run(env, lambda s: reorder_documents(s, get(s, dossier_id), list(document_ids), "cli"), dossier_id, "reorder")
    click.echo(translate("Reordered.", env.lang))


@dossier.command()
@click.argument("dossier_id", type=int)
@click.option("--reason", help="Why disposition is blocked (omit to release the hold).")
@pass_env
def hold(env, dossier_id, reason):
    """Put a legal hold on a dossier (blocks disposition), or release it."""
    from recordsys.dossiers.building import set_legal_hold
    from recordsys.dossiers.services import get

    _run(env, lambda s: set_legal_hold(s, get(s, dossier_id), reason, "cli"))
    click.echo(translate("Held." if reason else "Released.", env.lang))


@dossier.group()
def disposition():
    """Disposition lists (danh mục tài liệu hết giá trị): propose, appraise, approve, destroy."""


@disposition.command()
@click.option("--org", "org_code", required=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Reference date (default: today).")
@pass_env
def propose(env, org_code, today):
    """List the agency's expired dossiers (never permanent ones, never those on legal hold)."""
    from recordsys.core.services import require_org
    from recordsys.dossiers.disposition import propose_disposition

    when = today.date() if today else dt.date.today()
    batch_id, ids = _run(env, lambda s: (lambda b: (b.id, list(b.dossier_ids)))(
        propose_disposition(s, require_org(s, org_code), when, "cli")))
    click.echo(batch_id)
    click.echo(translate("Dossiers listed: ${items}", env.lang, {"items": ', '.join(map(str, ids))}), err=True)


@disposition.command()
@click.argument("batch_id", type=int)
@click.argument("action", type=click.Choice(["appraise", "approve", "reject", "destroy", "cancel"]))
@click.option("--as", "username", required=True, help="Who acts (their roles in the agency decide).")
@click.option("--note", default="")
@pass_env
def step(env, batch_id, action, username, note):
    """Move a disposition list one step (council appraisal, head's approval, destruction)."""
    from sqlalchemy import select

    from recordsys.core.models import User
    from recordsys.dossiers.disposition import disposition_action
    from recordsys.dossiers.models import DispositionBatch
    from recordsys.dossiers.services import DossierError

    def work(session):
        batch = session.get(DispositionBatch, batch_id)
        user = session.scalar(select(User).where(User.username == username.lower()))
        if batch is None or user is None:
            raise DossierError("No disposition list ${batch_id} or no user ${username}.", mapping={"batch_id": batch_id, "username": f"{username!r}"})
        roles = {a.role.value for a in user.roles if a.organization_id == batch.organization_id}
        return disposition_action(session, batch, action, roles, user.username, note)

    click.echo(_run(env, work))


@dossier.group("plan")
def plan_group():
    """The annual dossier plan (danh mục hồ sơ)."""


@plan_group.command("add")
@click.option("--org", "org_code", required=True)
@click.option("--year", type=int, default=lambda: dt.date.today().year, show_default="this year")
@click.option("--code", required=True, help="Dossier number and symbol, e.g. 01.TCCB.")
@click.option("--title", required=True)
@click.option("--retention", required=True)
@click.option("--unit", help="Responsible unit.")
@click.option("--person", help="Responsible person.")
@pass_env
def plan_add(env, org_code, year, code, title, retention, unit, person):
    """Add a line to the year's plan."""
    from recordsys.core.services import require_org
    from recordsys.dossiers.building import add_plan_entry

    _run(env, lambda s: add_plan_entry(s, organization=require_org(s, org_code), year=year, code=code, title=title,
                                       retention=retention, actor="cli", responsible_unit=unit,
                                       responsible_person=person).id)
    click.echo(translate("Added.", env.lang))


@plan_group.command("list")
@click.option("--org", "org_code", required=True)
@click.option("--year", type=int, default=lambda: dt.date.today().year, show_default="this year")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def plan_list(env, org_code, year, as_json):
    """The year's plan, with the dossier opened from each line."""
    from recordsys.core.services import require_org
    from recordsys.dossiers.building import plan

    def work(session):
        return [{"code": e.code, "title": e.title, "retention": e.retention, "unit": e.responsible_unit,
                 "person": e.responsible_person, "dossier": d.id if d else None}
                for e, d in plan(session, require_org(session, org_code), year)]

    for row in _run(env, work):
        if as_json:
            echo_json(row)
        else:
            click.echo(f"{row['code']:<14} {row['retention']:<10} {'#' + str(row['dossier']) if row['dossier'] else '-':<6} "
                       f"{row['title']}")


@dossier.command("find")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def find(env, code, as_json):
    """The dossier that has, or had, the archival code CODE (a code under an agency since merged,
    or a Circular 02/2019 code): its id, its current code and agency, and its former codes."""
    from sqlalchemy import select

    from recordsys.dossiers import services
    from recordsys.dossiers.models import AlternativeIdentifier
    from recordsys.dossiers.services import find_by_code

    def work(session):
        found, scheme = find_by_code(session, code)
        former = [{"scheme": a.scheme, "code": a.value} for a in session.scalars(select(AlternativeIdentifier).where(
            AlternativeIdentifier.kind == "dossier", AlternativeIdentifier.object_id == found.id)
            .order_by(AlternativeIdentifier.id))]
        return {**services.dossier_row(found), "found_by": scheme or "archival_code", "former_codes": former}

    row = _run(env, work)
    if as_json:
        echo_json(row)
    else:
        click.echo(f"{row['id']} {row['archival_code']} ({row['organization']}) {row['title']}")
        for former in row["former_codes"]:
            click.echo(f"  {former['scheme']}: {former['code']}")


@dossier.command("fonds")
@click.option("--org", "org_code", required=True)
@click.option("--json", "as_json", is_flag=True)
@pass_env
def fonds_show(env, org_code, as_json):
    """The agency's fonds (phông) with the Circular 05/2025 fields, its status and successor."""
    from sqlalchemy import func, select

    from recordsys.core.services import require_org
    from recordsys.dossiers.fonds import ensure_fonds, fonds_values
    from recordsys.dossiers.models import Dossier

    def work(session):
        org = require_org(session, org_code)
        found = ensure_fonds(session, org)
        total, first, last = session.execute(select(func.count(Dossier.id), func.min(Dossier.year),
                                                    func.max(Dossier.year))
                                             .where(Dossier.organization_id == org.id)).one()
        row = fonds_values(found, total, (first, last) if total else None)
        row["successor"] = found.successor.code if found.successor else None
        row["successorOrganization"] = found.successor.organization.code if found.successor else None
        return row

    row = _run(env, work)
    if as_json:
        echo_json(row)
    else:
        for key, value in row.items():
            click.echo(f"{key:<22} {value if value is not None else '-'}")
