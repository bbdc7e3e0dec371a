"""Audit scheduling: per-location cycles, first checks spread over the cycle."""
import datetime as dt

import pytest

from recordsys.preservation.schedule import LocationSpec, first_check, next_check, parse_locations

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_parse_locations():
    assert parse_locations("kho-a=/srv/a;kho-b=/mnt/b,30") == [
        LocationSpec("kho-a", "/srv/a", 365), LocationSpec("kho-b", "/mnt/b", 30)]


@pytest.mark.parametrize("value,message", [
    ("a=/x", "at least two"),
    ("a=/x;b", "is not name=path"),
    ("a=/x;b=/y,nhanh", "number of days"),
    ("a=/x;b=/y,0", "at least one day"),
    ("a=/x;a=/y", "distinct"),
])
def test_parse_locations_rejects(value, message):
    with pytest.raises(ValueError, match=message):
        parse_locations(value)


def test_first_checks_spread_over_the_cycle_and_are_stable():
    days = [(first_check(T0, f"hs-{i}", "kho-a", 365) - T0).days for i in range(2000)]
    assert min(days) >= 1 and max(days) < 365
    assert len(set(days)) > 300  # spread, not bunched on one night
    assert first_check(T0, "hs-1", "kho-a", 365) == first_check(T0, "hs-1", "kho-a", 365)
    assert first_check(T0, "hs-1", "kho-a", 365) != first_check(T0, "hs-1", "kho-b", 365)
    assert next_check(T0, 30) == T0 + dt.timedelta(days=30)
