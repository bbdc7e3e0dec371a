"""Dossiers (hồ sơ): plans, building, metadata, closing, hand-over, retention and disposition."""


def includeme(config):
    from recordsys.web import add_navigation

    org = "recordsys.core.security.organization_factory"
    config.add_route("dossiers", "/orgs/{org}/dossiers", factory=org)
    config.add_route("dossier", "/orgs/{org}/dossiers/{id:\\d+}", factory=org)
    config.add_route("dossier.fields", "/orgs/{org}/dossiers/{id:\\d+}/fields", factory=org)
    config.add_route("dossier.close", "/orgs/{org}/dossiers/{id:\\d+}/close", factory=org)
    config.add_route("dossier.reorder", "/orgs/{org}/dossiers/{id:\\d+}/order", factory=org)
    config.add_route("archive", "/orgs/{org}/archive", factory=org)
    config.add_route("transfers", "/orgs/{org}/transfers", factory=org)
    config.add_route("transfer.accept", "/orgs/{org}/transfers/{id:\\d+}/accept", factory=org)
    config.add_route("disposition", "/orgs/{org}/dispositions", factory=org)
    config.add_route("disposition.step", "/orgs/{org}/dispositions/{id:\\d+}", factory=org)
    config.add_route("api.dossiers", "/api/v1/orgs/{org}/dossiers", factory=org)
    add_navigation("dossier.read", "dossiers", "Dossiers", org_scoped=True)
    add_navigation("dossier.read", "archive", "Archive", org_scoped=True)
    config.scan("recordsys.dossiers.views")
