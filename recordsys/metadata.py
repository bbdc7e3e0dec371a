"""The archival metadata definition (Circular 02/2019/TT-BNV) and its code lists, loaded once from
``metadata/`` — the single source the validation, the forms and the exports read."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "metadata"


@dataclass(frozen=True)
class Field:
    element: str
    name_vi: str
    meaning_en: str
    type: str  # string | integer | date | code | code_list
    max_length: int
    mandatory: bool
    code_list: str | None = None
    computed: bool = False


@dataclass(frozen=True)
class Definition:
    dossier: tuple[Field, ...]
    document: tuple[Field, ...]
    code_lists: dict

    def fields(self, kind: str) -> tuple[Field, ...]:
        return getattr(self, kind)

    def codes(self, name: str) -> list[dict]:
        return self.code_lists[name]["values"]

    def code_values(self, name: str) -> set[str]:
        return {v["code"] for v in self.codes(name)}

    def label(self, name: str, code, lang: str = "vi") -> str:
        for value in self.codes(name):
            if value["code"] == code:
                return value[lang]
        return str(code)


def metadata_dir() -> Path:
    return Path(os.environ.get("RECORDSYS_METADATA_DIR") or DEFAULT_DIR)


@lru_cache(maxsize=4)
def load(directory: str | None = None) -> Definition:
    folder = Path(directory) if directory else metadata_dir()
    raw = json.loads((folder / "circular02.json").read_text(encoding="utf-8"))
    lists = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((folder / "codelists").glob("*.json"))}
    make = lambda rows: tuple(Field(**row) for row in rows)
    return Definition(make(raw["dossier"]), make(raw["document"]), lists)


# Circular 05/2025/TT-BNV (in force since July 2025): the same shape, with a fonds level and its
# own code lists in ``metadata/codelists/c05/`` (codes "01" … as the circular numbers them).
C05_CODELISTS = Path("codelists") / "c05"


@dataclass(frozen=True)
class Circular05Definition(Definition):
    fonds: tuple[Field, ...] = ()


@lru_cache(maxsize=4)
def load_circular05(directory: str | None = None) -> Circular05Definition:
    """The Circular 05/2025 definition (fonds, dossier, document) and its code lists."""
    folder = Path(directory) if directory else metadata_dir()
    raw = json.loads((folder / "circular05.json").read_text(encoding="utf-8"))
    lists = {p.stem: json.loads(p.read_text(encoding="utf-8"))
             for p in sorted((folder / C05_CODELISTS).glob("*.json"))}
    make = lambda rows: tuple(Field(**row) for row in rows)
    return Circular05Definition(make(raw["dossier"]), make(raw["document"]), lists, make(raw["fonds"]))
