"""Delivering outbox messages: internal delivery to the agencies on this installation (straight into
their inbox, no network hop) and HTTP to the axis or hub (``exchange.axis_url``, ``exchange.system_id``,
``exchange.secret``). Registered as the ``IExchangeTransport`` service; the delivery job builds it with
the same factory (:func:`make_transport`).
"""
from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from sqlalchemy import select
from zope.interface import Interface, implementer

from recordsys.core.models import Organization
from recordsys.exchange.axis import hash_file, signed_headers

log = logging.getLogger(__name__)


class IExchangeTransport(Interface):
    """Carries envelopes to their recipients; found with ``find_service(IExchangeTransport)``."""

    def deliver(session_factory, data, kind, recipients, done=()):
        """Deliver ``data`` to ``recipients`` not in ``done``; returns a ``Delivery``."""


@dataclass
class Delivery:
    """The outcome of one attempt: who got it, who failed (and whether trying again can help)."""

    delivered: list[str] = field(default_factory=list)  # handed over (inbox or axis)
    internal: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # organ -> error (retry may help)
    undeliverable: dict[str, str] = field(default_factory=dict)  # organ -> error (it will not)
    via: list[str] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"delivered": self.delivered, "internal": self.internal, "failed": self.failed,
                "undeliverable": self.undeliverable, "via": self.via, "results": self.results}


class AxisError(Exception):
    pass


@implementer(IExchangeTransport)
class ExchangeTransport:
    def __init__(self, settings: dict, storage=None, checker=None):
        self.settings = settings
        self._storage, self._checker = storage, checker

    @property
    def storage(self):
        if self._storage is None:
            from recordsys.storage import make_storage

            self._storage = make_storage(self.settings)
        return self._storage

    @property
    def checker(self):
        if self._checker is None:
            from recordsys.ingest.services import DocumentChecker

            self._checker = DocumentChecker(self.settings)
        return self._checker

    @property
    def axis_url(self) -> str:
        return (self.settings.get("exchange.axis_url") or "").rstrip("/")

    def deliver(self, session_factory, data: bytes, kind: str, recipients, done=()) -> Delivery:
        from recordsys.db import transaction_scope
        from recordsys.exchange.services import receive

        outcome = Delivery()
        pending = [r for r in recipients if r not in set(done)]
        with transaction_scope(session_factory) as session:
            local = set(session.scalars(select(Organization.code).where(Organization.code.in_(pending))))
        inside = [r for r in pending if r in local]
        outside = [r for r in pending if r not in local]
        if inside:
            outcome.via.append("internal")
            result = receive(session_factory, self.storage, self.checker, data, actor="exchange",
                             settings=self.settings, via="internal", only_orgs=inside)
            outcome.results.append(result)
            if result["accepted"]:
                outcome.delivered += inside
                outcome.internal += inside
            else:  # the envelope itself is refused: sending it again changes nothing
                for organ in inside:
                    outcome.undeliverable[organ] = "; ".join(result["errors"])
        if outside:
            if not self.axis_url:
                for organ in outside:
                    outcome.undeliverable[organ] = (
                        f"{organ} không ở trên hệ thống này và chưa cấu hình trục (exchange.axis_url). / "
                        f"{organ} is not on this installation and no axis is configured (exchange.axis_url).")
            else:
                outcome.via.append("axis")
                try:
                    answer = self.send_edoc(data, kind)
                    outcome.results.append(answer)
                    outcome.delivered += outside
                except AxisError as exc:
                    for organ in outside:
                        outcome.failed[organ] = str(exc)
        return outcome

    # --- HTTP to the axis --------------------------------------------------------------------

    def _post(self, operation: str, headers: dict, body: bytes) -> dict:
        request = urllib.request.Request(f"{self.axis_url}/{operation}", data=body, method="POST", headers=headers)
        timeout = float(self.settings.get("exchange.timeout_seconds") or 60)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace")
            raise AxisError(f"{operation}: HTTP {exc.code} {detail}") from None
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            # HTTPException: e.g. IncompleteRead when the other side dies between headers and body
            raise AxisError(f"{operation}: {exc!r}" if isinstance(exc, http.client.HTTPException) else f"{operation}: {exc}") from None
        if str(answer.get("ErrorCode", "0")) != "0" or str(answer.get("status", "OK")).upper() != "OK":
            raise AxisError(f"{operation}: {answer.get('ErrorCode')} {answer.get('ErrorDesc')}")
        return answer

    def headers(self, operation_headers: dict, content_type: str = "application/json") -> dict:
        return signed_headers(self.settings.get("exchange.system_id") or "", self.settings.get("exchange.secret") or "",
                              operation_headers, content_type=content_type)

    def send_edoc(self, data: bytes, kind: str) -> dict:
        from recordsys.exchange.reading import read_envelope

        envelope = read_envelope(data).envelope
        sender = envelope.sender.organ_id if envelope is not None else ""
        headers = self.headers({"from": sender, "servicetype": "eDoc",
                                "messagetype": "status" if kind == "status" else "edoc",
                                "hash-file": hash_file(data)}, content_type="application/octet-stream")
        return self._post("sendEdoc", headers, data)

    def received_list(self, message_type: str = "edoc") -> list[dict]:
        answer = self._post("getReceivedEdocList", self.headers({"servicetype": "eDoc", "messagetype": message_type}),
                            b"")
        return list(answer.get("data") or [])

    def get_edoc(self, doc_id: str) -> bytes:
        import base64

        answer = self._post("getEdoc", self.headers({"docid": doc_id}), b"{}")
        return base64.b64decode(answer.get("data") or "")

    def update_status(self, doc_id: str, status: str) -> dict:
        return self._post("updateStatus", self.headers({"docid": doc_id, "status": status}), b"{}")


def make_transport(settings: dict, storage=None, checker=None) -> ExchangeTransport:
    """The transport the settings choose (internal always; the axis when ``exchange.axis_url`` is set)."""
    return ExchangeTransport(settings, storage, checker)
