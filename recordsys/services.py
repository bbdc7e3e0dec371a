"""Finding services registered with pyramid_services outside a request (commands, jobs).

Inside a request, use ``request.find_service(IFace)``. Our services are registered once, as
instances, in each domain's ``includeme``; commands and jobs take them from the same registry.
"""
from __future__ import annotations

from zope.interface import Interface


class _RegistryHolder:
    def __init__(self, registry):
        self.registry = registry


def find_service(registry, iface, name: str = ""):
    """The service registered for ``iface`` (and ``name``) in ``registry``."""
    from pyramid_services import find_service_factory

    return find_service_factory(_RegistryHolder(registry), iface, name=name)(None, None)


class IHealthCheck(Interface):
    """A named part of the installation that reports its health as a dict with ``reachable``
    (registered by the part itself, e.g. ``name="search"``; read by ``/api/v1/health``)."""
