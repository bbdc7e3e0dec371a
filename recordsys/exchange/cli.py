"""``recordsys exchange``: commands over edXML files (not wired into ``recordsys.cli`` yet).

``unpack FILE... [--json]`` reads each envelope tolerantly and reports one summary per file; the exit
status is 1 when any file is invalid. ``envelope_for_document`` (pack.py) is what a DB-backed
``exchange pack`` calls.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from recordsys.exchange.model import (
    DocumentEnvelope,
    EnvelopeError,
    ReadResult,
    StatusEnvelope,
)
from recordsys.exchange.pack import envelope_for_document  # noqa: F401 (for the pack command)
from recordsys.exchange.reading import read_envelope
from recordsys.exchange.safexml import DEFAULT_MAX_BYTES, ReadLimits, too_large


def summary(file: str, result: ReadResult) -> dict:
    """The JSON summary of one read envelope (keys fixed: see ``unpack``)."""
    env = result.envelope
    out = {"file": file, "valid": result.valid, "kind": result.kind, "from": None, "to": [],
           "document_id": None, "code_number": None, "code_notation": None, "subject": None,
           "business_type": None, "status_code": None, "response_for": None,
           "attachments": [{"name": a.name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
                           for a in result.attachments],
           "errors": [str(e) for e in result.errors]}
    if env is not None:
        out["from"] = env.sender.organ_id
    if isinstance(env, DocumentEnvelope):
        out.update(to=[o.organ_id for o in env.recipients], document_id=env.document_id or None,
                   code_number=env.code_number, code_notation=env.code_notation, subject=env.subject,
                   business_type=int(env.business.doc_type),
                   response_for=env.response_for[0].document_id if env.response_for else None)
    elif isinstance(env, StatusEnvelope):
        out.update(status_code=env.status_code, response_for=env.response_for.document_id or None)
    return out


def _read_file(path: Path, limits: ReadLimits) -> ReadResult:
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            return ReadResult(None, errors=(too_large(size, limits.max_bytes),))
        data = path.read_bytes()
    except OSError as exc:
        return ReadResult(None, errors=(EnvelopeError(
            "unreadable-file", f"Không đọc được tệp: {exc.strerror or exc}.", f"The file cannot be read: {exc.strerror or exc}."),))
    return read_envelope(data, limits)


@click.group()
def exchange():
    """Gói tin edXML (liên thông văn bản) / edXML envelopes (document interchange)."""


@exchange.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, one per line.")
@click.option("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, show_default=True,
              help="Largest envelope accepted, in bytes.")
def unpack(files: tuple[Path, ...], as_json: bool, max_bytes: int):
    """Đọc và kiểm tra gói tin edXML / Read and check edXML envelopes."""
    limits = ReadLimits(max_bytes=max_bytes)
    invalid = False
    for path in files:
        result = _read_file(path, limits)
        invalid |= not result.valid
        data = summary(str(path), result)
        click.echo(json.dumps(data, ensure_ascii=False) if as_json else _human(data))
    if invalid:
        raise SystemExit(1)


def _human(data: dict) -> str:
    state = "hợp lệ / valid" if data["valid"] else "KHÔNG hợp lệ / INVALID"
    lines = [f"{data['file']}: {state} ({data['kind'] or '-'})"]
    if data["kind"] == "document":
        lines.append(f"  {data['code_number']}/{data['code_notation']} {data['from']} -> {', '.join(data['to'])}: "
                     f"{data['subject']}")
    elif data["kind"] == "status":
        lines.append(f"  {data['from']}: {data['status_code']} -> {data['response_for']}")
    lines += [f"  {a['name']} ({a['content_type']}, {a['size']} B, sha256 {a['sha256']})" for a in data["attachments"]]
    lines += [f"  ! {e}" for e in data["errors"]]
    return "\n".join(lines)
