"""`recordsys jobs`: background work (fixity audits, reindexing) on the Huey queue."""
import logging

import click
from sqlalchemy import select

from recordsys.cli.context import echo_json, pass_env
from recordsys.i18n import translate
from recordsys.jobs import Job, import_handlers, run_next


@click.group()
def jobs():
    """Background jobs."""


@jobs.command()
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Jobs run at once by this process (threads).")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also start the scheduler of periodic tasks (audits, index sync, sweep).")
@click.option("--once", is_flag=True, help="Run the queued jobs here without the queue, then stop.")
@pass_env
def work(env, workers, periodic, once):
    """Consume the job queue until stopped (SIGINT/SIGTERM); start these beside the app servers."""
    from recordsys.jobs.queue import IJobQueue

    import_handlers(env.settings)
    if once:
        while (job_id := run_next(env.session_factory, env.settings)) is not None:
            click.echo(translate("job ${job_id} finished", env.lang, {"job_id": job_id}))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    env.find_service(IJobQueue).consumer(workers=workers, periodic=periodic).run()


@jobs.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", default=20, show_default=True)
@pass_env
def list_jobs(env, as_json, limit):
    """The newest jobs with their status and progress."""
    with env.transaction() as session:
        rows = session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)).all()
        data = [{"id": j.id, "kind": j.kind, "status": j.status, "progress": j.progress, "attempts": j.attempts,
                 "requested_by": j.requested_by, "queued_at": j.queued_at.isoformat()} for j in rows]
    for row in data:
        if as_json:
            echo_json(row)
        else:
            click.echo(f"{row['id']:>6} {row['kind']:<24} {row['status']:<8} {row['progress']:>3}% "
                       f"{row['requested_by']}")
