"""`recordsys demo`, `org`, `user`, `token`: agencies, people and machine access."""
from __future__ import annotations

import click
from sqlalchemy import select

from recordsys.cli.context import CommandError, echo_json, pass_env
from recordsys.core import demo as demo_data
from recordsys.core import services
from recordsys.core.models import Organization, OrgLevel, Role, User
from recordsys.i18n import translate


def _service_call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except services.ValidationError as exc:
        raise CommandError("${error}", mapping={"error": exc}) from None


@click.command()
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has agencies.")
@pass_env
def demo(env, if_empty):
    """Seed a small demo province with one user of each role, and print the logins."""
    with env.transaction() as session:
        if not demo_data.is_empty(session):
            if if_empty:
                click.echo(translate("Demo data already present. Logins:", env.lang) + " "
                           + ", ".join(f"{u} / {demo_data.demo_password(u)}" for u, *_ in demo_data.DEMO_USERS))
                return
            raise CommandError("The database already has agencies; the demo seeds an empty database only.")
        logins = demo_data.seed(session)
    from recordsys.dossiers.demo import reorganise

    with env.transaction() as session:  # the province after the 2025 reorganisation (two levels)
        mergers = reorganise(session)
    from pathlib import Path

    from recordsys.workflow.keys import audit_demo_anchor, ensure_demo_pki

    anchor = ensure_demo_pki(Path(env.settings["recordsys.data_dir"]))  # test keys of the demo leaders and agencies
    with env.transaction() as session:
        audit_demo_anchor(session, anchor)
    click.echo(translate("Seeded ${n_DEMO_ORGS} agencies of the demo province. Logins:", env.lang, {"n_DEMO_ORGS": len(demo_data.DEMO_ORGS)}))
    for username, password, role, org in logins:
        click.echo(f"  {username:<12} {password:<22} {role:<11} {org}")
    click.echo(translate("The 2025 reorganisation (two levels), as audited mergers:", env.lang))
    for plan in mergers:
        click.echo(f"  {plan.source} ({plan.source_fonds}) → {plan.target} ({plan.target_fonds})"
                   + (f"; {', '.join(plan.children)} → {plan.target}" if plan.children else ""))


@click.group()
def org():
    """Agencies (cơ quan, tổ chức)."""


@org.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_env
def org_list(env, as_json):
    """List agencies with their organ codes and levels."""
    with env.transaction() as session:
        orgs = session.scalars(select(Organization).order_by(Organization.code)).all()
        rows = [
            {"code": o.code, "name": o.name, "level": o.level.value,
             "parent": o.parent.code if o.parent else None, "fonds_code": o.fonds_code}
            for o in orgs
        ]
    if as_json:
        for row in rows:
            echo_json(row)
        return
    if not rows:
        click.echo(translate("No agencies yet: run `recordsys demo` or `recordsys org add`.", env.lang))
    for r in rows:
        click.echo(f"{r['code']:<14} {r['level']:<9} {r['fonds_code'] or '-':<10} {r['name']}")


@org.command("add")
@click.option("--code", required=True, help="Organ identifier code, e.g. 000.00.31.H41.")
@click.option("--name", required=True)
@click.option("--level", required=True, type=click.Choice([level.value for level in OrgLevel]))
@click.option("--parent", "parent_code", help="Code of the parent agency.")
@click.option("--fonds-code", help="Fonds code (mã phông) of the agency's archive.")
@pass_env
def org_add(env, code, name, level, parent_code, fonds_code):
    """Add an agency."""
    with env.transaction() as session:
        created = _service_call(services.create_org, session, code=code, name=name, level=level,
                                parent_code=parent_code, fonds_code=fonds_code, actor="cli")
        click.echo(translate("Added ${code} ${name}.", env.lang, {"code": created.code, "name": created.name}))


@org.command("merge")
@click.option("--from", "source_code", required=True, help="The agency that is merged (its fonds is closed).")
@click.option("--into", "target_code", required=True, help="The successor that takes its open work.")
@click.option("--preview/--apply", default=True, show_default=True,
              help="Show what would change (the default), or do it.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as one JSON object.")
@pass_env
def org_merge(env, source_code, target_code, preview, as_json):
    """Merge an agency into its successor (2025 reorganisation): its fonds is closed and names the
    successor's; open dossiers and plan lines not yet opened move to the successor; one audited
    batch. Exit 1 when there is a conflict."""
    from recordsys.dossiers.fonds import apply_merge, preview_merge
    from recordsys.errors import DomainError

    class _Preview(Exception):  # aborts the transaction: a preview changes nothing
        pass

    try:
        with env.transaction() as session:
            source = _service_call(services.require_org, session, source_code)
            target = _service_call(services.require_org, session, target_code)
            plan = preview_merge(session, source, target) if preview else apply_merge(session, source, target, "cli")
            if preview:
                raise _Preview
    except _Preview:
        pass
    except DomainError as exc:
        problems = "".join(f"\n  - {p}" for p in getattr(exc, "problems", []) or [])
        raise CommandError("${exc}${problems}", mapping={"exc": exc, "problems": problems}) from None
    if as_json:
        echo_json({"applied": not preview, **plan.to_dict()})
    else:
        verb = "Would move" if preview else "Moved"
        summary = ("Preview: fonds ${source_fonds} of ${source} would be closed, successor ${target_fonds} (${target})."
                   if preview else
                   "Applied: fonds ${source_fonds} of ${source} is closed, successor ${target_fonds} (${target}).")
        click.echo(translate(summary, env.lang, {"source_fonds": plan.source_fonds, "source": plan.source,
                                                 "target_fonds": plan.target_fonds, "target": plan.target}))
        for move in plan.moves:
            click.echo(f"  {verb} {move.kind} {move.year} {move.code}: {move.title}"
                       + (f" ({move.old_code} -> {move.new_code})" if move.new_code else ""))
        click.echo(translate("  ${stays} dossier(s) stay in the closed fonds.", env.lang, {"stays": plan.stays}))
        for conflict in plan.conflicts:
            click.echo(f"  conflict: {conflict}")
    if plan.conflicts:
        raise SystemExit(1)


@click.group()
def user():
    """Users and their roles."""


@user.command("add")
@click.argument("username")
@click.option("--full-name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--email")
@click.option("--org", "org_code", help="Grant the roles in this agency.")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]))
@pass_env
def user_add(env, username, full_name, password, email, org_code, roles):
    """Create a user and optionally grant roles in one agency."""
    if roles and not org_code:
        raise click.UsageError("--role needs --org.")
    with env.transaction() as session:
        created = _service_call(services.create_user, session, username=username, full_name=full_name,
                                password=password, email=email, actor="cli")
        if org_code:
            target = _service_call(services.require_org, session, org_code)
            for role in roles:
                _service_call(services.grant_role, session, created, target, role, actor="cli")
        click.echo(translate("Created user ${user} with ${roles} in ${org}.", env.lang, {"user": created.username, "roles": ", ".join(roles), "org": org_code})
                   if roles else translate("Created user ${user}.", env.lang, {"user": created.username}))


@user.command("grant")
@click.argument("username")
@click.option("--org", "org_code", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@pass_env
def user_grant(env, username, org_code, roles):
    """Grant roles in an agency to an existing user."""
    with env.transaction() as session:
        target_user = session.scalar(select(User).where(User.username == username.lower()))
        if target_user is None:
            raise CommandError("Unknown user ${username}.", mapping={"username": f"{username!r}"})
        target = _service_call(services.require_org, session, org_code)
        for role in roles:
            _service_call(services.grant_role, session, target_user, target, role, actor="cli")
    click.echo(translate("Granted ${items} in ${org_code} to ${username}.", env.lang, {"items": ', '.join(roles), "org_code": org_code, "username": username}))


def _user(session, username: str) -> User:
    found = session.scalar(select(User).where(User.username == username.strip().lower()))
    if found is None:
        raise CommandError("Unknown user ${username}.", mapping={"username": f"{username!r}"})
    return found


@user.command("password")
@click.argument("username")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True)
@pass_env
def user_password(env, username, password):
    """Set a user's password; every session of the user ends."""
    with env.transaction() as session:
        _service_call(services.change_password, session, _user(session, username), password, actor="cli")
    click.echo(translate("Password of ${username} changed; their sessions are ended.", env.lang, {"username": username}))


@user.command("disable")
@click.argument("username")
@pass_env
def user_disable(env, username):
    """Disable a user: sign-in refused, every session ended (API tokens stop working too)."""
    with env.transaction() as session:
        services.set_active(session, _user(session, username), False, actor="cli")
    click.echo(translate("Disabled ${username}; their sessions are ended.", env.lang, {"username": username}))


@user.command("enable")
@click.argument("username")
@pass_env
def user_enable(env, username):
    """Enable a disabled user again."""
    with env.transaction() as session:
        services.set_active(session, _user(session, username), True, actor="cli")
    click.echo(translate("Enabled ${user}.", env.lang, {"user": username}))


@user.command("end-sessions")
@click.argument("username")
@pass_env
def user_end_sessions(env, username):
    """Sign a user out everywhere (every browser session ends)."""
    with env.transaction() as session:
        services.end_sessions(session, _user(session, username), actor="cli", reason="ended by an administrator")
    click.echo(translate("Every session of ${username} is ended.", env.lang, {"username": username}))


@click.group()
def token():
    """API tokens for machines."""


@token.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for.")
@pass_env
def token_create(env, username, name):
    """Create an API token (printed once; only its digest is stored)."""
    with env.transaction() as session:
        target_user = session.scalar(select(User).where(User.username == username.lower()))
        if target_user is None:
            raise CommandError("Unknown user ${username}.", mapping={"username": f"{username!r}"})
        value = services.create_token(session, target_user, name, actor="cli")
    click.echo(value)
