"""Students of one school and the events of their year: attendance, behavior, STAR and MCAS results.

Each student draws from their own random streams (seed + student index + purpose), in school-day
order, so the events up to day D are the same whatever later day is generated: day D+1 is day D plus
what happened on day D+1 and that night (late corrections and deletions of earlier records).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from . import pools
from .district import GRADE_NUM, GRADES, STUDENT_EMAIL_DOMAIN, Plan, School, Section, Staff, rng_for, wchoice

# Attendance
ABSENCE_RUNS = ((1, 0.62), (2, 0.24), (3, 0.10), (5, 0.04))
MEAN_RUN = sum(n * w for n, w in ABSENCE_RUNS)
ABSENT_AND_TARDY_RATE = 0.03      # absence rows that are also marked tardy
CORRECTION_RATE = 0.012           # records corrected or deleted upstream a few days later
BEHAVIOR_DELETE_RATE = 0.015
STAR_PARTICIPATION = 0.93
MCAS_COVERAGE = 0.93              # students with last spring's results on file

_GROUP_KEYS = [g[0] for g in pools.GROUPS]
_GROUP_W = [g[1] for g in pools.GROUPS]
_GROUP = {g[0]: g for g in pools.GROUPS}
_ABS_REASONS = [r[0] for r in pools.ABSENCE_REASONS], [r[2] for r in pools.ABSENCE_REASONS], {r[0]: r[1] for r in pools.ABSENCE_REASONS}
_TARDY = [r[0] for r in pools.TARDY_REASONS], [r[2] for r in pools.TARDY_REASONS], {r[0]: r[1] for r in pools.TARDY_REASONS}
_DISM = [r[0] for r in pools.DISMISSAL_REASONS], [r[2] for r in pools.DISMISSAL_REASONS], {r[0]: r[1] for r in pools.DISMISSAL_REASONS}


@dataclass(slots=True)
class Student:
    idx: int
    local_id: str
    state_id: str
    school: School              # school at the start (or at entry)
    grade: str
    first: str
    middle: str | None
    last: str
    gender: str
    dob: date
    race: str
    hispanic: bool
    home_language: str
    lep: str
    program: str
    ell_entry: date | None
    ell_transition: date | None
    sped_placement: str
    disability: str
    sped_level: str
    plan_504: bool
    frl: str
    address: str
    phone: str
    email: str
    house: str
    registration_date: date
    entry_day: int
    withdraw_day: int           # 0: stays all year; else the first day no longer enrolled
    withdraw_status: str
    transfer_day: int           # 0: no transfer; else first day at transfer_to
    transfer_to: School | None
    ability: float              # 0..1 latent percentile
    abs_rate: float
    tardy_rate: float
    beh_rate: float
    pk3: bool
    # dirty-mode representation choices (drawn always so clean and dirty share one district)
    vanish: bool                # withdrawn and dropped from the students file
    dup_transfer: bool          # after a transfer: two rows (old Withdrawn, new Active)
    dup_grade: bool             # two Active rows differing in grade
    coded_status: bool          # Withdrawal-20 style status
    short_grade: bool           # "8" rather than "08"
    bad_dob: str                # "", "2/30/2015"-style or "empty"
    lunch_typo: bool
    grade_code_variant: float

    @property
    def full_name(self) -> str:
        return f"{self.last}, {self.first}" + (f" {self.middle}" if self.middle else "")

    def status_on(self, day: int) -> str:
        return self.withdraw_status if self.withdraw_day and self.withdraw_day <= day else "Active"

    def school_on(self, day: int) -> School:
        if self.transfer_day and self.transfer_day <= day and self.transfer_to is not None:
            return self.transfer_to
        return self.school

    def enrolled_on(self, day: int) -> bool:
        return self.entry_day <= day and not (self.withdraw_day and self.withdraw_day <= day)


def _grade_of_position(school: School, j: int) -> str:
    for g in school.grades:
        c = school.counts[g]
        if j < c:
            return g
        j -= c
    return school.grades[-1]


def iter_students(plan: Plan, school: School, days: list[date], dirty: bool):
    """All students whose year starts at this school: the starting roster, then the year's new entrants."""
    for j in range(school.n_base):
        yield make_student(plan, school, school.base_start + j, _grade_of_position(school, j), 1, days, dirty)
    r = rng_for(plan.seed, "entrants", school.id, "grades")
    weights = [max(1, school.counts[g]) for g in school.grades]
    for j in range(school.n_new):
        g = wchoice(r, school.grades, weights)
        entry = r.randint(2, len(days))
        yield make_student(plan, school, school.new_start + j, g, entry, days, dirty)


def make_student(plan: Plan, school: School, idx: int, grade: str, entry_day: int, days: list[date], dirty: bool) -> Student:
    # Every draw comes from the student's own generator, in a fixed order: the same seed and index
    # always give the same student, whatever else the district holds.
    rng = rng_for(plan.seed, "st", idx)
    fall = plan.school_year - 1
    gk = wchoice(rng, _GROUP_KEYS, _GROUP_W)
    _, _, race, hispanic, langs = _GROUP[gk]
    if race is None:
        race = rng.choice(pools.MULTI_RACES)
    home_language = wchoice(rng, [l for l, _ in langs], [w for _, w in langs])
    first, middle, last, gender = _name(rng, gk, dirty)
    gnum = GRADE_NUM[grade]
    pk3 = grade == "PK" and rng.random() < 0.25
    age = gnum + 5 + (1 if rng.random() < 0.05 else 0) - (1 if pk3 else 0)
    dob = date(fall - age - 1, 9, 2) + timedelta(days=rng.randrange(365))
    programs = _programs(rng, fall, gnum, home_language)
    u = rng.random()
    frl = "Free Lunch" if u < 0.33 else "Reduced Lunch" if u < 0.40 else "Not Eligible"
    address = f"{rng.randint(1, 499)} {rng.choice(pools.STREETS)} {rng.choice(pools.STREET_SUFFIX)}" + (f" Apt {rng.randint(1, 12)}" if rng.random() < 0.3 else "")
    phone = f"({rng.choice(('617', '508', '781', '857'))}) 555-{rng.randint(1000, 9999)}"
    local_id = plan.local_id(idx)
    email = f"{pools.ascii_fold(first).replace('-', '')}.{pools.ascii_fold(last).replace('-', '')}.{local_id}@{STUDENT_EMAIL_DOMAIN}"
    house = rng.choice(("Red", "Blue", "Green", "Gold")) if school.level == "high" else ""
    registration_date = _registration_date(rng, fall, gnum, entry_day, days)
    moves = _moves(rng, plan, school, grade, entry_day, len(days))
    ability = rng.random()
    rates = _rates(rng, school, gnum)
    # dirty-mode representation (always drawn)
    vanish = rng.random() < 0.35
    dup_transfer = rng.random() < 0.6
    dup_grade = rng.random() < 0.006
    coded_status = rng.random() < 0.4
    short_grade = rng.random() < 0.35
    v = rng.random()
    bad_dob = "" if v > 0.006 and idx % 97 != 13 else "empty" if v < 0.002 or idx % 194 == 13 else "invalid"
    lunch_typo = frl == "Not Eligible" and rng.random() < 0.05
    grade_code_variant = rng.random()
    return Student(idx, local_id, plan.state_id(idx), school, grade, first, middle, last, gender, dob, race, hispanic,
                   home_language, *programs, frl, address, phone, email, house, registration_date, entry_day, *moves,
                   ability, *rates, pk3, vanish, dup_transfer, dup_grade,
                   coded_status, short_grade, bad_dob, lunch_typo, grade_code_variant)


def _name(rng, gk: str, dirty: bool) -> tuple[str, str | None, str, str]:
    """First, middle and last name and the gender code (F, M, N)."""
    ff, fm, ll = pools.NAMES[gk]
    u = rng.random()
    gender = "F" if u < 0.49 else "M" if u < 0.995 else "N"
    female = gender == "F" or (gender == "N" and rng.random() < 0.5)
    first = rng.choice(ff if female else fm)
    last = rng.choice(ll)
    if rng.random() < 0.04:  # hyphenated double surname
        last = f"{last}-{rng.choice(ll)}" if "-" not in last and " " not in last else last
    middle = rng.choice(pools.MIDDLE_F if female else pools.MIDDLE_M) if rng.random() < 0.3 else None
    if dirty:  # the students file goes out in Windows-1252
        first, last = pools.cp1252_safe(first), pools.cp1252_safe(last)
        middle = pools.cp1252_safe(middle) if middle else None
    return first, middle, last, gender


def _programs(rng, fall: int, gnum: int, home_language: str) -> tuple:
    """(lep, program, ell_entry, ell_transition, sped_placement, disability, sped_level, plan_504)."""
    ell_roll = rng.random()
    non_english = home_language != "English"
    lep, program, ell_entry, ell_transition = "Fluent", "Reg Ed", None, None
    if ell_roll < (0.30 if non_english else 0.01):
        lep, program = "Limited", rng.choice(("SEI", "SEI", "2Way Spanish" if home_language == "Spanish" else "SEI"))
        ell_entry = date(fall - rng.randint(0, max(0, gnum + 1)), 9, 1) + timedelta(days=rng.randrange(200))
    elif ell_roll < (0.45 if non_english else 0.012):
        lep = "FLEP-Transitioned"
        ell_entry = date(fall - rng.randint(2, max(2, gnum + 3)), 9, 1) + timedelta(days=rng.randrange(200))
        ell_transition = date(fall - rng.randint(0, 1), 6, 1) + timedelta(days=rng.randrange(20))
    sped_placement = disability = sped_level = ""
    if rng.random() < 0.18:
        disability = wchoice(rng, pools.DISABILITIES, pools.DISABILITY_WEIGHTS)
        sped_placement = wchoice(rng, pools.SPED_PLACEMENTS, (60, 30, 10))
        sped_level = wchoice(rng, pools.SPED_LEVELS, (25, 25, 35, 15))
        if program == "Reg Ed":
            program = "Sp Ed"
    plan_504 = not disability and rng.random() < 0.035
    return lep, program, ell_entry, ell_transition, sped_placement, disability, sped_level, plan_504


def _registration_date(rng, fall: int, gnum: int, entry_day: int, days: list[date]) -> date:
    if entry_day > 1:
        return days[entry_day - 1] - timedelta(days=rng.randint(0, 3))
    years_back = rng.randint(0, max(0, gnum + 1))
    registration_date = date(fall - years_back, 8, 20) + timedelta(days=rng.randrange(14))
    if rng.random() < 0.12:
        registration_date += timedelta(days=rng.randint(30, 200))
    return min(registration_date, days[0] - timedelta(days=1))


def _moves(rng, plan: Plan, school: School, grade: str, entry_day: int, n_days: int) -> tuple:
    """The year's moves: (withdraw_day, withdraw_status, transfer_day, transfer_to); 0 = none."""
    withdraw_day = transfer_day = 0
    withdraw_status = "Active"
    transfer_to = None
    u = rng.random()
    wd = rng.randint(2, n_days)
    if entry_day == 1 and u < 0.05:
        withdraw_day = wd
    elif entry_day > 1 and u < 0.02 and wd > entry_day:
        withdraw_day = wd
    if withdraw_day:
        v = rng.random()
        withdraw_status = "Graduated" if grade == "12" and v < 0.15 else "Inactive" if v < 0.25 else "Withdrawn"
    u = rng.random()
    others = plan.same_level(school)
    tday = rng.randint(max(2, entry_day + 1), n_days) if entry_day < n_days else 0
    pick = rng.random()
    if not withdraw_day and others and u < 0.012 and tday:
        transfer_day, transfer_to = tday, others[int(pick * len(others))]
    return withdraw_day, withdraw_status, transfer_day, transfer_to


def _rates(rng, school: School, gnum: int) -> tuple[float, float, float]:
    """(absence rate, tardy rate, behavior incident rate) per school day."""
    u = rng.random()
    if u < 0.52:
        abs_rate = rng.uniform(0.0, 0.035)
    elif u < 0.83:
        abs_rate = rng.uniform(0.035, 0.075)
    elif u < 0.94:
        abs_rate = rng.uniform(0.075, 0.15)
    else:
        abs_rate = rng.uniform(0.15, 0.32)
    u = rng.random()
    tardy_rate = rng.uniform(0.0, 0.02) if u < 0.6 else rng.uniform(0.02, 0.06) if u < 0.9 else rng.uniform(0.08, 0.2)
    if school.level == "elementary" or gnum < 0:
        tardy_rate *= 0.7
    u = rng.random()
    beh = 0.0 if u < 0.80 else rng.uniform(0.002, 0.008) if u < 0.95 else rng.uniform(0.02, 0.06)
    beh *= {"elementary": 0.3 if gnum <= 2 else 0.6, "middle": 1.6, "high": 1.0}[school.level]
    return abs_rate, tardy_rate, beh


# ------------------------------------------------------------------------------------------
# schedules
@dataclass(slots=True)
class Enrollment:
    section: Section
    start_day: int
    end_day: int          # 0: still enrolled; else first day no longer in the section


def schedule(plan: Plan, st: Student, n_days: int) -> list[Enrollment]:
    """The student's section enrollments over the year (including ones dropped before today)."""
    rng = rng_for(plan.seed, "sched", st.idx)
    out: list[Enrollment] = []
    change_roll, change_day, change_pick = rng.random(), rng.randint(2, n_days), rng.random()
    end_origin = st.transfer_day or st.withdraw_day or 0
    legs = [(st.school, st.entry_day, end_origin)]
    if st.transfer_to is not None:
        legs.append((st.transfer_to, st.transfer_day, 0))
    for school, start, end in legs:
        picks: list[list[Section]] = []
        if school.level == "elementary":
            picks.append(school.homerooms[st.grade])
            chosen = [rng.choice(school.homerooms[st.grade])]
        else:
            chosen = []
            for alts in school.slots[st.grade]:
                course = alts[0] if len(alts) == 1 else alts[int(rng.random() * len(alts))]
                chosen.append(rng.choice(course))
                picks.append(course)
        change_at = -1
        if school.level != "elementary" and change_roll < 0.05 and start < change_day and (not end or change_day < end):
            change_at = int(change_pick * len(chosen))
        for k, sec in enumerate(chosen):
            if k == change_at and len(picks[k]) > 1:
                alt = [s for s in picks[k] if s is not sec]
                new = alt[int(change_pick * 997) % len(alt)]
                out.append(Enrollment(sec, start, change_day))
                out.append(Enrollment(new, change_day, end))
            else:
                out.append(Enrollment(sec, start, end))
    return out


# ------------------------------------------------------------------------------------------
# attendance
@dataclass(slots=True)
class AttEvent:
    day: int
    absent: bool
    tardy: bool
    dismissed: bool
    reason: str
    excused: bool
    comment: str


def attendance(plan: Plan, st: Student, as_of_day: int, dirty: bool) -> list[AttEvent]:
    """Attendance events up to and including as_of_day, as the SIS holds them tonight."""
    rng = rng_for(plan.seed, "att", st.idx)
    a_start = st.abs_rate / MEAN_RUN
    t = st.tardy_rate
    p_any = a_start + t + 0.004
    last = st.withdraw_day - 1 if st.withdraw_day else 10**6
    last = min(last, as_of_day)
    out: list[AttEvent] = []
    k = st.entry_day
    run_left = 0
    rnd = rng.random
    a_names, a_w, a_exc = _ABS_REASONS
    while k <= last:
        if run_left:
            ev = AttEvent(k, True, False, False, run_reason, a_exc[run_reason], "")
            run_left -= 1
        else:
            u = rnd()
            if u >= p_any:
                k += 1
                continue
            if u < a_start:
                v = rnd()
                acc = 0.0
                n = 1
                for n, w in ABSENCE_RUNS:
                    acc += w
                    if v < acc:
                        break
                run_reason = wchoice(rng, a_names, a_w)
                run_left = n - 1
                ev = AttEvent(k, True, rnd() < ABSENT_AND_TARDY_RATE, False, run_reason, a_exc[run_reason], "")
            elif u < a_start + t:
                r = wchoice(rng, _TARDY[0], _TARDY[1])
                ev = AttEvent(k, False, True, False, r, _TARDY[2][r], "")
            else:
                r = wchoice(rng, _DISM[0], _DISM[1])
                ev = AttEvent(k, False, False, True, r, _DISM[2][r], "")
        c = rnd()
        if c < 0.08:
            ci = int(rnd() * (len(pools.ATT_COMMENTS) + len(pools.QUOTED_COMMENTS) + len(pools.MULTILINE_COMMENTS)))
            allc = pools.ATT_COMMENTS + pools.QUOTED_COMMENTS + pools.MULTILINE_COMMENTS
            ev.comment = allc[ci] if dirty else allc[ci].replace("\n", " ")
        corr = rnd()
        if corr < CORRECTION_RATE:
            corr_day = k + 1 + int(rnd() * 8)
            delete = rnd() < 0.5
            if corr_day <= as_of_day:
                if delete:
                    k += 1
                    continue
                if ev.absent and not ev.excused:
                    ev.reason, ev.excused = "Medical Appointment", True
                elif ev.tardy and not ev.absent:
                    ev.excused = not ev.excused
                else:
                    ev.comment = "Corrected by office"
        out.append(ev)
        k += 1
    return out


# ------------------------------------------------------------------------------------------
# behavior
@dataclass(slots=True)
class Incident:
    day: int
    code: str
    time: str
    location: str
    description: str


_ELEM_CODES = [c for c in pools.INCIDENT_CODES if c[2]]
_ALL_TEXT = pools.INCIDENT_TEXT + pools.QUOTED_TEXT + pools.MULTILINE_TEXT


def behavior(plan: Plan, st: Student, as_of_day: int, absent_days: set[int], dirty: bool) -> list[Incident]:
    if st.beh_rate <= 0:
        return []
    rng = rng_for(plan.seed, "beh", st.idx)
    last = min(st.withdraw_day - 1 if st.withdraw_day else 10**6, as_of_day)
    out = []
    rnd = rng.random
    for k in range(st.entry_day, last + 1):
        if rnd() >= st.beh_rate:
            continue
        school = st.school_on(k)
        codes = _ELEM_CODES if school.level == "elementary" else pools.INCIDENT_CODES
        code = wchoice(rng, [c[0] for c in codes], [c[1] for c in codes])
        locs = pools.LOCATIONS_ELEM if school.level == "elementary" else pools.LOCATIONS_SEC
        loc = wchoice(rng, [l[0] for l in locs], [l[1] for l in locs])
        minute = 470 + int(rnd() * 400)  # 07:50 .. 14:30
        text = _ALL_TEXT[int(rnd() * len(_ALL_TEXT))]
        deleted = rnd() < BEHAVIOR_DELETE_RATE and k + 1 + int(rnd() * 5) <= as_of_day
        if deleted or k in absent_days:
            continue
        out.append(Incident(k, code, f"{minute // 60:02d}:{minute % 60:02d}", loc, text if dirty else text.replace("\n", " ")))
    return out


# ------------------------------------------------------------------------------------------
# STAR
STAR_WINDOWS = (("fall", (9, 15), (10, 9)), ("winter", (1, 11), (2, 5)), ("spring", (5, 3), (5, 28)))


@dataclass(slots=True)
class StarTest:
    subject: str        # "reading" | "math"
    day: int
    when: str           # HH:MM:SS.fff
    school_id: str
    percentile: int
    grade_equivalent: str
    scaled: int
    seconds: int
    assessment_id: str


def window_days(days: list[date], school_year: int) -> dict[str, list[int]]:
    out = {}
    for name, (m1, d1), (m2, d2) in STAR_WINDOWS:
        y = school_year - 1 if m1 >= 8 else school_year
        lo, hi = date(y, m1, d1), date(y, m2, d2)
        out[name] = [i + 1 for i, d in enumerate(days) if lo <= d <= hi]
    return out


def star_tests(plan: Plan, st: Student, as_of_day: int, windows: dict[str, list[int]]) -> list[StarTest]:
    rng = rng_for(plan.seed, "star", st.idx)
    gnum = GRADE_NUM[st.grade]
    out = []
    for wi, (name, *_r) in enumerate(STAR_WINDOWS):
        wdays = windows[name]
        for subject in ("reading", "math"):
            take = rng.random() < STAR_PARTICIPATION
            k = wdays[int(rng.random() * len(wdays))] if wdays else 0
            minute = 8 * 60 + int(rng.random() * 390)
            ms = int(rng.random() * 1000)
            sec = int(rng.random() * 60)
            noise = rng.gauss(0, 0.12)
            seconds = 300 + int(rng.random() * 1500)
            aid = f"{rng.getrandbits(128):032x}"
            eligible = gnum >= 0 if subject == "reading" else gnum >= 1
            if not (take and eligible and k and k <= as_of_day and st.enrolled_on(k)):
                continue
            pct = min(0.99, max(0.01, st.ability + noise))
            pr = max(1, min(99, round(pct * 100)))
            ge = max(0.0, min(12.9, gnum + 0.1 + wi * 0.3 + (pct - 0.5) * 3.0))
            scaled = int(200 + gnum * 75 + wi * 20 + (pct - 0.5) * 300)
            out.append(StarTest(subject, k, f"{minute // 60:02d}:{minute % 60:02d}:{sec:02d}.{ms:03d}", st.school_on(k).id,
                                pr, f"{ge:.1f}", max(0, scaled), seconds, aid))
    return out


# ------------------------------------------------------------------------------------------
# MCAS (last spring)
MCAS_LEVELS = ((470, "Not Meeting Expectations"), (500, "Partially Meeting Expectations"),
               (530, "Meeting Expectations"), (10**6, "Exceeding Expectations"))


def mcas_results(plan: Plan, st: Student) -> list[dict]:
    rng = rng_for(plan.seed, "mcas", st.idx)
    prev = GRADE_NUM[st.grade] - 1
    has = rng.random() < MCAS_COVERAGE
    out = []
    subjects = []
    if prev in (3, 4, 5, 6, 7, 8, 10):
        subjects += ["ELA", "Math"]
    if prev in (5, 8, 10):
        subjects.append("Science")
    spring = plan.school_year - 1
    test_day = date(spring, 5, 12) + timedelta(days=rng.randrange(10))
    for subj in ("ELA", "Math", "Science"):
        noise = rng.gauss(0, 0.1)
        sgp_noise = rng.randint(-30, 30)
        if not has or subj not in subjects:
            continue
        pct = min(0.999, max(0.001, st.ability + noise))
        score = int(round(440 + 120 * pct))
        score = max(440, min(560, score))
        level = next(lbl for cut, lbl in MCAS_LEVELS if score < cut)
        sgp = "" if subj == "Science" or prev == 3 else str(max(1, min(99, int(pct * 100) + sgp_noise)))
        out.append({
            "assessment_date": test_day, "assessment_scale_score": str(score), "assessment_performance_level": level,
            "assessment_growth": sgp, "assessment_name": f"MCAS {spring} Grade {prev} {subj}", "assessment_subject": subj,
            "assessment_test": "MCAS",
        })
    return out
