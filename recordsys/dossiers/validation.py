"""Field-by-field validation of archival metadata against the definition: pure functions."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from recordsys.metadata import Definition

MESSAGES = {
    "mandatory": ("Trường {vi} ({el}) là bắt buộc.", "{el} ({vi}) is mandatory."),
    "max_length": ("Trường {vi} ({el}) dài quá {n} ký tự.", "{el} ({vi}) is longer than {n} characters."),
    "integer": ("Trường {vi} ({el}) phải là số nguyên.", "{el} ({vi}) must be a whole number."),
    "date": ("Trường {vi} ({el}) phải là ngày dạng YYYY-MM-DD.", "{el} ({vi}) must be a date as YYYY-MM-DD."),
    "code": ("Giá trị {value!r} của {vi} ({el}) không có trong danh mục.",
             "{value!r} is not in the code list of {el} ({vi})."),
    "unknown": ("Trường {el} không có trong Thông tư 02/2019.", "{el} is not a Circular 02/2019 field."),
    "date_order": ("Thời gian bắt đầu phải trước hoặc bằng thời gian kết thúc.",
                   "StartDate must not be after EndDate."),
}


@dataclass(frozen=True)
class FieldError:
    field: str
    rule: str
    message_vi: str
    message_en: str

    def to_dict(self) -> dict:
        return asdict(self)


def _error(field, rule, **kw) -> FieldError:
    vi, en = MESSAGES[rule]
    return FieldError(field.element if hasattr(field, "element") else field, rule,
                      vi.format(**kw), en.format(**kw))


def validate(definition: Definition, kind: str, values: dict, *, require_computed: bool = True) -> list[FieldError]:
    """Errors for ``values`` (element name -> value) of a dossier or document, in field order."""
    errors: list[FieldError] = []
    fields = {f.element: f for f in definition.fields(kind)}
    for name in values:
        if name not in fields:
            errors.append(_error(name, "unknown", el=name))
    for field in fields.values():
        value = values.get(field.element)
        kw = {"el": field.element, "vi": field.name_vi, "n": field.max_length, "value": value}
        if value in (None, "", []):
            if field.mandatory and (require_computed or not field.computed):
                errors.append(_error(field, "mandatory", **kw))
            continue
        if field.type == "integer":
            if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
                errors.append(_error(field, "integer", **kw))
            elif len(str(value)) > field.max_length:
                errors.append(_error(field, "max_length", **kw))
        elif field.type == "date":
            try:
                dt.date.fromisoformat(str(value))
            except ValueError:
                errors.append(_error(field, "date", **kw))
        elif field.type in ("code", "code_list"):
            codes = definition.code_values(field.code_list)
            items = value if isinstance(value, list) else [value]
            bad = [v for v in items if str(v) not in codes]
            if bad:
                errors.append(_error(field, "code", **{**kw, "value": bad[0]}))
        elif len(str(value)) > field.max_length:
            errors.append(_error(field, "max_length", **kw))
    start, end = values.get("StartDate"), values.get("EndDate")
    if start and end and not any(e.field in ("StartDate", "EndDate") for e in errors) and str(start) > str(end):
        errors.append(_error("StartDate", "date_order"))
    return errors
