"""``recordsys exchange``: edXML envelopes, the outbox and inbox, statuses, hub members.

``unpack FILE... [--json]`` reads each envelope tolerantly and reports one summary per file; the exit
status is 1 when any file is invalid. ``pack``/``send`` build the envelope of a registered document;
``receive`` takes envelopes as if delivered; ``inbox``/``accept``/``refuse`` are the clerk's side;
``outbox``/``message``/``status`` show what was sent and what the recipients answered.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from recordsys.cli.context import CommandError, echo_json, pass_env
from recordsys.exchange.model import (
    DocumentEnvelope,
    EnvelopeError,
    ReadResult,
    StatusEnvelope,
)
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
        out.update(status_code=env.status_code, response_for=env.response_for.document_id or None,
                   to=[o.organ_id for o in env.recipients])  # only a take-back request (13) names its organs
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


# --- database-backed commands -------------------------------------------------------------------

def _storage(env):
    return env.storage


def _emit(value, as_json: bool, human) -> None:
    if as_json:
        echo_json(value)
    else:
        click.echo(human(value))


@exchange.command()
@click.argument("document_id", type=int)
@click.option("--to", "to", multiple=True, required=True, help="Organ id of a recipient (repeatable).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_env
def pack(env, document_id, to, out):
    """Đóng gói văn bản đã đăng ký thành edXML / Write the edXML envelope of a registered document."""
    from recordsys.exchange.services import pack_document, sign_if_configured

    with env.transaction() as session:
        data, edxml_id = pack_document(session, env.storage, document_id, list(to))
    out.write_bytes(sign_if_configured(data, env.settings))
    click.echo(edxml_id)


@exchange.command()
@click.argument("document_id", type=int)
@click.option("--to", "to", multiple=True, required=True, help="Organ id of a recipient (repeatable).")
@click.option("--actor", default="cli", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_env
def send(env, document_id, to, actor, as_json):
    """Gửi văn bản qua trục / Send a registered document: its envelope is queued in the outbox."""
    from recordsys.exchange.services import outbox_row, send_document

    with env.transaction() as session:
        message = send_document(session, env.storage, document_id, list(to), actor, env.settings)
        row = outbox_row(message)
    _emit(row, as_json, lambda r: str(r["id"]))


@exchange.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, one per line.")
@click.option("--trust-root", "trust_roots", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra trust anchor for the attachments' signatures.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None,
              help="Language of this command's output (default: recordsys --lang, Vietnamese).")
@click.option("--actor", default="cli", show_default=True)
@pass_env
def receive(env, files, as_json, trust_roots, lang, actor):
    """Nhận gói tin edXML vào hộp thư đến / Take envelopes in as if delivered (inbox of each recipient here)."""
    lang = lang or env.lang
    from recordsys.exchange.services import receive as receive_envelope
    from recordsys.ingest.interfaces import IDocumentChecker

    checker = env.find_service(IDocumentChecker)
    limits = ReadLimits.from_settings(env.settings)
    refused = False
    for path in files:
        size = path.stat().st_size
        if size > limits.max_bytes:
            result = {"file": str(path), "accepted": False, "kind": None, "document_id": None, "inbox_ids": [],
                      "duplicates": [], "signature": {}, "attachments": [],
                      "errors": [str(too_large(size, limits.max_bytes))]}
        else:
            env.engine  # noqa: B018 - the database is checked before the first envelope
            result = receive_envelope(env.session_factory, env.storage, checker, path.read_bytes(), actor=actor,
                                      settings=env.settings, via="file", file=str(path),
                                      trust_roots=tuple(trust_roots), lang=lang)
        refused |= not result["accepted"]
        _emit(result, as_json, _human_received)
    if refused:
        raise SystemExit(1)


def _human_received(r: dict) -> str:
    if not r["accepted"]:
        return f"{r['file']}: TỪ CHỐI / REFUSED\n" + "\n".join(f"  ! {e}" for e in r["errors"])
    if r["kind"] == "status":
        return f"{r['file']}: trạng thái / status {r['status_code']} {r['from']} -> {r['document_id']}"
    lines = [f"{r['file']}: {r['document_id']} -> hộp thư đến / inbox {', '.join(map(str, r['inbox_ids'])) or '-'}"]
    if r["duplicates"]:
        lines.append(f"  đã có / already received: {', '.join(map(str, r['duplicates']))}")
    lines.append(f"  chữ ký gói tin / envelope signature: {r['signature'].get('status')}")
    lines += [f"  {a['name']}: {'đạt / accepted' if a['accepted'] else 'không đạt / refused'}"
              for a in r["attachments"]]
    return "\n".join(lines)


@exchange.command()
@click.option("--org", "org_code", help="Only this agency's inbox.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entry, one per line.")
@pass_env
def inbox(env, org_code, as_json):
    """Hộp thư đến / The documents received, per agency, with their state and verdict."""
    from recordsys.exchange.services import list_inbox

    with env.transaction() as session:
        rows = list_inbox(session, org_code)
    for row in rows:
        _emit(row, as_json, lambda r: f"{r['id']:>5} {r['organization']} {r['state']:<9} "
                                      f"{_business_label(r['business_type'], env.lang):<12} {r['from']} "
                                      f"{r['document_id']}: {r['subject']}")


def _business_label(value: int, lang: str) -> str:
    from recordsys.exchange.codes import BusinessDocType

    return BusinessDocType(value).meaning.localized(lang)


@exchange.command()
@click.argument("inbox_id", type=int)
@click.option("--actor", default="cli", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_env
def accept(env, inbox_id, actor, as_json):
    """Tiếp nhận, vào sổ văn bản đến (gửi trạng thái 03) / Register as incoming and send status 03."""
    from recordsys.exchange.services import accept as accept_entry

    with env.transaction() as session:
        result = accept_entry(session, env.storage, inbox_id, actor, env.settings)
    _emit(result, as_json, lambda r: str(r["registered_document_id"]))


@exchange.command()
@click.argument("inbox_id", type=int)
@click.option("--reason", required=True, help="Why (sent to the sender with status 02).")
@click.option("--actor", default="cli", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_env
def refuse(env, inbox_id, reason, actor, as_json):
    """Từ chối tiếp nhận (gửi trạng thái 02 kèm lý do) / Refuse and send status 02 with the reason."""
    from recordsys.exchange.services import refuse as refuse_entry

    with env.transaction() as session:
        result = refuse_entry(session, env.storage, inbox_id, reason, actor, env.settings)
    _emit(result, as_json, lambda r: f"{r['inbox_id']} {r['state']}")


@exchange.command()
@click.option("--org", "org_code", help="Only messages sent by this agency.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message, one per line.")
@pass_env
def outbox(env, org_code, as_json):
    """Hộp thư đi / Messages sent: to whom, how far they got, attempts."""
    from recordsys.exchange.services import list_outbox

    with env.transaction() as session:
        rows = list_outbox(session, org_code)
    for row in rows:
        _emit(row, as_json, lambda r: f"{r['id']:>5} {r['kind']:<8} {r['status_code'] or '':<2} {r['state']:<13} "
                                      f"{r['attempts']} -> {', '.join(r['to'])} {r['document_id']}")


@exchange.command()
@click.argument("message_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_env
def message(env, message_id, out):
    """Tệp gói tin đã gửi, đúng từng byte / The exact bytes of a sent message."""
    from recordsys.exchange.models import OutboxMessage
    from recordsys.storage import copy_out

    with env.transaction() as session:
        row = session.get(OutboxMessage, message_id)
        if row is None:
            raise CommandError("No outbox message ${message_id}.", mapping={"message_id": message_id})
        sha256 = row.sha256
    copy_out(env.storage, sha256, out)
    click.echo(sha256)


@exchange.command()
@click.argument("document")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def status(env, document, as_json):
    """Trạng thái xử lý theo từng nơi nhận / Statuses per recipient of a sent document (our id or DocumentId)."""
    from recordsys.exchange.requests import allowed_now
    from recordsys.exchange.services import status_history

    with env.transaction() as session:
        history = status_history(session, document)
        if document.isdigit():
            history["allowed"] = allowed_now(session, int(document))
    _emit(history, as_json, _human_status)


@exchange.command("send-status")
@click.argument("document_id", type=int)
@click.option("--code", required=True, type=click.Choice(["04", "05", "06", "13", "15", "16"]),
              help="04 assigned, 05 processing, 06 completed (to the original sender); 13 ask the recipients "
                   "to take the document back; 15/16 agree/refuse a pending update or take-back request.")
@click.option("--to", "to", multiple=True, help="Organ id (13: the recipients asked, default all allowed).")
@click.option("--description", default="", help="Why / what (needed for 13 and 16).")
@click.option("--inbox", "inbox_id", type=int, help="For 15/16: which pending request (default: the oldest).")
@click.option("--as", "--actor", "actor", default="cli", show_default=True, help="Who sends it (recorded).")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def send_status(env, document_id, code, to, description, inbox_id, actor, as_json):
    """Gửi trạng thái xử lý (04, 05, 06, 13, 15, 16) / Send a status by hand, when allowed now."""
    from recordsys.exchange.requests import send_status as send

    with env.transaction() as session:
        result = send(session, env.storage, document_id, code, actor=actor, to=list(to), description=description,
                      inbox_id=inbox_id, settings=env.settings)
    _emit(result, as_json, lambda r: f"{r['status_code']} -> {', '.join(r.get('to') or [])}".strip())


def _as_clerk(session, username: str, document_id: int):
    """The document, when ``username`` is a clerk of the agency that sent it (refused otherwise)."""
    from recordsys.exchange.followups import document_of, require_clerk

    document = document_of(session, document_id)
    require_clerk(session, username, document.organization)
    return document


def _human_followup(r: dict) -> str:
    lines = [f"{', '.join(map(str, r['message_ids']))} -> {', '.join(r['to'])}"]
    lines += [f"  {c['field']}: {c['old']} -> {c['new']}" for c in r.get("changes") or []]
    return "\n".join(lines)


TO_EARLIER = click.option("--to", "to", multiple=True,
                          help="Organ id of an earlier recipient (repeatable; default: every one it may go to).")
AS_CLERK = click.option("--as", "username", required=True, help="User name of the clerk of the sending agency.")


@exchange.command("send-update")
@click.argument("document_id", type=int)
@click.option("--set", "assignments", multiple=True, required=True, metavar="FIELD=VALUE",
              help="A changed field (repeatable): subject, number_and_symbol, type_name, issued_date, signer, urgency.")
@TO_EARLIER
@click.option("--reason", default="", help="Why (BussinessDocReason).")
@AS_CLERK
@click.option("--json", "as_json", is_flag=True)
@pass_env
def send_update(env, document_id, assignments, to, reason, username, as_json):
    """Gửi văn bản cập nhật thông tin (loại 2) / Send an update of a document already sent (changed fields)."""
    from recordsys.exchange.followups import parse_assignments
    from recordsys.exchange.followups import send_update as send

    fields = parse_assignments(assignments)
    with env.transaction() as session:
        _as_clerk(session, username, document_id)
        result = send(session, env.storage, document_id, fields, actor=username, to=list(to), reason=reason,
                      settings=env.settings)
    _emit(result, as_json, _human_followup)


@exchange.command("send-replacement")
@click.argument("document_id", type=int)
@click.option("--file", "path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The new signed file (checked like any outgoing file before it is sent).")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
              help="A field that changes with it, e.g. number_and_symbol=16/QĐ-UBND (repeatable).")
@TO_EARLIER
@click.option("--reason", default="", help="Why (BussinessDocReason).")
@AS_CLERK
@click.option("--trust-root", "trust_roots", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra trust anchor for the new file's signature.")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def send_replacement(env, document_id, path, assignments, to, reason, username, trust_roots, as_json):
    """Gửi văn bản thay thế (loại 3) / Send a new signed file replacing a document already sent."""
    from recordsys.exchange.followups import check_file, parse_assignments
    from recordsys.exchange.followups import send_replacement as send
    from recordsys.ingest.interfaces import IDocumentChecker

    fields = parse_assignments(assignments)
    with env.transaction() as session:  # who and what first, the slow check outside the transaction
        ingest_settings = (_as_clerk(session, username, document_id).organization.settings or {}).get("ingest")
    verdict = check_file(env.find_service(IDocumentChecker), path, ingest_settings, env.lang, tuple(trust_roots))
    with env.transaction() as session:
        _as_clerk(session, username, document_id)
        result = send(session, env.storage, document_id, path, verdict, actor=username, fields=fields, to=list(to),
                      reason=reason, settings=env.settings)
    _emit(result, as_json, _human_followup)


@exchange.command()
@click.argument("document_id", type=int)
@click.option("--reason", required=True, help="Why (BussinessDocReason; the recipients see it).")
@TO_EARLIER
@AS_CLERK
@click.option("--json", "as_json", is_flag=True)
@pass_env
def revoke(env, document_id, reason, to, username, as_json):
    """Thu hồi văn bản đã gửi (loại 1) / Revoke a document already sent, at its recipients."""
    from recordsys.exchange.followups import send_revoke

    with env.transaction() as session:
        _as_clerk(session, username, document_id)
        result = send_revoke(session, env.storage, document_id, actor=username, reason=reason, to=list(to),
                             settings=env.settings)
    _emit(result, as_json, _human_followup)


@exchange.command()
@click.argument("document_id", type=int)
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Copy every version's file into this folder.")
@click.option("--json", "as_json", is_flag=True)
@pass_env
def versions(env, document_id, out_dir, as_json):
    """Các phiên bản tệp của văn bản (thay thế qua trục) / A document's file versions, the current one last."""
    from recordsys.exchange.services import ExchangeError
    from recordsys.ingest.models import Document
    from recordsys.storage import copy_out

    with env.transaction() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise ExchangeError("No document ${document_id}.", mapping={"document_id": document_id})
        rows = [{**v, "current": False} for v in (document.extra or {}).get("versions", [])]
        rows.append({"file_id": document.file_id, "sha256": document.file.sha256,
                     "original_name": document.original_name, "number_and_symbol": document.number_and_symbol,
                     "current": True})
    for n, row in enumerate(rows, 1):
        row["version"] = n
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / f"v{n}{Path(row['original_name'] or '').suffix.lower()[:9] or '.bin'}"
            copy_out(env.storage, row["sha256"], target)
            row["file"] = str(target)
        _emit(row, as_json, lambda r: f"v{r['version']} {'*' if r['current'] else ' '} {r['sha256']} "
                                      f"{r['original_name']}")


def _human_status(h: dict) -> str:
    lines = [", ".join(h["edxml_document_ids"]) or h["document_id"]]
    for recipient in h["recipients"]:
        lines.append(f"  {recipient['organ_id']}")
        lines += [f"    {s['status_code']} {s['occurred_at'] or s['recorded_at']} {s['meaning'] or ''}"
                  f"{' — ' + s['description'] if s['description'] else ''}" for s in recipient["statuses"]]
    return "\n".join(lines)


@exchange.command()
@click.argument("message_ids", nargs=-1, type=int)
@pass_env
def deliver(env, message_ids):
    """Giao ngay các gói tin đang chờ / Deliver queued messages now, here (default: all queued)."""
    from sqlalchemy import select

    from recordsys.exchange.jobs import DeliveryFailed, deliver_message
    from recordsys.exchange.models import OutboxMessage
    from recordsys.exchange.transport import IExchangeTransport

    with env.transaction() as session:
        ids = list(message_ids) or list(session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.state == "queued").order_by(OutboxMessage.id)))
    transport = env.find_service(IExchangeTransport)
    for message_id in ids:
        try:
            result = deliver_message(env.session_factory, env.settings, message_id, transport)
        except DeliveryFailed as exc:
            result = {"message_id": message_id, "state": "queued", "error": str(exc)}
        echo_json(result)


@exchange.command()
@click.option("--every", type=float, default=0.0,
              help="Poll again every SECONDS until stopped (default: once).")
@pass_env
def poll(env, every):
    """Nhận các gói tin trục đang giữ cho ta / Fetch, take in and acknowledge what the axis holds for us."""
    import time

    from recordsys.exchange.jobs import poll_axis
    from recordsys.exchange.transport import IExchangeTransport

    transport = env.find_service(IExchangeTransport)
    while True:
        report = poll_axis(env.session_factory, env.settings, transport)
        echo_json({"received": len(report.get("received", [])), "refused": len(report.get("refused", [])),
                   "errors": report.get("errors", []), "skipped": report.get("skipped")})
        if every <= 0:
            return
        time.sleep(every)


@exchange.group()
def member():
    """Thành viên của trục (hub) này / Member systems of our hub."""


@member.command("add")
@click.option("--system-id", "system_id", required=True)
@click.option("--organ", "organs", multiple=True, required=True, help="Organ id the member sends as (repeatable).")
@click.option("--secret", help="The shared secret (default: a new random one, printed).")
@pass_env
def member_add(env, system_id, organs, secret):
    """Thêm hệ thống thành viên; in ra khóa bí mật / Add a member system; prints its secret."""
    from recordsys.exchange.hub import add_member

    with env.transaction() as session:
        secret = add_member(session, system_id, list(organs), secret, actor="cli")
    click.echo(secret)


@member.command("list")
@pass_env
def member_list(env):
    """Các hệ thống thành viên / Member systems (JSON lines, without secrets)."""
    from sqlalchemy import select

    from recordsys.exchange.models import HubMember

    with env.transaction() as session:
        for m in session.scalars(select(HubMember).order_by(HubMember.system_id)):
            echo_json({"system_id": m.system_id, "organs": m.organs})
