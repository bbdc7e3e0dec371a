"""`recordsys preservation`: archival packages, fixity audits, bag validation."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from recordsys.cli.context import CommandError, echo_json, pass_env
from recordsys.i18n import translate
from recordsys.preservation.eark.cli import validate_package_command


@click.group()
def preservation():
    """Archival packages (gói lưu trữ), copies and fixity (kiểm tra toàn vẹn)."""


@preservation.command("verify-bag")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--processes", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Files hashed at the same time.")
def verify_bag(path, as_json, processes):
    """Validate a BagIt bag: completeness and every checksum. Exit 0 valid, 1 invalid."""
    from recordsys.preservation.bagcheck import verify_bag as verify

    if sys.stderr.isatty() and not as_json:  # a progress bar for people, nothing for scripts
        total = sum(f.stat().st_size for f in (path / "data").rglob("*") if f.is_file() and not f.is_symlink())
        with click.progressbar(length=total, label="Hashing", file=sys.stderr) as bar:
            report = verify(path, processes, progress=bar.update)
    else:
        report = verify(path, processes)
    if as_json:
        echo_json(report.to_dict())
    else:
        state = "VALID" if report.valid else "INVALID"
        click.echo(f"{state}: {path} ({report.files} files, {report.bytes} bytes)")
        for error in report.errors:
            click.echo(f"  error: {error}")
        for warning in report.warnings:
            click.echo(f"  warning: {warning}")
    sys.exit(0 if report.valid else 1)


@preservation.command()
@click.option("--all", "everything", is_flag=True, help="Every copy, due or not.")
@click.option("--due", is_flag=True, help="Only copies whose check is due (the default).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per copy checked.")
@click.option("--processes", default=2, show_default=True, type=click.IntRange(1, 64))
@pass_env
def audit(env, everything, due, as_json, processes):
    """Re-hash stored copies, record every check, repair damaged copies from a good one.
    Exit 1 when any copy was damaged."""
    from recordsys.preservation.bagging import PreservationError
    from recordsys.preservation.services import audit_copies

    if everything and due:
        raise click.UsageError("--all and --due exclude each other.")

    def show(result):
        if as_json:
            echo_json({"package": result.package, "location": result.location, "ok": result.ok,
                       "problems": result.problems, "repaired": result.repaired})
        else:
            state = "OK" if result.ok else ("REPAIRED" if result.repaired else "DAMAGED")
            click.echo(f"{state:<9} {result.location:<12} {result.package}")
            for problem in result.problems:
                click.echo(f"          • {problem}")

    try:
        results = audit_copies(env.session_factory, env.settings, everything=everything, actor="cli",
                               processes=processes, progress=show)
    except PreservationError as exc:
        raise CommandError("${error}", mapping={"error": exc}) from None
    if not as_json:
        click.echo(f"{len(results)} copies checked, {sum(not r.ok for r in results)} damaged, "
                   f"{sum(r.repaired for r in results)} repaired.", err=True)
    sys.exit(1 if any(not r.ok for r in results) else 0)


@preservation.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def list_packages(env, as_json):
    """Packages with their copies and next checks."""
    from sqlalchemy import select

    from recordsys.preservation.models import Package

    with env.transaction() as session:
        for package in session.scalars(select(Package).order_by(Package.id)):
            row = {"id": package.id, "name": package.name, "identifier": package.external_identifier,
                   "files": package.files, "bytes": package.bytes,
                   "copies": [{"location": c.location.name, "status": c.status,
                               "last_checked_at": c.last_checked_at.isoformat() if c.last_checked_at else None,
                               "next_check_at": c.next_check_at.isoformat()} for c in package.copies]}
            if as_json:
                echo_json(row)
            else:
                copies = ", ".join(f"{c['location']}={c['status']}" for c in row["copies"])
                click.echo(f"{row['id']:>5} {row['identifier']:<32} {row['files']:>5} files  {copies}")


@preservation.command("import")
@click.argument("bag", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--org", "org_code", required=True)
@pass_env
def import_cmd(env, bag, org_code):
    """Take an existing bag from another system as a transfer (validated first)."""
    from recordsys.core.services import ValidationError, require_org
    from recordsys.preservation.bagging import PreservationError
    from recordsys.preservation.services import import_bag

    try:
        with env.transaction() as session:
            package = import_bag(session, env.settings, bag, require_org(session, org_code), "cli")
            click.echo(translate("Imported as package ${package} (${name}).", env.lang, {"package": package.id, "name": package.name}))
    except (PreservationError, ValidationError) as exc:
        raise CommandError("${error}", mapping={"error": exc}) from None


@preservation.command()
@click.argument("package_id", type=int)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["zip", "bag", "dip"]), default="zip", show_default=True,
              help="zip or bag: a copy of the stored bag; dip: the E-ARK DIP (gói sử dụng) of Circular 05/2025 "
                   "answering a reader's request (--purpose, --requester).")
@click.option("--as", "requested_by", default="cli", help="Who asked for the copy (recorded).")
@click.option("--purpose", type=click.Choice(["01", "02", "03"]),
              help="DIP: purpose of use, 01 personal, 02 official, 03 special.")
@click.option("--requester", help="DIP: the reader who asked (recorded in the package and the audit trail).")
@click.option("--requester-org", "requester_org", default="", help="DIP: the reader's organisation.")
@click.option("--note", default="", help="DIP: notes on the request.")
@click.option("--certified", is_flag=True,
              help="DIP: certified copies (bản sao y): every document file marked as a copy and signed with the "
                   "agency's key (the signer provider's, as for issued documents).")
@pass_env
def export(env, package_id, out_dir, fmt, requested_by, purpose, requester, requester_org, note, certified):
    """A dissemination copy of a package for a reader; who asked is recorded."""
    from recordsys.preservation.bagging import PreservationError
    from recordsys.preservation.models import Package
    from recordsys.preservation.services import export_package

    if fmt == "dip" and (not purpose or not (requester or "").strip()):
        raise click.UsageError("--format dip needs --purpose and --requester.")
    if certified and fmt != "dip":
        raise click.UsageError("--certified goes with --format dip.")
    signer = None
    if certified:
        with env.transaction() as session:
            package = session.get(Package, package_id)
            if package is None:
                raise CommandError("No package ${package_id}.", mapping={"package_id": package_id})
            from recordsys.core.models import Organization

            org_code = session.get(Organization, package.organization_id).code
        signer = env.agency_signer(org_code)
    with env.transaction() as session:
        package = session.get(Package, package_id)
        if package is None:
            raise CommandError("No package ${package_id}.", mapping={"package_id": package_id})
        try:
            if fmt == "dip":
                from recordsys.preservation.information_packages import write_package_dip

                written = write_package_dip(session, env.settings, package, out_dir, purpose=purpose,
                                            requester=requester.strip(), actor=requested_by,
                                            organisation=requester_org, description=note, certify_with=signer)
            else:
                written = export_package(session, package, out_dir, fmt, requested_by)
        except PreservationError as exc:
            raise CommandError("${error}", mapping={"error": exc}) from None
    click.echo(written)


@preservation.command("import-sip")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--org", "org_code", help="The agency the dossier comes from (default: the agency in its code).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@pass_env
def import_sip_cmd(env, path, org_code, as_json):
    """Take a SIP (gói nộp, folder or zip) from another system: validated (E-ARK CSIP 2.0.4 and
    Circular 05 metadata), converted to an AIP kept in every location. An invalid SIP is refused
    with every problem listed, and nothing is kept (exit 1)."""
    from recordsys.core import audit
    from recordsys.core.services import ValidationError
    from recordsys.preservation.information_packages import SipRefused, import_sip

    try:
        with env.transaction() as session:
            package = import_sip(session, env.settings, path, "cli", org_code)
            result = {"imported": True, "package": package.id, "name": package.name,
                      "identifier": package.external_identifier, "problems": []}
    except SipRefused as exc:
        with env.transaction() as session:  # the refusal is audited; nothing else is kept
            audit.record(session, actor="cli", action="package.import_refused", object_type="sip",
                         object_id=path.name[:64], payload={"path": str(path), "problems": exc.problems[:50]})
        if as_json:
            echo_json({"imported": False, "package": None, "problems": exc.problems})
            sys.exit(1)
        lines = "".join(f"\n  - {problem}" for problem in exc.problems)
        raise CommandError("${error}${lines}", mapping={"error": exc, "lines": lines}) from None
    except ValidationError as exc:
        raise CommandError("${error}", mapping={"error": exc}) from None
    if as_json:
        echo_json(result)
    else:
        click.echo(translate("Imported as package ${package} (${name}).", env.lang, {"package": result["package"], "name": result["name"]}))


preservation.add_command(validate_package_command)  # `recordsys preservation validate-package PATH [--json]`
