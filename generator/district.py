"""The district as a plan: orgs, schools, staff, courses and sections, and the students of each school.

Everything here depends on (seed, students, school_year) only, never on the day: the day decides
what of the year's plan has happened yet (who enrolled, withdrew, transferred, changed sections).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import pools

GRADES = ("PK", "KF", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")
GRADE_NUM = {g: i - 1 for i, g in enumerate(GRADES)}  # PK=-1, KF=0, 01=1 ...
GRADE_WEIGHT = {g: (0.5 if g == "PK" else 1.0) for g in GRADES}
LEVELS = (  # level, grades, target size, school-id prefix, label
    ("elementary", GRADES[0:7], 500, "1", "Elementary School"),
    ("middle", GRADES[7:10], 750, "2", "Middle School"),
    ("high", GRADES[10:14], 1500, "3", "High School"),
)
SCHOOLS_PER_REGION = 12
REGION_THRESHOLD = 20            # more schools than this: regions between district and schools
SECTION_SIZE = 24
HOMEROOM_SIZE = 21
NEW_ENTRANT_RATE = 0.05          # students enrolling during the year, share of the starting roster
EMAIL_DOMAIN = "example-district.org"
STUDENT_EMAIL_DOMAIN = "students.example-district.org"
DISTRICT_ORG_ID = "035"
STATE_ORG_ID = "MA"
CENTRAL_OFFICE_ID = "9000"
SPED_OFFICE_ID = "9001"

LID_STRIDE = 3_141_593           # coprime with 10**7: index -> unique 7-digit local_id
SASID_STRIDE = 1_234_567_891     # coprime with 9 * 10**9
UNKNOWN_INDEX_BASE = 9_000_000   # indices never used by a real student (ids for "unknown student" rows)


def rng_for(seed: int, *parts: object) -> random.Random:
    return random.Random("|".join([str(seed), *map(str, parts)]))


def wchoice(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def split_counts(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of total by weights (deterministic)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


@dataclass(slots=True)
class Staff:
    idx: int
    local_id: str
    state_id: str
    first: str
    middle: str | None
    last: str
    staff_type: str
    school_id: str
    login: str
    status: str = "Active"
    homeroom: str = ""
    subject: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.last}, {self.first}" + (f" {self.middle}" if self.middle else "")

    @property
    def email(self) -> str:
        return f"{self.login}@{EMAIL_DOMAIN}"


@dataclass(slots=True)
class Section:
    id: int
    school_id: str
    course_number: str
    description: str
    subject: str
    section_number: str
    term: str
    schedule: str
    room: str
    grade: str
    teacher: Staff | None = None


@dataclass
class School:
    id: str
    name: str
    level: str
    grades: tuple[str, ...]
    parent: str
    ordinal: int
    counts: dict[str, int]
    base_start: int = 0
    n_base: int = 0
    new_start: int = 0
    n_new: int = 0
    address: str = ""
    zip: str = ""
    phone: str = ""
    staff: list[Staff] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    # grade -> list of slots; a slot is a list of alternative courses; a course is a list of its sections
    slots: dict[str, list[list[list[Section]]]] = field(default_factory=dict)
    homerooms: dict[str, list[Section]] = field(default_factory=dict)   # elementary: grade -> homeroom sections
    advisories: list[str] = field(default_factory=list)                  # secondary homeroom names
    counselors: list[Staff] = field(default_factory=list)
    sped_teachers: list[Staff] = field(default_factory=list)

    @property
    def low(self) -> str:
        return self.grades[0]

    @property
    def high(self) -> str:
        return self.grades[-1]

    @property
    def nces_id(self) -> str:
        return f"2500035{self.ordinal:05d}"

    @property
    def state_org_id(self) -> str:
        return f"0035{self.ordinal:04d}"

    @property
    def stmath_iid(self) -> str:
        return f"EX{self.id}"


@dataclass
class Plan:
    seed: int
    students: int
    school_year: int
    city: str
    schools: list[School]
    by_id: dict[str, School]
    regions: list[tuple[str, str]]
    district_staff: list[Staff]
    lid_base: int
    sasid_base: int
    # With --districts N: (org_id, name, central office id, special-education office id) per district,
    # and each region's district. One district by default (DISTRICT_ORG_ID, CENTRAL_OFFICE_ID, ...).
    districts: list[tuple[str, str, str, str]] = field(default_factory=list)
    region_district: dict[str, str] = field(default_factory=dict)

    def local_id(self, idx: int) -> str:
        return f"{(self.lid_base + idx * LID_STRIDE) % 10**7:07d}"

    def state_id(self, idx: int) -> str:
        return str(1_000_000_000 + (self.sasid_base + idx * SASID_STRIDE) % 9_000_000_000)

    def same_level(self, school: School) -> list[School]:
        """Other schools of the same level (cached: asked once per student)."""
        cache = self.__dict__.setdefault("_same_level", {})
        if school.id not in cache:
            cache[school.id] = [s for s in self.schools if s.level == school.level and s.id != school.id]
        return cache[school.id]


# ------------------------------------------------------------------------------------------
# staff
class _StaffMaker:
    def __init__(self, seed: int, dirty: bool):
        self.seed = seed
        self.dirty = dirty
        self.n = 0
        self.logins: set[str] = set()
        self.rng = rng_for(seed, "staff")

    def make(self, staff_type: str, school_id: str, subject: str = "", status: str = "Active") -> Staff:
        rng = self.rng
        g = wchoice(rng, [x[0] for x in pools.GROUPS], [x[1] for x in pools.GROUPS])
        ff, fm, ll = pools.NAMES[g]
        female = rng.random() < 0.7
        first = rng.choice(ff if female else fm)
        last = rng.choice(ll)
        middle = rng.choice(pools.MIDDLE_F if female else pools.MIDDLE_M) if rng.random() < 0.2 else None
        if self.dirty:
            first, last = pools.cp1252_safe(first), pools.cp1252_safe(last)
            middle = pools.cp1252_safe(middle) if middle else None
        base = (pools.ascii_fold(first)[:1] + pools.ascii_fold(last).replace("-", ""))[:20] or "staff"
        login, k = base, 1
        while login in self.logins:
            k += 1
            login = f"{base}{k}"
        self.logins.add(login)
        idx = self.n
        self.n += 1
        return Staff(idx=idx, local_id=str(80000 + idx), state_id=str(10_000_000 + (idx * 7_919 + self.seed * 104_729) % 90_000_000),
                     first=first, middle=middle, last=last, staff_type=staff_type, school_id=school_id, login=login,
                     status=status, subject=subject)


# ------------------------------------------------------------------------------------------
# courses
def _grade_label(g: str) -> str:
    if g == "PK":
        return "Pre-K"
    return "Kindergarten" if g == "KF" else f"Grade {int(g)}"


def _slots_for(level: str, g: str) -> list[list[tuple[str, str, str, str, float]]]:
    """Course alternatives per slot for a secondary grade: (course_number, description, subject, term, share)."""
    n = int(g)
    if level == "middle":
        return [
            [(f"ELA{n}00", f"English Language Arts {n}", "ELA", "FY", 1)],
            [(f"MAT{n}00", f"Mathematics {n}", "Math", "FY", 0.85), (f"MAT{n}50", f"Accelerated Mathematics {n}", "Math", "FY", 0.15)],
            [(f"SCI{n}00", f"Science {n}", "Science", "FY", 1)],
            [(f"SOC{n}00", f"Social Studies {n}", "Social Studies", "FY", 1)],
            [(f"PHE{n}00", f"Physical Education {n}", "PE", "S1", 1)],
            [(f"ART{n}00", f"Visual Art {n}", "Art", "S2", 1)],
            [(f"SPA{n}00", f"Spanish {n}", "World Language", "FY", 0.6), (f"MUS{n}00", f"Band and Chorus {n}", "Music", "FY", 0.4)],
        ]
    math = {9: [("MAT1100", "Algebra I", 1)], 10: [("MAT1200", "Geometry", 1)], 11: [("MAT1300", "Algebra II", 1)],
            12: [("MAT1400", "Precalculus", 0.55), ("MAT1450", "Statistics", 0.45)]}[n]
    sci = {9: [("SCI1100", "Biology", 1)], 10: [("SCI1200", "Chemistry", 1)], 11: [("SCI1300", "Physics", 1)],
           12: [("SCI1400", "Environmental Science", 0.5), ("SCI1450", "Anatomy and Physiology", 0.5)]}[n]
    slots = [
        [(f"ENG{n:02d}00", f"English {n}", "ELA", "FY", 1)],
        [(c, d, "Math", "FY", w) for c, d, w in math],
        [(c, d, "Science", "FY", w) for c, d, w in sci],
    ]
    if n < 12:
        hist = {9: "World History", 10: "U.S. History I", 11: "U.S. History II"}[n]
        slots.append([(f"HIS{n:02d}00", hist, "Social Studies", "FY", 1)])
    else:
        slots.append([("HIS1210", "Civics", "Social Studies", "S1", 1)])
        slots.append([("HIS1220", "Economics", "Social Studies", "S2", 1)])
    lvl = {9: "I", 10: "II", 11: "III", 12: "IV"}[n]
    slots.append([(f"WLS{n:02d}00", f"Spanish {lvl}", "World Language", "FY", 0.7), (f"WLF{n:02d}00", f"French {lvl}", "World Language", "FY", 0.3)])
    if n <= 10:
        slots.append([(f"PHE{n:02d}00", "Physical Education", "PE", "S1", 1)])
        slots.append([(f"HLT{n:02d}00", "Health", "Health", "S2", 1)])
    else:
        slots.append([(f"ELE{n:02d}10", "Studio Art", "Art", "FY", 0.3), (f"ELE{n:02d}20", "Computer Science", "Computer Science", "FY", 0.4),
                      (f"ELE{n:02d}30", "Engineering Design", "Engineering", "FY", 0.3)])
    return slots


def _build_school_catalog(school: School, sm: _StaffMaker, next_section_id: list[int], rng: random.Random) -> None:
    n_total = sum(school.counts.values())
    rooms = iter(f"{100 * (1 + k // 30) + k % 30 + 1}" for k in range(10_000))
    teachers: list[Staff] = []

    def new_teacher(subject: str) -> Staff:
        t = sm.make("Teacher", school.id, subject=subject)
        t.homeroom = next(rooms)
        teachers.append(t)
        return t

    def new_section(course: str, desc: str, subject: str, num: int, term: str, sched: str, room: str, g: str, t: Staff) -> Section:
        s = Section(next_section_id[0], school.id, course, desc, subject, f"{num:03d}", term, sched, room, g, t)
        next_section_id[0] += 1
        school.sections.append(s)
        return s

    school.staff.append(sm.make("Principal", school.id))
    n_ap = (1 if n_total >= 350 else 0) if school.level == "elementary" else max(1, n_total // 450) if school.level == "middle" else max(2, n_total // 500)
    school.staff.extend(sm.make("Assistant Principal", school.id) for _ in range(n_ap))
    n_couns = 1 if school.level == "elementary" else max(1, math.ceil(n_total / 250))
    school.counselors = [sm.make("Counselor", school.id) for _ in range(n_couns)]
    school.staff.extend(school.counselors)

    if school.level == "elementary":
        for g in school.grades:
            n = school.counts[g]
            k = max(1, math.ceil(n / (18 if g == "PK" else HOMEROOM_SIZE)))
            secs = []
            for j in range(k):
                t = new_teacher("Elementary")
                secs.append(new_section(f"HR{g}", f"Homeroom {_grade_label(g)}", "Homeroom", j + 1, "FY", "HR", t.homeroom, g, t))
            school.homerooms[g] = secs
        for subj in ("Art", "Music", "Physical Education"):
            new_teacher(subj).homeroom = ""
    else:
        # department -> list of (section_spec) then pack into teachers
        by_dept: dict[str, list[tuple]] = {}
        for g in school.grades:
            n = school.counts[g]
            slots = []
            for alts in _slots_for(school.level, g):
                courses = []
                for course, desc, subj, term, share in alts:
                    k = max(1, math.ceil(n * share / SECTION_SIZE))
                    holder: list[Section] = []
                    courses.append(holder)
                    for j in range(k):
                        by_dept.setdefault(subj, []).append((course, desc, subj, j + 1, term, g, holder))
                slots.append(courses)
            school.slots[g] = slots
        for subj in sorted(by_dept):
            load, t, period = 99.0, None, 0
            for course, desc, subj_, num, term, g, holder in by_dept[subj]:
                w = 1.0 if term == "FY" else 0.5
                if t is None or load + w > 5.0:
                    t, load, period = new_teacher(subj), 0.0, 0
                period = int(load) + 1
                load += w
                sched = f"{period}({'ABCDEFG'[period - 1]})"
                holder.append(new_section(course, desc, subj, num, term, sched, t.homeroom, g, t))
        school.advisories = [t.homeroom for t in teachers]

    n_sped = max(1, math.ceil(n_total * 0.17 / 15))
    n_ell = max(1, math.ceil(n_total * 0.12 / 40))
    school.sped_teachers = [new_teacher("Special Education") for _ in range(n_sped)]
    for _ in range(n_ell):
        new_teacher("ESL")
    if school.level == "elementary":
        school.advisories = [s.room for g in school.grades for s in school.homerooms[g]]
    school.staff.extend(teachers)
    n_para = max(1, math.ceil(n_total / (60 if school.level == "elementary" else 120)))
    school.staff.extend(sm.make("Paraprofessional", school.id) for _ in range(n_para))
    school.staff.extend(sm.make("Nurse", school.id) for _ in range(2 if school.level == "high" else 1))
    school.staff.extend(sm.make("Secretary", school.id) for _ in range(3 if school.level == "high" else 2))
    if school.level != "elementary":
        school.staff.append(sm.make("Librarian", school.id))
    school.staff.extend(sm.make("Substitute", school.id) for _ in range(1 + n_total // 600))
    # staff who left: still in the SIS, status Inactive
    school.staff.extend(sm.make(rng.choice(("Teacher", "Paraprofessional", "Teacher")), school.id, status="Inactive")
                        for _ in range(max(1, round(len(school.staff) * 0.03))))


def _districts(n: int) -> list[tuple[str, str, str, str]]:
    names = ["Example District Public Schools", "Second Example Public Schools", "Third Example Public Schools"]
    return [(f"{int(DISTRICT_ORG_ID) + k:03d}", names[k] if k < len(names) else f"Example District {k + 1}",
             str(int(CENTRAL_OFFICE_ID) + 10 * k), str(int(SPED_OFFICE_ID) + 10 * k)) for k in range(n)]


def _split_into_districts(plan: Plan, n: int) -> None:
    """Several districts under one state: schools shared out level by level (each district gets every
    level it can), the first district's first elementary schools under a region of their own, and
    the district staff spread over the districts' central offices."""
    plan.districts = _districts(n)
    for offset, (level, *_) in enumerate(LEVELS):
        for k, school in enumerate(s for s in plan.schools if s.level == level):
            school.parent = plan.districts[(k + offset) % n][0]
    first = [s for s in plan.schools if s.parent == plan.districts[0][0] and s.level == "elementary"]
    if first:
        plan.regions = [("R01", "North Region")]
        plan.region_district = {"R01": plan.districts[0][0]}
        for school in first[: max(1, len(first) // 2)]:
            school.parent = "R01"
    offices = {CENTRAL_OFFICE_ID: [d[2] for d in plan.districts], SPED_OFFICE_ID: [d[3] for d in plan.districts]}
    for k, staff in enumerate(plan.district_staff):
        staff.school_id = offices[staff.school_id][k % n]


def build_plan(seed: int, students: int, school_year: int, dirty: bool, districts: int = 1) -> Plan:
    if students < 1:
        raise ValueError("students must be at least 1")
    rng = rng_for(seed, "plan")
    city = rng.choice(pools.CITIES)
    total_w = sum(GRADE_WEIGHT.values())
    grade_counts = dict(zip(GRADES, split_counts(students, [GRADE_WEIGHT[g] for g in GRADES])))
    schools: list[School] = []
    names_used: set[str] = set()
    ordinal = 0
    for level, grades, target, prefix, label in LEVELS:
        level_total = sum(grade_counts[g] for g in grades)
        k = max(1, round(level_total / target))
        weights = [rng.uniform(0.8, 1.2) for _ in range(k)]
        per_grade = {g: split_counts(grade_counts[g], weights) for g in grades}
        for j in range(k):
            ordinal += 1
            for attempt in range(60):
                nm = rng.choice(pools.NAMESAKES)
                hood = rng.choice(pools.NEIGHBORHOODS) if len(names_used) > 20 else ""
                name = f"{nm} {hood + ' ' if hood else ''}{label}"
                if name not in names_used:
                    break
            else:
                name = f"{name} {ordinal}"  # very large districts run out of combinations
            names_used.add(name)
            s = School(id=f"{prefix}{j + 1:03d}", name=name, level=level, grades=grades, parent=DISTRICT_ORG_ID,
                       ordinal=ordinal, counts={g: per_grade[g][j] for g in grades})
            s.address = f"{rng.randint(10, 999)} {rng.choice(pools.STREETS)} {rng.choice(pools.STREET_SUFFIX)}"
            s.zip = f"0{rng.randint(1000, 2799):04d}"
            s.phone = f"(617) 555-{rng.randint(1000, 9999)}"
            schools.append(s)
    del total_w
    regions: list[tuple[str, str]] = []
    if len(schools) > REGION_THRESHOLD:
        n_reg = math.ceil(len(schools) / SCHOOLS_PER_REGION)
        regions = [(f"R{r + 1:02d}", f"Region {r + 1}") for r in range(n_reg)]
        for level, *_ in LEVELS:
            lv = [s for s in schools if s.level == level]
            for k, s in enumerate(lv):
                s.parent = regions[k * n_reg // len(lv)][0]
    # index ranges: starting rosters first, then the year's new entrants
    pos = 0
    for s in schools:
        s.base_start, s.n_base = pos, sum(s.counts.values())
        pos += s.n_base
    for s in schools:
        r = rng_for(seed, "entrants", s.id)
        s.new_start = pos
        s.n_new = max(0, round(s.n_base * NEW_ENTRANT_RATE * r.uniform(0.7, 1.3)))
        pos += s.n_new
    if pos >= UNKNOWN_INDEX_BASE:
        raise ValueError("too many students for the id space")
    sm = _StaffMaker(seed, dirty)
    district_staff: list[Staff] = []
    district_staff.append(sm.make("Administrator", CENTRAL_OFFICE_ID))  # superintendent
    for _ in range(2 + students // 20000):
        district_staff.append(sm.make("Administrator", CENTRAL_OFFICE_ID))
    for _ in range(2 + students // 10000):
        district_staff.append(sm.make("Secretary", CENTRAL_OFFICE_ID))
    district_staff.append(sm.make("Administrator", SPED_OFFICE_ID))
    for _ in range(1 + len(schools) // 4):
        district_staff.append(sm.make("Administrator", SPED_OFFICE_ID))
    next_section_id = [1001]
    for s in schools:
        _build_school_catalog(s, sm, next_section_id, rng_for(seed, "catalog", s.id))
    plan = Plan(seed=seed, students=students, school_year=school_year, city=city, schools=schools,
                by_id={s.id: s for s in schools}, regions=regions, district_staff=district_staff,
                lid_base=rng.randrange(10**7), sasid_base=rng.randrange(9 * 10**9))
    if districts > 1:
        _split_into_districts(plan, districts)
    else:
        plan.districts = _districts(1)
        plan.region_district = {rid: DISTRICT_ORG_ID for rid, _ in regions}
    return plan
