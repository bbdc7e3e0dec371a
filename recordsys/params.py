"""Validated parsing of numbers and JSON fields that come from outside (URLs, query strings,
forms, JSON bodies): one path for every view and command; a bad value is a ``ParameterError``.

Only ASCII digits are numbers here (``int()`` also takes ``²``-free Unicode digits such as ``٣``
and ``str.isdigit()`` says yes to ``²``); values must fit the database's integer columns; JSON
values must have the JSON type asked for (``true``, ``1e400``, lists and objects are not integers).
A bad value raises :class:`ParameterError` naming the field: 400, problem+json under ``/api/``,
the error page elsewhere, and the transaction is rolled back (see ``recordsys.api.problems``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from recordsys.errors import DomainError

#: the largest value of a 32-bit INTEGER column (PostgreSQL ``integer``)
INT_MAX = 2**31 - 1
_MISSING: Any = object()
_DIGITS = re.compile(r"-?[0-9]{1,10}", re.ASCII)


class ParameterError(DomainError):
    """A parameter that is missing, not a number, out of range or of the wrong JSON type."""

    code = "invalid-parameter"
    http_status = 400

    def __init__(self, field: str, message: str, message_vi: str):
        # the sentence is built here from its two wordings (they carry numbers, types, limits)
        super().__init__("${field}: ${detail}", mapping={"field": field, "detail": _Wording(message, message_vi)},
                         field=field)


class _Wording:
    """A parameter error's detail in both languages (localizable as a mapping value)."""

    def __init__(self, en: str, vi: str):
        self.en, self.vi = en, vi

    def localized(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


def parse_int(raw, name: str, *, min: int = 0, max: int = INT_MAX, default=_MISSING) -> int:
    """``raw`` (a str from a URL/form, or a JSON value) as an int in ``[min, max]``."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if default is not _MISSING:
            return default
        raise ParameterError(name, "a number is required.", "cần một số.")
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise ParameterError(name, f"must be a whole number, not {type(raw).__name__}.",
                             "phải là một số nguyên.")
    if isinstance(raw, str):
        text = raw.strip()
        if not _DIGITS.fullmatch(text):
            raise ParameterError(name, "must be a whole number written with the digits 0-9.",
                                 "phải là số nguyên viết bằng các chữ số 0-9.")
        value = int(text)
    else:
        value = raw
    if not min <= value <= max:
        raise ParameterError(name, f"must be between {min} and {max}.", f"phải trong khoảng {min} đến {max}.")
    return value


def int_param(request, name: str, *, min: int = 0, max: int = INT_MAX, default=_MISSING,
              source: str = "params") -> int:
    """A number from the query string/form (``source`` "params", "GET" or "POST") or the URL
    (``source`` "matchdict")."""
    values = getattr(request, source)
    return parse_int(values.get(name), name, min=min, max=max, default=default)


def int_list(request, name: str, *, min: int = 1, max: int = INT_MAX, limit: int = 1000) -> list[int]:
    """Every value of a repeated form field (``add=3&add=5``) as numbers; empty values skipped."""
    raw = [v for v in request.POST.getall(name) if not (isinstance(v, str) and v.strip() == "")]
    if len(raw) > limit:
        raise ParameterError(name, f"at most {limit} values.", f"tối đa {limit} giá trị.")
    return [parse_int(v, name, min=min, max=max) for v in raw]


def int_csv(raw: str | None, name: str, *, min: int = 1, max: int = INT_MAX, limit: int = 10_000) -> list[int]:
    """A comma-separated list of numbers (``"3,1,2"``); empty items skipped."""
    parts = [p for p in (raw or "").split(",") if p.strip()]
    if len(parts) > limit:
        raise ParameterError(name, f"at most {limit} values.", f"tối đa {limit} giá trị.")
    return [parse_int(p, name, min=min, max=max) for p in parts]


# --- JSON bodies -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Int:
    min: int = 0
    max: int = INT_MAX
    default: Any = _MISSING

    def parse(self, value, name):
        if isinstance(value, float):  # 2026.0, 1e400, NaN: not integers
            kind = "infinite" if math.isinf(value) else "a fraction"
            raise ParameterError(name, f"must be a whole number ({kind} given).", "phải là một số nguyên.")
        return parse_int(value, name, min=self.min, max=self.max, default=self.default)


@dataclass(frozen=True)
class Text:
    max_length: int = 10_000
    default: Any = _MISSING

    def parse(self, value, name):
        if value is None:
            if self.default is not _MISSING:
                return self.default
            raise ParameterError(name, "is required.", "là bắt buộc.")
        if not isinstance(value, str):
            raise ParameterError(name, f"must be a string, not {type(value).__name__}.", "phải là một chuỗi.")
        if len(value) > self.max_length:
            raise ParameterError(name, f"at most {self.max_length} characters.",
                                 f"tối đa {self.max_length} ký tự.")
        return value


@dataclass(frozen=True)
class Mapping:
    """A JSON object of short text values (``{"subject": "…"}``), at most ``max_items`` of them."""

    max_items: int = 20
    max_length: int = 2_000
    default: Any = _MISSING

    def parse(self, value, name):
        if value is None and self.default is not _MISSING:
            return self.default
        if not isinstance(value, dict):
            raise ParameterError(name, "must be a JSON object of names and texts.",
                                 "phải là một đối tượng JSON gồm tên và giá trị chữ.")
        if len(value) > self.max_items:
            raise ParameterError(name, f"at most {self.max_items} entries.", f"tối đa {self.max_items} mục.")
        text = Text(max_length=self.max_length)
        return {str(k): text.parse(v, f"{name}.{k}") for k, v in value.items()}


@dataclass(frozen=True)
class TextList:
    """The values of a form field given several times (checkboxes), each a short text."""

    max_items: int = 100
    max_length: int = 100

    def parse(self, value, name):
        if len(value) > self.max_items:
            raise ParameterError(name, f"at most {self.max_items} entries.", f"tối đa {self.max_items} mục.")
        text = Text(max_length=self.max_length)
        return [text.parse(v, name) for v in value if isinstance(v, str)]


def form_fields(request, **schema) -> dict:
    """The submitted form checked against ``schema`` (name -> :class:`Text`/:class:`Int`/:class:`TextList`),
    as :func:`json_fields` does for a JSON body; the CSRF token, buttons and uploaded files are not
    part of it."""
    return {name: spec.parse(request.POST.getall(name) if isinstance(spec, TextList) else request.POST.get(name), name)
            for name, spec in schema.items()}


def json_fields(request, **schema) -> dict:
    """The request's JSON object checked against ``schema`` (name -> :class:`Int`/:class:`Text`/:class:`Mapping`);
    unknown names are refused too, so a typo is not silently ignored."""
    from recordsys.api.problems import json_body

    body = json_body(request)
    unknown = sorted(set(body) - set(schema))
    if unknown:
        raise ParameterError(unknown[0], "is not a field of this request.", "không phải một trường của yêu cầu này.")
    return {name: spec.parse(body.get(name), name) for name, spec in schema.items()}
