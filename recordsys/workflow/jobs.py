"""Workflow background duties: the daily reminders (nhắc việc) before deadlines and on overdue work."""
from recordsys.jobs import enqueue_once, handler, periodic
from recordsys.workflow.reminders import send_reminders


@handler("workflow.reminders")
def run_reminders(session_factory, settings, params, progress):
    import datetime as dt

    today = dt.date.fromisoformat(params["today"]) if params.get("today") else None
    result = send_reminders(session_factory, settings, today=today)
    progress(100)
    return result


@periodic("workflow.reminders", "0 7 * * *")
def schedule_reminders(session_factory, settings):
    """Every morning: the reminders of the day, as a job (sent once per item, kind and day)."""
    return enqueue_once(session_factory, "workflow.reminders", {})
