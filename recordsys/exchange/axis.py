"""The axis protocol's request authentication (``XroadVnpt-*`` headers), as its client library sends
it (see ``shared/standards/edxml.md``), for our client and for our hub.

- every operation header travels with the ``XroadVnpt-`` prefix, with ``systemid``, ``timestamp``
  (``ddMMyyyy'T'HHmmss+SSSS``, the four digits being milliseconds) and ``Content-Type``;
- ``XroadVnpt-sign-header-key`` lists the signed names (no prefix) joined by ``;``;
  ``XroadVnpt-sign-header`` is a JSON object of the prefixed names and values in that order;
  ``XroadVnpt-hash-header`` = hex HMAC-SHA256(secret, that JSON text exactly as sent);
- ``XroadVnpt-hash-file`` = SHA-256 of the body, each byte in hex without its leading zero.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from recordsys.exchange.edxml import VIETNAM

PREFIX = "XroadVnpt-"
VERSION = "3.0.201608"
USER_AGENT = "JAVASDKAgent/1.0.0 XRoad/VPCP"


def hash_file(body: bytes) -> str:
    """SHA-256 of ``body`` as the axis writes it: each byte in hex without leading zero (0x09 -> ``9``)."""
    return axis_hex(hashlib.sha256(body).digest())


def axis_hex(digest: bytes) -> str:
    """A digest written the axis's way (each byte in hex without leading zero)."""
    return "".join(format(b, "x") for b in digest)


def format_timestamp(when: dt.datetime) -> str:
    local = when.astimezone(VIETNAM)
    return local.strftime("%d%m%YT%H%M%S") + f"+{local.microsecond // 1000:04d}"


def parse_timestamp(text: str) -> dt.datetime | None:
    try:
        stamp, _, millis = (text or "").partition("+")
        value = dt.datetime.strptime(stamp, "%d%m%YT%H%M%S").replace(tzinfo=VIETNAM)
        return value + dt.timedelta(milliseconds=int(millis or 0))
    except ValueError:
        return None


def hmac_hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def signed_headers(system_id: str, secret: str, operation_headers: dict[str, str], *,
                   content_type: str = "application/json", now: dt.datetime | None = None) -> dict[str, str]:
    """The HTTP headers of one request: operation headers prefixed, signed with the member's secret."""
    values = {"systemid": system_id, "timestamp": format_timestamp(now or dt.datetime.now(dt.UTC)),
              "Content-Type": content_type, **operation_headers}
    names = list(values)
    sign_header = json.dumps({PREFIX + n: values[n] for n in names}, ensure_ascii=False, separators=(",", ":"))
    headers = {PREFIX + n: str(v) for n, v in values.items()}
    headers.update({
        "Content-Type": content_type,
        PREFIX + "sign-header-key": ";".join(names),
        PREFIX + "sign-header": sign_header,
        PREFIX + "hash-header": hmac_hex(secret, sign_header),
        PREFIX + "version": VERSION,
        "User-Agent": USER_AGENT,
    })
    return headers
