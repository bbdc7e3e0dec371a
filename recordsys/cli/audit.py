"""`recordsys audit`: verify and anchor the tamper-evident audit trail."""
import sys

import click

from recordsys.cli.context import echo_json, pass_env
from recordsys.core import audit as audit_chain
from recordsys.i18n import translate


@click.group()
def audit():
    """The hash-chained audit trail (nhật ký kiểm tra)."""


@audit.command()
@click.option("--json", "as_json", is_flag=True)
@pass_env
def verify(env, as_json):
    """Walk the chain; exit 0 when intact, 1 naming the first broken event."""
    with env.transaction() as session:
        report = audit_chain.verify(session)
    if as_json:
        echo_json(report.to_dict())
    elif report.intact:
        click.echo(translate("Audit chain intact: ${events} events, head ${head}.", env.lang, {"events": report.events, "head": report.head}))
        if report.pending:
            click.echo(translate("${count} committed events are not sealed into the chain yet (recordsys audit seal).", env.lang, {"count": report.pending}))
    else:
        click.echo(translate("Audit chain BROKEN at event seq=${broken_seq} (id=${broken_id}): ${problem}.", env.lang, {"broken_seq": report.broken_seq, "broken_id": report.broken_id, "problem": report.problem}))
    sys.exit(0 if report.intact else 1)


@audit.command()
@click.option("--json", "as_json", is_flag=True)
@pass_env
def head(env, as_json):
    """Print the current chain head (anchor it elsewhere to prove later that nothing was cut)."""
    with env.transaction() as session:
        value = audit_chain.head(session)
    if as_json:
        echo_json(value)
    else:
        click.echo(f"{value['seq']} {value['hash']}")


@audit.command()
@pass_env
def seal(env):
    """Give committed events still without a chain position theirs (after a crash; normally each
    writer's events are sealed just after its commit)."""
    count = audit_chain.seal(env.engine)
    click.echo(translate("Sealed ${count} pending audit events into the chain.", env.lang, {"count": count}))
