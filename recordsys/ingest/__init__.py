"""Intake (tiếp nhận): signature and PDF/A verdicts, registration, scans."""


def includeme(config):
    from recordsys.ingest.interfaces import IDocumentChecker
    from recordsys.ingest.services import DocumentChecker
    from recordsys.web import add_navigation

    config.register_service(DocumentChecker(config.get_settings()), IDocumentChecker)

    org = "recordsys.core.security.organization_factory"
    config.add_route("intake", "/orgs/{org}/intake", factory=org)
    config.add_route("intake.register", "/orgs/{org}/intake/register", factory=org)
    config.add_route("documents", "/orgs/{org}/documents", factory=org)
    config.add_route("document.file", "/orgs/{org}/documents/{id:\\d+}/file", factory=org)
    config.add_route("api.documents", "/api/v1/orgs/{org}/documents", factory=org)
    config.add_route("api.document.file", "/api/v1/orgs/{org}/documents/{id:\\d+}/file", factory=org)
    add_navigation("document.register", "intake", "Intake", org_scoped=True)
    add_navigation("document.read", "documents", "Documents", org_scoped=True)
    config.scan("recordsys.ingest.views")
