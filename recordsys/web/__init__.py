"""Web pages: layout, login, logout, language, per-role home."""


def includeme(config):
    config.add_static_view("static", "recordsys.web:static", cache_max_age=3600)
    config.add_route("home", "/")
    config.add_route("login", "/login")
    config.add_route("logout", "/logout")
    config.add_route("language", "/language/{code}")
    config.add_jinja2_search_path("recordsys.web:templates", name=".jinja2")
    config.add_request_method(_nav, "nav", reify=True)
    config.scan("recordsys.web")


#: (permission, route name, label, under /orgs/{org}): menu entries; domains add theirs
NAVIGATION: list[tuple[str, str, str, bool]] = []


def add_navigation(permission: str, route: str, label: str, org_scoped: bool = False) -> None:
    if (permission, route, label, org_scoped) not in NAVIGATION:
        NAVIGATION.append((permission, route, label, org_scoped))


#: name -> function(request) giving what the home page shows under that name; domains add theirs
HOME_PARTS: dict = {}


def add_home_part(name: str, build) -> None:
    """A domain contributes a part of the home page (e.g. the workflow's inbox of work)."""
    HOME_PARTS[name] = build


def _nav(request):
    """Menu entries the user may use; an agency's page links to the first agency that allows it."""
    from sqlalchemy import select

    from recordsys.core.models import Organization

    entries = []
    for permission, route, label, org_scoped in NAVIGATION:
        if not org_scoped:
            if request.has_permission(permission):
                entries.append((request.route_url(route), label))
            continue
        org_ids = request.org_ids_with(permission)
        if org_ids:
            code = request.dbsession.scalar(select(Organization.code).where(Organization.id.in_(org_ids))
                                            .order_by(Organization.code).limit(1))
            entries.append((request.route_url(route, org=code), label))
    return entries
