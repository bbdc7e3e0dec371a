"""JSON API under /api/v1/: problem+json errors, an OpenAPI document built from the routes."""


def includeme(config):
    config.add_route("api.health", "/api/v1/health")
    config.add_route("api.openapi", "/api/v1/openapi.json")
    config.add_route("api.me", "/api/v1/me")
    config.add_route("api.orgs", "/api/v1/orgs")
    config.add_route("api.org", "/api/v1/orgs/{org}", factory="recordsys.core.security.organization_factory")
    config.add_route("api.audit.verify", "/api/v1/audit/verify")
    config.scan("recordsys.api")
