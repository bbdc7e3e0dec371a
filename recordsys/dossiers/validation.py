"""Field-by-field validation of archival metadata against the definition: pure functions."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from recordsys.i18n import translate
from recordsys.metadata import Circular05Definition, Definition

#: English message ids of the catalog (recordsys/locale), one per rule
MESSAGES = {
    "mandatory": "${el} (${name}) is mandatory.",
    "max_length": "${el} (${name}) is longer than ${n} characters.",
    "integer": "${el} (${name}) must be a whole number.",
    "date": "${el} (${name}) must be a date as YYYY-MM-DD.",
    "code": "${value} is not in the code list of ${el} (${name}).",
    "unknown": "${el} is not a Circular 02/2019 field.",
    "unknown05": "${el} is not a Circular 05/2025 field that can be entered.",
    "date_order": "StartDate must not be after EndDate.",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    rule: str
    mapping: dict = dataclasses.field(default_factory=dict, compare=False)

    def localized(self, lang: str = "vi") -> str:
        return translate(MESSAGES[self.rule], lang, self.mapping)

    @property
    def message_vi(self) -> str:
        return self.localized("vi")

    @property
    def message_en(self) -> str:
        return self.localized("en")

    def to_dict(self) -> dict:
        """Both languages: the verdict is returned as JSON to programs that choose their own."""
        return {"field": self.field, "rule": self.rule, "message_vi": self.message_vi, "message_en": self.message_en}


def _error(field, rule, **kw) -> FieldError:
    mapping = {"el": kw.get("el"), "name": kw.get("vi"), "n": kw.get("n"), "value": repr(kw.get("value"))}
    return FieldError(field.element if hasattr(field, "element") else field, rule, mapping)


def validate(definition: Definition, kind: str, values: dict, *, require_computed: bool = True,
             only: tuple[str, ...] | None = None) -> list[FieldError]:
    """Errors for ``values`` (element name -> value) of a dossier or document, in field order;
    ``only``: the elements that may be given (the others of the definition are not checked).
    The same rules serve Circular 02/2019 (``metadata.load()``) and Circular 05/2025
    (``metadata.load_circular05()``)."""
    errors: list[FieldError] = []
    fields = {f.element: f for f in definition.fields(kind) if only is None or f.element in only}
    unknown = "unknown05" if isinstance(definition, Circular05Definition) else "unknown"
    for name in values:
        if name not in fields:
            errors.append(_error(name, unknown, el=name))
    for field in fields.values():
        value = values.get(field.element)
        kw = {"el": field.element, "vi": field.name_vi, "n": field.max_length, "value": value}
        if value in (None, "", []):
            if field.mandatory and (require_computed or not field.computed):
                errors.append(_error(field, "mandatory", **kw))
            continue
        if field.type == "integer":
            digits = str(value) if unknown == "unknown05" else str(value).lstrip("-")  # Circular 05: counts, >= 0
            if isinstance(value, bool) or not digits.isdigit():
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
