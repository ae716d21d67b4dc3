"""A Massachusetts-style school calendar: 180 school days from the Wednesday before Labor Day."""
from __future__ import annotations

from datetime import date, timedelta

SCHOOL_DAYS_PER_YEAR = 180
MON, THU, SAT, SUN = 0, 3, 5, 6


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday of a month (n=-1: the last one)."""
    if n > 0:
        d = date(year, month, 1)
        d += timedelta(days=(weekday - d.weekday()) % 7)
        return d + timedelta(weeks=n - 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    d = nxt - timedelta(days=1)
    return d - timedelta(days=(d.weekday() - weekday) % 7)


def holidays(school_year: int) -> set[date]:
    """Days without school (besides weekends) in the school year ending in ``school_year``."""
    fall, spring = school_year - 1, school_year
    out: set[date] = set()
    out.add(nth_weekday(fall, 9, MON, 1))                  # Labor Day
    out.add(nth_weekday(fall, 10, MON, 2))                 # Indigenous Peoples' Day
    vet = date(fall, 11, 11)                               # Veterans Day (observed)
    out.add(vet + timedelta(days=2) if vet.weekday() == SUN else vet - timedelta(days=1) if vet.weekday() == SAT else vet)
    thanks = nth_weekday(fall, 11, THU, 4)                 # Thanksgiving Wed-Fri
    out.update(thanks + timedelta(days=k) for k in (-1, 0, 1))
    d = date(fall, 12, 24)                                 # winter break Dec 24 - Jan 1
    while d <= date(spring, 1, 1):
        out.add(d)
        d += timedelta(days=1)
    out.add(nth_weekday(spring, 1, MON, 3))                # Martin Luther King Jr. Day
    for month in (2, 4):                                   # February (Presidents' Day) and April (Patriots' Day) vacation weeks
        mon = nth_weekday(spring, month, MON, 3)
        out.update(mon + timedelta(days=k) for k in range(5))
    out.add(nth_weekday(spring, 5, MON, -1))               # Memorial Day
    out.add(date(spring, 6, 19))                           # Juneteenth
    return out


def first_school_day(school_year: int) -> date:
    """The Wednesday before Labor Day of the fall (2 Sept 2026 for 2026-27)."""
    return nth_weekday(school_year - 1, 9, MON, 1) - timedelta(days=5)


def school_days(school_year: int, count: int = SCHOOL_DAYS_PER_YEAR) -> list[date]:
    """The first ``count`` school days of the year, in order (day 1 = index 0)."""
    off = holidays(school_year)
    d = first_school_day(school_year)
    out: list[date] = []
    while len(out) < count:
        if d.weekday() < SAT and d not in off:
            out.append(d)
        d += timedelta(days=1)
    return out
