"""Descriptive metadata of a package (``EAD.xml``, ``EAD_doc_<ordinal>.xml``): a ``simpledc`` root
whose children are the Circular 05 elements in the circular's order, dates as DD/MM/YYYY, a
repeated element for each value of a multi-valued field. Pure functions from values to bytes."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree

from recordsys.metadata import Circular05Definition, Field

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class MetadataError(ValueError):
    """Values that do not fit the Circular 05 definition; ``problems`` lists them (Vietnamese / English)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def xml_text(value: Any) -> str:
    """``value`` as XML-safe text: characters XML 1.0 cannot hold (NUL, other controls) are dropped."""
    return _NOT_XML.sub("", str(value))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return xml_text(value)


def _values(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def check(definition: Circular05Definition, kind: str | Iterable[Field], values: Mapping[str, Any]) -> list[str]:
    """Problems with ``values`` (element -> value) of a dossier or document (``kind``, or the fields
    themselves): unknown elements, missing mandatory ones, values outside their code list, text
    longer than allowed, a start after the end."""
    fields = {f.element: f for f in (definition.fields(kind) if isinstance(kind, str) else kind)}
    problems = [f"Trường {name!r} không có trong Thông tư 05/2025 / {name!r} is not a Circular 05 field"
                for name in values if name not in fields]
    for field in fields.values():
        items = _values(values.get(field.element))
        if not items:
            if field.mandatory and field.element != "arcFileCode":
                problems.append(f"Thiếu {field.name_vi} / {field.element} is mandatory")
            continue
        problems += _check_items(definition, field, items)
    start, end = values.get("startDate"), values.get("endDate")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
        problems.append("Thời gian bắt đầu sau thời gian kết thúc / startDate is after endDate")
    return problems


def _check_items(definition: Circular05Definition, field: Field, items: list[Any]) -> list[str]:
    if field.code_list:
        bad = [v for v in items if _text(v) not in definition.code_values(field.code_list)]
        return [(f"{field.name_vi}: {bad[0]!r} không có trong danh mục / {field.element}: {bad[0]!r} is not in "
                 f"the code list {field.code_list}")] if bad else []
    if field.type == "date":
        bad = [v for v in items if not isinstance(v, dt.date)]
        return [f"{field.name_vi} phải là ngày / {field.element} must be a date"] if bad else []
    if field.type == "integer":
        bad = [v for v in items if isinstance(v, bool) or not isinstance(v, int) or v < 0]
        return [f"{field.name_vi} phải là số nguyên / {field.element} must be a whole number"] if bad else []
    too_long = [v for v in items if len(_text(v)) > field.max_length]
    return [(f"{field.name_vi} dài quá {field.max_length} ký tự / {field.element} is longer than "
             f"{field.max_length} characters")] if too_long else []


XSI = "http://www.w3.org/2001/XMLSchema-instance"
MULTI_VALUED = {"language", "keyword"}  # written as one element per value

# The DIP's descriptive file: the reader's request (element names chosen by recordsys; verify
# against the circular's annex).
REQUEST_FIELDS = (
    Field("requestNumber", "Số phiếu yêu cầu", "number of the request", "string", 50, True),
    Field("purpose", "Mục đích sử dụng", "purpose: 01 personal, 02 official, 03 special", "code", 2, True,
          "dip_purpose"),
    Field("requester", "Người yêu cầu", "requester", "string", 200, True),
    Field("organName", "Cơ quan, tổ chức của người yêu cầu", "requester's organisation", "string", 200, False),
    Field("requestDate", "Ngày yêu cầu", "date of the request (DD/MM/YYYY)", "date", 10, True),
    Field("fileCode", "Mã hồ sơ", "code of the dossier the copies come from", "string", 100, True),
    Field("description", "Ghi chú", "notes", "string", 2000, False),
)


def simpledc(definition_fields: Iterable[Field] | None, values: Mapping[str, Any], schema: str = "") -> bytes:
    """A ``simpledc`` document: ``values`` in the order of ``definition_fields`` (or as given);
    ``schema`` is the relative location of its XSD."""
    order = [f.element for f in definition_fields] if definition_fields is not None else list(values)
    root = etree.Element("simpledc", nsmap={"xsi": XSI} if schema else None)
    if schema:
        root.set(f"{{{XSI}}}noNamespaceSchemaLocation", schema)
    for element in order:
        for item in _values(values.get(element)):
            etree.SubElement(root, element).text = _text(item)
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def request_values(number: str, purpose: str, requester: str, organisation: str, requested_on: dt.date,
                   file_code: str, description: str) -> dict[str, Any]:
    """The values of a DIP's descriptive file (REQUEST_FIELDS): the reader's request, not the records."""
    return {"requestNumber": number, "purpose": purpose, "requester": requester, "organName": organisation,
            "requestDate": requested_on, "fileCode": file_code, "description": description}
