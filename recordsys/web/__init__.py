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


#: (permission, route name, label): navigation entries; domains append theirs in their includeme
NAVIGATION: list[tuple[str, str, str]] = []


def _nav(request):
    entries = []
    for permission, route, label in NAVIGATION:
        if request.has_permission(permission):
            entries.append((request.route_url(route), label))
    return entries
