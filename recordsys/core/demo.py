"""A small demo province: Khánh Hòa's People's Committee, its office, three departments,
two districts and two communes, with one user of each role.

The organ codes follow the shape of Decision 20/2020/QĐ-TTg; they are illustrative, not the
official list.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recordsys.core import services
from recordsys.core.models import Organization

PROVINCE = "000.00.00.H41"
OFFICE = "000.00.01.H41"

#: code, name, short name, level, parent, fonds code
DEMO_ORGS = [
    (PROVINCE, "Ủy ban nhân dân tỉnh Khánh Hòa", "UBND", "province", None, "H41-01"),
    (OFFICE, "Văn phòng Ủy ban nhân dân tỉnh Khánh Hòa", "VP", "province", PROVINCE, "H41-02"),
    ("000.00.31.H41", "Sở Nội vụ tỉnh Khánh Hòa", "SNV", "province", PROVINCE, "H41-31"),
    ("000.00.32.H41", "Sở Tài chính tỉnh Khánh Hòa", "STC", "province", PROVINCE, "H41-32"),
    ("000.00.33.H41", "Sở Tài nguyên và Môi trường tỉnh Khánh Hòa", "STNMT", "province", PROVINCE, "H41-33"),
    ("000.00.41.H41", "Ủy ban nhân dân thành phố Nha Trang", "UBND", "district", PROVINCE, "H41-41"),
    ("000.00.42.H41", "Ủy ban nhân dân huyện Cam Lâm", "UBND", "district", PROVINCE, "H41-42"),
    ("000.01.41.H41", "Ủy ban nhân dân phường Lộc Thọ", "UBND", "commune", "000.00.41.H41", "H41-41-01"),
    ("000.01.42.H41", "Ủy ban nhân dân xã Cam Hải Đông", "UBND", "commune", "000.00.42.H41", "H41-42-01"),
]

#: username, full name, role, organization
DEMO_USERS = [
    ("vanthu", "Trần Thị Thu Hà", "clerk", OFFICE),
    ("chuyenvien", "Lê Văn Đức", "specialist", OFFICE),
    ("lanhdao", "Nguyễn Đình Quang", "leader", OFFICE),
    ("luutru", "Phạm Thị Đào", "archivist", OFFICE),
    ("kiemtra", "Võ Minh Tâm", "auditor", OFFICE),
    ("quantri", "Đặng Quốc Bảo", "admin", PROVINCE),
]


def demo_password(username: str) -> str:
    return f"{username}-demo-2026"


def is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Organization)) == 0


def seed(session: Session) -> list[tuple[str, str, str, str]]:
    """Create the demo province; returns (username, password, role, org code) rows to print."""
    for code, name, short, level, parent, fonds in DEMO_ORGS:
        services.create_org(session, code=code, name=name, short_name=short, level=level,
                            parent_code=parent, fonds_code=fonds, actor="demo")
    logins = []
    for username, full_name, role, org_code in DEMO_USERS:
        password = demo_password(username)
        user = services.create_user(session, username=username, full_name=full_name,
                                    password=password, actor="demo")
        services.grant_role(session, user, services.require_org(session, org_code), role, actor="demo")
        logins.append((username, password, role, org_code))
    return logins
