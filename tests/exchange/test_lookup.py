import datetime as dt

import pytest

from recordsys.exchange.lookup import as_int, parse_date, parse_timestamp


@pytest.mark.parametrize("value, expected", [
    ("2026/11/28", dt.date(2026, 11, 28)), ("2026-11-28", dt.date(2026, 11, 28)),
    ("28/11/2026", dt.date(2026, 11, 28)), ("2026/11/28 08:00:00", dt.date(2026, 11, 28)),
    ("2026-11-28T08:00:00", dt.date(2026, 11, 28)), (" 2015/09/30 ", dt.date(2015, 9, 30)),
    ("2026/02/30", None), ("ngày 28 tháng 11 năm 2026", None), ("", None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("2026/11/30 09:15:00", dt.datetime(2026, 11, 30, 9, 15)),
    ("2026-11-30T09:15:00.123", dt.datetime(2026, 11, 30, 9, 15)),
    ("30/11/2026 09:15:00", dt.datetime(2026, 11, 30, 9, 15)),
    ("2026/11/30", dt.datetime(2026, 11, 30)), ("9h15 sáng", None), ("", None),
])
def test_parse_timestamp(value, expected):
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize("value, expected", [("18", 18), (" 1 ", 1), ("", None), ("một", None)])
def test_as_int(value, expected):
    assert as_int(value) == expected
