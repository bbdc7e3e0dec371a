"""Object factories (factory_boy) shared by every domain's tests, instead of test modules importing
each other's helpers. Model factories take the session with ``Factory(session=…)`` via
:func:`bind`; plain-data factories (verdicts) need none."""
from __future__ import annotations

import hashlib
from pathlib import Path

import factory
from factory.alchemy import SQLAlchemyModelFactory

from recordsys.core.models import Organization, OrgLevel, User


class VerdictFactory(factory.DictFactory):
    """The JSON form of an intake check (``recordsys ingest check --json``) for a file on disk:
    accepted with a valid signature unless ``accepted=False``."""

    class Params:
        path: Path | None = None

    accepted = True
    file = factory.LazyAttribute(lambda o: str(o.path))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(Path(o.path).read_bytes()).hexdigest())
    size = factory.LazyAttribute(lambda o: Path(o.path).stat().st_size)
    signature = factory.LazyAttribute(lambda o: {
        "status": "valid" if o.accepted else "unsigned",
        "signatures": [{"signer": "Nguyễn Văn An", "organization": "UBND tỉnh Khánh Hòa"}] if o.accepted else []})
    pdfa = factory.LazyFunction(lambda: {"compliant": True, "flavour": "2b", "failed_rules": []})
    reasons = factory.LazyAttribute(lambda o: [] if o.accepted else ["Văn bản không có chữ ký số."])


def verdict_for(path, accepted: bool = True) -> dict:
    return VerdictFactory(path=path, accepted=accepted)


class OrganizationFactory(SQLAlchemyModelFactory):
    class Meta:
        model = Organization
        sqlalchemy_session_persistence = "flush"

    code = factory.Sequence(lambda n: f"000.{n // 100 % 100:02d}.{n % 100:02d}.T{n // 10000 % 10}9")
    name = factory.Sequence(lambda n: f"Ủy ban nhân dân xã Đông Hòa {n}")
    level = OrgLevel.commune
    settings = factory.LazyFunction(dict)


class UserFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_persistence = "flush"

    username = factory.Sequence(lambda n: f"nguoidung{n}")
    full_name = factory.Sequence(lambda n: f"Trần Thị Đào {n}")
    password_hash = factory.LazyFunction(lambda: "!")  # cannot sign in unless a password is set
    clearance = 0


def bind(session, *factories) -> None:
    """Point model factories at ``session`` (one transaction of the test)."""
    for model_factory in factories:
        model_factory._meta.sqlalchemy_session = session
