"""``validate-package PATH [--json]``: validate an E-ARK package offline; added to the
``recordsys preservation`` group in recordsys/preservation/cli.py."""
from __future__ import annotations

import json

import click

from recordsys.preservation.eark.validate import SPEC_VERSION, validate_package


@click.command("validate-package")
@click.argument("path", type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--spec", default=SPEC_VERSION, show_default=True, type=click.Choice(["2.0.4", "2.1.0"]),
              help="E-ARK specification version.")
@click.option("--strict", is_flag=True, help="Keep eark-validator's verdict on its known-defective rules (SIP14).")
def validate_package_command(path: str, as_json: bool, spec: str, strict: bool) -> None:
    """Validate the E-ARK package (folder or zip) at PATH; exit status 1 when it is not valid."""
    report = validate_package(path, version=spec, strict=strict)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        verdict = "hợp lệ / valid" if report.valid else "không hợp lệ / not valid"
        click.echo(f"{path}: {verdict} ({len(report.errors)} errors, {len(report.warnings)} warnings)")
        for kind, findings in (("ERROR", report.errors), ("WARNING", report.warnings)):
            for finding in findings:
                click.echo(f"{kind} {finding.rule} {finding.location}: {finding.message}")
    if not report.valid:
        raise SystemExit(1)
