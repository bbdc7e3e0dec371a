"""`recordsys jobs`: background work (fixity audits, reindexing)."""
import time

import click
from sqlalchemy import select

from recordsys.cli.context import echo_json, pass_env
from recordsys.jobs import Job, import_handlers, run_next


@click.group()
def jobs():
    """Background jobs."""


@jobs.command()
@click.option("--once", is_flag=True, help="Run the queued jobs, then stop.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks at the queue.")
@pass_env
def work(env, once, poll):
    """Run queued jobs (start several of these beside the app servers on PostgreSQL)."""
    import_handlers()
    while True:
        job_id = run_next(env.session_factory, env.settings)
        if job_id is not None:
            click.echo(f"job {job_id} finished")
            continue
        if once:
            return
        time.sleep(poll)


@jobs.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", default=20, show_default=True)
@pass_env
def list_jobs(env, as_json, limit):
    """The newest jobs with their status and progress."""
    with env.transaction() as session:
        rows = session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)).all()
        data = [{"id": j.id, "kind": j.kind, "status": j.status, "progress": j.progress,
                 "requested_by": j.requested_by, "queued_at": j.queued_at.isoformat()} for j in rows]
    for row in data:
        if as_json:
            echo_json(row)
        else:
            click.echo(f"{row['id']:>6} {row['kind']:<24} {row['status']:<8} {row['progress']:>3}% "
                       f"{row['requested_by']}")
