"""Workflow domain (issue #13): incoming documents, outgoing drafts, tasks.

``rules`` holds the state machines (pure), ``notation`` the number and symbol of Decree 30,
``signers`` the signing of outgoing documents by a software key or a PKCS#11 token and their issue.
"""


def includeme(config):
    from recordsys.exchange.services import workflow_listener
    from recordsys.web import add_home_part, add_navigation
    from recordsys.workflow.inbox import inbox
    from recordsys.workflow.keys import ISignerProvider, SignerProvider
    from recordsys.workflow.services import on_incoming_state

    config.register_service(SignerProvider(config.get_settings()), ISignerProvider)
    add_home_part("inbox", lambda request: inbox(request.dbsession, request.user))
    on_incoming_state("exchange", workflow_listener(config.registry))  # 04/05/06 to the original sender

    org = "recordsys.core.security.organization_factory"
    config.add_route("api.drafts", "/api/v1/orgs/{org}/drafts", factory=org)
    config.add_route("api.draft", "/api/v1/orgs/{org}/drafts/{id}", factory=org)
    config.add_route("api.draft.action", "/api/v1/orgs/{org}/drafts/{id}/{action}", factory=org)
    config.add_route("api.incoming.action", "/api/v1/orgs/{org}/incoming/{id}/{action}", factory=org)
    config.add_route("drafts", "/orgs/{org}/drafts", factory=org)
    config.add_route("draft.action", "/orgs/{org}/drafts/{id}/{action}", factory=org)
    add_navigation("document.read", "drafts", "Outgoing drafts", org_scoped=True)
    config.add_route("document.workflow", "/orgs/{org}/documents/{id}/workflow", factory=org)
    config.add_route("document.workflow.action", "/orgs/{org}/documents/{id}/workflow/{action}", factory=org)
    config.add_route("workflow.statistics", "/orgs/{org}/statistics", factory=org)
    config.add_route("api.workflow.statistics", "/api/v1/orgs/{org}/statistics", factory=org)
    add_navigation("document.read", "workflow.statistics", "Statistics", org_scoped=True)
    config.scan("recordsys.workflow.views")
    config.scan("recordsys.workflow.pages")
