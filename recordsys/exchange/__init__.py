"""Exchange (liên thông văn bản): edXML envelopes, the outbox and inbox of our agencies, delivery
(internal or through the axis) and our hub's ``/axis/{operation}`` endpoint."""


def includeme(config):
    from recordsys.exchange.transport import IExchangeTransport, make_transport

    config.register_service(make_transport(config.get_settings()), IExchangeTransport)
    config.add_route("axis", "/axis/{operation}")
    config.scan("recordsys.exchange.hub")
