"""`recordsys preservation`: archival packages, fixity audits, bag validation."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from recordsys.cli.context import echo_json


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

    total = sum(f.stat().st_size for f in (path / "data").rglob("*") if f.is_file() and not f.is_symlink()) \
        if (path / "data").is_dir() and not as_json else 0
    if total > 256 * 1024 * 1024 and sys.stderr.isatty():
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


if __name__ == "__main__":
    preservation()
