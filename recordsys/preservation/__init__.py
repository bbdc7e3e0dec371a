"""Preservation: archival packages (BagIt), storage locations, fixity audits."""


def includeme(config):
    import recordsys.preservation.jobs  # noqa: F401  (registers the audit job)
    from recordsys.web import add_navigation

    config.add_route("preservation", "/preservation")
    config.add_route("preservation.verify", "/preservation/{id:\\d+}/verify")
    config.add_route("api.packages", "/api/v1/packages")
    add_navigation("preservation.read", "preservation", "Preservation")
    config.scan("recordsys.preservation.views")
