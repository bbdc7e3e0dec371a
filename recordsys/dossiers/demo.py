"""The demo province after the 2025 reorganisation: two levels (the province and its communes).

``recordsys demo`` seeds the province as it was (``recordsys.core.demo``: a city and a district,
each with a commune) and then runs the reorganisation through the same audited mergers an
administrator runs (``recordsys org merge``):

- the ward Lộc Thọ is merged with others into a new ward (here ``Ủy ban nhân dân phường Nha Trang``):
  its fonds is closed and names the new ward's, its open dossier moves there with a new code (the
  old one kept as an alternative identifier);
- the city of Nha Trang and the district of Cam Lâm are dissolved: their fonds are closed and name
  the province's, their open work goes to the province, and the communes under them now answer to
  the province; the earlier years' plan lines stay in the closed fonds.

Names and codes are illustrative, as in ``recordsys.core.demo``: not the official list of the 2025
reorganisation of Khánh Hòa.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from recordsys.core import services
from recordsys.core.demo import PROVINCE
from recordsys.dossiers import building
from recordsys.dossiers.fonds import MergePlan, apply_merge

CITY, DISTRICT = "000.00.41.H41", "000.00.42.H41"  # dissolved (cấp huyện)
MERGED_WARD = "000.01.41.H41"  # phường Lộc Thọ, merged into the new ward
#: the ward formed by the merger: code, name, short name, level, parent, fonds code
NEW_WARD = ("000.02.41.H41", "Ủy ban nhân dân phường Nha Trang", "UBND", "commune", PROVINCE, "H41-02-41")
ACTOR = "demo"


def reorganise(session: Session, today: dt.date | None = None) -> list[MergePlan]:
    """Apply the 2025 reorganisation to the seeded demo province; returns the applied mergers."""
    today = today or dt.date.today()
    code, name, short, level, parent, fonds = NEW_WARD
    services.create_org(session, code=code, name=name, short_name=short, level=level, parent_code=parent,
                        fonds_code=fonds, actor=ACTOR)
    work = [  # (agency, plan code, title, retention): what each agency had open on the day
        (MERGED_WARD, "01.VP", "Hồ sơ sắp xếp đơn vị hành chính phường Lộc Thọ", "20"),
        (CITY, "01.TH", "Hồ sơ kết thúc hoạt động của chính quyền thành phố Nha Trang", "vinh_vien"),
        (DISTRICT, "02.TH", "Hồ sơ kết thúc hoạt động của chính quyền huyện Cam Lâm", "vinh_vien"),
    ]
    for org_code, plan_code, title, retention in work:
        org = services.require_org(session, org_code)
        building.add_plan_entry(session, organization=org, year=today.year - 1, code=plan_code.replace("0", "9", 1),
                                title=f"{title} (năm trước, chưa lập)", retention=retention, actor=ACTOR)
        building.open_dossier(session, organization=org, year=today.year, plan_code=plan_code, title=title,
                              retention=retention, actor=ACTOR)
    plans = []
    for source, target in ((MERGED_WARD, NEW_WARD[0]), (CITY, PROVINCE), (DISTRICT, PROVINCE)):
        plans.append(apply_merge(session, services.require_org(session, source), services.require_org(session, target),
                                 ACTOR, today))
    return plans
