"""`recordsys outgoing` (drafts to issued documents), `recordsys workflow` (processing incoming
documents) and `recordsys report` (task and processing reports)."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import click

from recordsys.cli.context import echo_json, pass_env

AS_USER = click.option("--as", "username", required=True, help="User name of the person acting.")
JSON = click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")


def _checker(env):
    from recordsys.ingest.interfaces import IDocumentChecker

    return env.find_service(IDocumentChecker)


def _signers(env):
    from recordsys.workflow.keys import ISignerProvider

    return env.find_service(ISignerProvider)


def _quiet():
    from recordsys.ingest.services import quiet_pyhanko

    quiet_pyhanko()


def _done(env, summary: dict, as_json: bool, line: str):
    if as_json:
        echo_json(summary)
    else:
        click.echo(line)


def _incoming_step(env, as_json: bool, step, line=lambda s: f"{s['document_id']} {s['state']}", **arguments):
    """Run one step on an incoming document in a transaction and print its summary (or ``line`` of it)."""
    from recordsys.workflow import services

    with env.transaction() as session:
        summary = services.assignment_summary(session, getattr(services, step)(session, **arguments))
    _done(env, summary, as_json, line(summary))


# outgoing --------------------------------------------------------------------------------------
@click.group()
def outgoing():
    """Outgoing documents (văn bản đi): draft, submit, approve, sign, issue."""


@outgoing.command("draft")
@click.option("--org", "org_code", required=True, help="Organ code of the drafting agency.")
@click.option("--file", "file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The draft: PDF (converted to PDF/A when it is not) or DOCX.")
@click.option("--type", "type_code", required=True, help="Document type abbreviation: QĐ, KH, TB, CV …")
@click.option("--subject", required=True, help="Subject (trích yếu).")
@click.option("--recipient", "recipients", multiple=True, help="Recipient (nơi nhận); repeatable.")
@click.option("--urgency", type=click.Choice(["khan", "thuong_khan", "hoa_toc"]))
@click.option("--confidentiality")
@AS_USER
@JSON
@pass_env
def draft_cmd(env, org_code, file, type_code, subject, recipients, urgency, confidentiality, username, as_json):
    """Create a draft from FILE; prints the draft id."""
    from recordsys.workflow import services

    with env.transaction() as session:  # refuse an unknown agency, user or type before converting
        org = services.require_agency(session, org_code)
        services.require_user(session, username)
        services.document_type(type_code)
        org_code = org.code
    with tempfile.TemporaryDirectory(prefix="recordsys-draft-") as tmp:
        pdf = services.prepare_pdfa(file, Path(tmp), _checker(env))
        with env.transaction() as session:
            draft = services.create_draft(
                session, storage=env.storage, org_code=org_code, username=username, pdf=pdf, label=file.name,
                type_code=type_code, subject=subject, recipients=recipients, urgency=urgency,
                confidentiality=confidentiality)
            summary = services.draft_summary(session, draft)
    _done(env, summary, as_json, str(summary["id"]))


@outgoing.command("edit")
@click.argument("draft_id")
@click.option("--file", "file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@AS_USER
@JSON
@pass_env
def edit_cmd(env, draft_id, file, username, as_json):
    """Replace the content of a draft being written (new version)."""
    from recordsys.workflow import services

    with tempfile.TemporaryDirectory(prefix="recordsys-draft-") as tmp:
        pdf = services.prepare_pdfa(file, Path(tmp), _checker(env))
        with env.transaction() as session:
            draft = services.edit_draft(session, storage=env.storage, draft_id=draft_id, username=username, pdf=pdf,
                                        label=file.name)
            summary = services.draft_summary(session, draft)
    _done(env, summary, as_json, f"{summary['id']} {summary['state']} v{summary['version']}")


def _simple(action_name: str, help_text: str):
    @outgoing.command(action_name, help=help_text)
    @click.argument("draft_id")
    @AS_USER
    @JSON
    @pass_env
    def command(env, draft_id, username, as_json):
        from recordsys.workflow import services

        _quiet()
        action = {"submit": services.submit_draft, "approve": services.approve_draft}.get(action_name)
        with env.transaction() as session:
            if action is None:  # sign
                draft = services.sign_draft(session, storage=env.storage, signers=_signers(env),
                                            draft_id=draft_id, username=username)
            else:
                draft = action(session, storage=env.storage, draft_id=draft_id, username=username)
            summary = services.draft_summary(session, draft)
        _done(env, summary, as_json, f"{summary['id']} {summary['state']}")

    return command


_simple("submit", "Submit DRAFT_ID to the first step of the agency's approval chain.")
_simple("approve", "Approve DRAFT_ID at its current step (once per step of the chain).")
_simple("sign", "Sign the approved DRAFT_ID (visible PAdES signature of the competent person).")


@outgoing.command("return")
@click.argument("draft_id")
@click.option("--comments", required=True, help="What the drafter should change.")
@AS_USER
@JSON
@pass_env
def return_cmd(env, draft_id, comments, username, as_json):
    """Return DRAFT_ID to its drafter with comments."""
    from recordsys.workflow import services

    with env.transaction() as session:
        draft = services.return_draft(session, storage=env.storage, draft_id=draft_id, username=username,
                                      comments=comments)
        summary = services.draft_summary(session, draft)
    _done(env, summary, as_json, f"{summary['id']} {summary['state']}")


@outgoing.command("forward")
@click.argument("draft_id")
@click.option("--to", "to", required=True, help="Who decides in your place (e.g. a deputy leader).")
@click.option("--comments", help="A note for the person you forward to.")
@AS_USER
@JSON
@pass_env
def forward_draft_cmd(env, draft_id, to, comments, username, as_json):
    """Forward DRAFT_ID's current approval step to another person of the agency."""
    from recordsys.workflow import services

    with env.transaction() as session:
        draft = services.forward_draft(session, draft_id=draft_id, username=username, to=to, comments=comments)
        summary = services.draft_summary(session, draft)
    _done(env, summary, as_json, f"{summary['id']} {summary['state']} {summary['delegate']}")


@outgoing.command("issue")
@click.argument("draft_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the issued PDF.")
@AS_USER
@JSON
@pass_env
def issue_cmd(env, draft_id, out, username, as_json):
    """Number, seal and register the signed DRAFT_ID as an outgoing document."""
    from recordsys.workflow import services

    _quiet()
    checker, signers = _checker(env), _signers(env)
    with env.transaction() as session:
        result = services.issue_draft(session, storage=env.storage, signers=signers, checker=checker,
                                      draft_id=draft_id, username=username, out=out,
                                      data_dir=Path(env.settings["recordsys.data_dir"]), settings=env.settings)
    _done(env, result, as_json, f"{result['number_and_symbol']} {result['file']}")


@outgoing.command("show")
@click.argument("draft_id")
@pass_env
def show_cmd(env, draft_id):
    """Show DRAFT_ID as JSON."""
    from recordsys.workflow import services

    with env.transaction() as session:
        echo_json(services.draft_summary(session, services.load_draft(session, draft_id, lock=False)))


# incoming --------------------------------------------------------------------------------------
def _date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("a date such as 2026-12-15") from None


@click.group()
def workflow():
    """Processing incoming documents (xử lý văn bản đến): assign, opinions, consult, forward, done."""


@workflow.command("assign")
@click.argument("document_id")
@click.option("--to", "to", required=True, help="Main handler (người chủ trì).")
@click.option("--coordinator", "coordinators", multiple=True, help="Coordinator (phối hợp); repeatable.")
@click.option("--inform", "for_information", multiple=True, help="For information (để biết); repeatable.")
@click.option("--deadline", callback=_date, help="Processing deadline, YYYY-MM-DD.")
@click.option("--note", help="The leader's instruction (ý kiến chỉ đạo).")
@AS_USER
@JSON
@pass_env
def assign_cmd(env, document_id, to, coordinators, for_information, deadline, note, username, as_json):
    """Assign the incoming DOCUMENT_ID for processing."""
    _incoming_step(env, as_json, "assign_incoming", document_id=document_id, username=username, to=to,
                   coordinators=coordinators, for_information=for_information, deadline=deadline, note=note,
                   line=lambda s: f"{s['document_id']} {s['state']} {s['main_handler']}")


@workflow.command("opinion")
@click.argument("document_id")
@click.option("--text", required=True, help="The opinion (ý kiến).")
@AS_USER
@JSON
@pass_env
def opinion_cmd(env, document_id, text, username, as_json):
    """Record an opinion on DOCUMENT_ID."""
    _incoming_step(env, as_json, "add_opinion", document_id=document_id, username=username, text=text)


@workflow.command("done")
@click.argument("document_id")
@click.option("--result", "result", required=True, help="The result of the processing (kết quả giải quyết).")
@AS_USER
@JSON
@pass_env
def done_cmd(env, document_id, result, username, as_json):
    """Close the processing of DOCUMENT_ID (main handler)."""
    _incoming_step(env, as_json, "complete_incoming", document_id=document_id, username=username, result=result)


@workflow.command("consult")
@click.argument("document_id")
@click.option("--to", "to", required=True, multiple=True, help="Colleague asked for their view; repeatable.")
@click.option("--question", required=True, help="What you ask (nội dung xin ý kiến).")
@AS_USER
@JSON
@pass_env
def consult_cmd(env, document_id, to, question, username, as_json):
    """Ask colleagues for their view on DOCUMENT_ID (xin ý kiến; main handler)."""
    _incoming_step(env, as_json, "consult", document_id=document_id, username=username, to=to, question=question,
                   line=lambda s: f"{s['document_id']} {s['state']} pending: "
                   + ", ".join(str(c["number"]) for c in s["consultations"] if c["state"] == "pending"))


@workflow.command("answer")
@click.argument("document_id")
@click.option("--number", required=True, help="The number of the consultation request.")
@click.option("--text", required=True, help="Your opinion (ý kiến).")
@AS_USER
@JSON
@pass_env
def answer_cmd(env, document_id, number, text, username, as_json):
    """Answer a consultation request on DOCUMENT_ID addressed to you."""
    _incoming_step(env, as_json, "answer_consultation", document_id=document_id, username=username, number=number,
                   text=text)


@workflow.command("forward")
@click.argument("document_id")
@click.option("--to", "to", required=True, help="Colleague of your unit who takes over as main handler.")
@AS_USER
@JSON
@pass_env
def forward_cmd(env, document_id, to, username, as_json):
    """Forward DOCUMENT_ID to a colleague of your unit (main handler)."""
    _incoming_step(env, as_json, "forward_incoming", document_id=document_id, username=username, to=to,
                   line=lambda s: f"{s['document_id']} {s['state']} {s['main_handler']}")


@workflow.command("remind")
@click.option("--today", callback=_date, help="The day the reminders are for, YYYY-MM-DD (default: today).")
@JSON
@pass_env
def remind_cmd(env, today, as_json):
    """Send today's reminders now (before deadlines, overdue work); each is sent once a day."""
    from recordsys.workflow.reminders import send_reminders

    result = send_reminders(env.session_factory, env.settings, today=today)
    _done(env, result, as_json, f"{result['sent']} sent, {result['already_sent']} already sent, "
                                f"{result['failed']} failed")


# reports ---------------------------------------------------------------------------------------
@click.group()
def report():
    """Reports (báo cáo): tasks and processing of incoming documents."""


@report.command("tasks")
@click.option("--org", "org_code", required=True, help="Organ code of the agency.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "pdf"]), required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_env
def report_tasks(env, org_code, fmt, out):
    """Tasks and incoming documents under processing, with deadlines and overdue days."""
    from recordsys.workflow import report as reports
    from recordsys.workflow import services

    today = dt.date.today()
    with env.transaction() as session:
        rows = services.task_rows(session, org_code, today)
        org_name = services.require_agency(session, org_code).name
    writer = reports.write_xlsx if fmt == "xlsx" else reports.write_pdf
    writer(rows, out, org_name, today, env.lang)
    click.echo(str(out))


# tasks -----------------------------------------------------------------------------------------
@workflow.group("task")
def task():
    """Tasks (công việc): give, report, approve or return."""


@task.command("add")
@click.option("--org", "org_code", required=True)
@click.option("--to", "assignee", required=True, help="The person the task is given to.")
@click.option("--title", required=True)
@click.option("--deadline", callback=_date, required=True, help="YYYY-MM-DD.")
@AS_USER
@pass_env
def task_add(env, org_code, assignee, title, deadline, username):
    """Give a task; prints its id."""
    from recordsys.workflow import services

    with env.transaction() as session:
        click.echo(str(services.create_task(session, org_code=org_code, username=username, assignee=assignee,
                                            title=title, deadline=deadline).id))


def _task_action(name: str, needs_text: bool, help_text: str):
    options = [click.option("--text", required=True, help="Report or comments.")] if needs_text else []

    def command(env, task_id, username, text=None):
        from recordsys.workflow import services

        with env.transaction() as session:
            t = services.task_action(session, task_id=task_id, username=username, action=name, text=text)
            click.echo(f"{t.id} {t.state}")

    for option in options:
        command = option(command)
    task.command(name, help=help_text)(click.argument("task_id")(AS_USER(pass_env(command))))


_task_action("start", False, "Start TASK_ID (assignee).")
_task_action("report", True, "Report the result of TASK_ID (assignee).")
_task_action("approve", False, "Accept the result of TASK_ID (assigner).")
_task_action("return", True, "Return TASK_ID with comments (assigner).")


@outgoing.command("settings")
@click.option("--org", "org_code", required=True)
@click.option("--set", "pairs", multiple=True, metavar="KEY=JSON",
              help='e.g. approval_chain=\'[{"role": "unit_head", "same_unit": true}, {"role": "leader"}]\', '
                   'unit_heads=\'["truongphong"]\', units=\'{"chuyenvien": "TH"}\', place=\'"Khánh Hòa"\', '
                   'abbreviation=\'"UBND"\', titles=\'{"lanhdao": "Chánh Văn phòng"}\'.')
@pass_env
def settings_cmd(env, org_code, pairs):
    """Show (and with --set, change) the agency's workflow settings: approval chain, heads of unit,
    units, abbreviation, place name, signers' titles."""
    from recordsys.workflow import services

    with env.transaction() as session:
        org = services.require_agency(session, org_code)
        conf = services.set_workflow_settings(session, org, _parse_pairs(pairs), actor="cli") if pairs \
            else services.workflow_settings(org)
    echo_json(conf)


def _parse_pairs(pairs) -> dict:
    import json

    out = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not KEY=JSON", param_hint="--set")
        try:
            out[key.strip()] = json.loads(raw)
        except ValueError as exc:
            raise click.BadParameter(f"{key}: not valid JSON ({exc})", param_hint="--set") from None
    return out
