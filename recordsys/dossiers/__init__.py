"""Dossiers (hồ sơ): plans, building, metadata, closing, hand-over, retention and disposition."""


def includeme(config):
    from recordsys.web import add_navigation

    org = "recordsys.core.security.organization_factory"
    config.add_route("dossiers", "/orgs/{org}/dossiers", factory=org)
    config.add_route("dossier", "/orgs/{org}/dossiers/{id:\\d+}", factory=org)
    config.add_route("dossier.fields", "/orgs/{org}/dossiers/{id:\\d+}/fields", factory=org)
    config.add_route("dossier.close", "/orgs/{org}/dossiers/{id:\\d+}/close", factory=org)
    config.add_route("api.dossiers", "/api/v1/orgs/{org}/dossiers", factory=org)
    add_navigation("dossier.read", "dossiers", "Dossiers", org_scoped=True)
    config.scan("recordsys.dossiers.views")
