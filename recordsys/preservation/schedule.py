"""When each stored copy is checked again: pure functions.

Every copy is re-hashed at least once per cycle of its location (default yearly). The first check
of a new copy is placed at a stable pseudo-random day inside the first cycle, so that a year's
intake does not all fall due on one night; after that each check is one cycle after the last.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class LocationSpec:
    name: str
    path: str
    cycle_days: int = 365


def parse_locations(value: str, default_cycle_days: int = 365) -> list[LocationSpec]:
    """``name=path[,cycle_days];name=path…`` → locations; ValueError with a sentence when malformed."""
    specs = []
    for part in filter(None, (p.strip() for p in (value or "").split(";"))):
        name, sep, rest = part.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise ValueError(f"storage location {part!r} is not name=path[,cycle_days]")
        path, _, cycle = rest.partition(",")
        try:
            cycle_days = int(cycle) if cycle.strip() else default_cycle_days
        except ValueError:
            raise ValueError(f"cycle of storage location {name!r} must be a number of days") from None
        if cycle_days < 1:
            raise ValueError(f"cycle of storage location {name!r} must be at least one day")
        specs.append(LocationSpec(name.strip(), path.strip(), cycle_days))
    if len(specs) < 2:
        raise ValueError("at least two independent storage locations are needed (preservation.locations)")
    if len({s.name for s in specs}) != len(specs) or len({s.path for s in specs}) != len(specs):
        raise ValueError("storage locations need distinct names and paths")
    return specs


def first_check(stored_at: dt.datetime, package_name: str, location: str, cycle_days: int) -> dt.datetime:
    """A stable day inside the first cycle, spread by a hash of the package and location."""
    spread = int.from_bytes(hashlib.sha256(f"{package_name}@{location}".encode()).digest()[:4], "big")
    return stored_at + dt.timedelta(days=1 + spread % max(cycle_days - 1, 1))


def next_check(checked_at: dt.datetime, cycle_days: int) -> dt.datetime:
    return checked_at + dt.timedelta(days=cycle_days)
