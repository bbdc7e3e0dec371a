"""Exchange (liên thông văn bản): edXML envelopes, the outbox and inbox of our agencies, delivery
(internal or through the axis) and our hub's ``/axis/{operation}`` endpoint."""


def includeme(config):
    from recordsys.exchange.transport import IExchangeTransport, make_transport
    from recordsys.web import add_navigation

    config.register_service(make_transport(config.get_settings()), IExchangeTransport)
    config.add_route("axis", "/axis/{operation}")
    org = "recordsys.core.security.organization_factory"
    config.add_route("exchange.inbox", "/orgs/{org}/exchange/inbox", factory=org)
    config.add_route("exchange.decide", "/orgs/{org}/exchange/inbox/{id:\\d+}", factory=org)
    config.add_route("exchange.outbox", "/orgs/{org}/exchange/outbox", factory=org)
    config.add_route("exchange.document", "/orgs/{org}/exchange/documents/{id:\\d+}", factory=org)
    config.add_route("exchange.document.status", "/orgs/{org}/exchange/documents/{id:\\d+}/status", factory=org)
    config.add_route("exchange.document.followup",
                     "/orgs/{org}/exchange/documents/{id:\\d+}/{kind:update|replacement|revoke}", factory=org)
    config.add_route("exchange.document.version", "/orgs/{org}/exchange/documents/{id:\\d+}/versions/{n:\\d+}",
                     factory=org)
    config.add_route("api.exchange.status", "/api/v1/orgs/{org}/exchange/documents/{id:\\d+}/status", factory=org)
    # the sender's update (business type 2), replacement (3) and revocation (1) of a document sent
    config.add_route("api.exchange.update", "/api/v1/orgs/{org}/exchange/documents/{id:\\d+}/update", factory=org)
    config.add_route("api.exchange.replacement", "/api/v1/orgs/{org}/exchange/documents/{id:\\d+}/replacement",
                     factory=org)
    config.add_route("api.exchange.revoke", "/api/v1/orgs/{org}/exchange/documents/{id:\\d+}/revoke", factory=org)
    add_navigation("document.read", "exchange.inbox", "Inbox", org_scoped=True)
    add_navigation("document.read", "exchange.outbox", "Outbox", org_scoped=True)
    config.scan("recordsys.exchange.hub")
    config.scan("recordsys.exchange.views")
