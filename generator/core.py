"""Orchestration: write every file of the district as of school day D, then truth.json and the manifest.

Conflict winner rule (shared with the loader and the marts): among the loaded rows of one local_id in
students_export, prefer a row whose enrollment_status is active (anything but Inactive, Withdrawn,
Graduated or a value starting with "Withdraw", compared trimmed and case-insensitively); then the latest
registration_date (an unparseable or empty date counts as earliest); then the row that comes later in the
file (higher record number).
"""
from __future__ import annotations

import csv
import hashlib
import json
import random
from datetime import date, timedelta
from pathlib import Path

from . import calendar as cal
from . import pools
from .csvio import QuotedCsvWriter, ZipMember, iso, mdy, open_text
from .district import (DISTRICT_ORG_ID, GRADE_NUM, STATE_ORG_ID, UNKNOWN_INDEX_BASE, Plan,
                       School, build_plan, rng_for)
from .powerschool import PowerSchoolDb, ps_date
from .students import Student, attendance, behavior, iter_students, mcas_results, schedule, star_tests, window_days

GENERATOR_VERSION = "1.0.0"

# dirty-mode rates (per row of the file concerned)
ATT_EXACT_DUP_RATE = 0.01
ATT_CONFLICT_DUP_RATE = 0.005
ATT_BAD_DATE_RATE = 0.006
ATT_UNKNOWN_RATE = 0.005
ATT_TRUE_FALSE_RATE = 0.15
BEH_BAD_DATE_RATE = 0.01
STAR_BAD_PERCENTILE_RATE = 0.01
FORCE_WITHIN = 25            # first of each attendance/STAR anomaly forced within this many rows
NAMES_CAP = 200
NAMES_PER_KIND = 50

STUDENT_COLS = ("state_id", "local_id", "enrollment_status", "full_name", "home_language", "program_assigned",
                "limited_english_proficiency", "sped_placement", "disability", "sped_level_of_need", "plan_504",
                "student_address", "grade", "registration_date", "free_reduced_lunch", "date_of_birth", "homeroom",
                "school_local_id", "gender", "race", "hispanic_latino", "primary_phone", "primary_email", "house",
                "counselor", "sped_liaison", "ell_entry_date", "ell_transition_date")
EDUCATOR_COLS = ("state_id", "local_id", "full_name", "staff_type", "homeroom", "status", "login_name", "school_local_id")
EDUCATOR_COLS_EMAIL = ("state_id", "local_id", "full_name", "staff_type", "homeroom", "status", "login_name", "email", "school_local_id")
COURSE_COLS = ("course_number", "course_description", "school_local_id", "section_number", "term_local_id",
               "section_schedule", "section_room_number", "district_school_year")
SSA_COLS = ("local_id", "course_number", "school_local_id", "section_number", "term_local_id", "district_school_year")
ESA_COLS = ("local_id", "login_name", "course_number", "school_local_id", "section_number", "term_local_id", "district_school_year")
ATT_COLS = ("state_id", "local_id", "absence", "tardy", "dismissed", "reason", "excused", "comment", "event_date", "school_local_id")
BEH_COLS = ("state_id", "local_id", "incident_code", "event_date", "incident_time", "incident_location", "incident_description", "school_local_id")
ASM_COLS = ("state_id", "local_id", "school_local_id", "assessment_date", "assessment_scale_score", "assessment_performance_level",
            "assessment_growth", "assessment_name", "assessment_subject", "assessment_test")
STAR_V2_COLS = ("SchoolIdentifier", "StudentIdentifier", "CompletedDate", "PercentileRank", "GradeEquivalent",
                "TotalTimeInSeconds", "ScaledScore", "AssessmentID")
STAR_V1_COLS = ("SchoolLocalID", "StudentLocalID", "AssessmentDate", "PercentileRank", "GradeEquivalent", "TotalTime")
ORG_COLS = ("org_id", "name", "org_type", "parent_org_id", "low_grade", "high_grade", "nces_id", "state_org_id", "stmath_iid",
            "address", "city", "state", "zip", "phone")

KEYS = {
    "students_export.txt": ["local_id"],
    "educators_export.txt": ["local_id"],
    "courses_sections_export.txt": ["school_local_id", "course_number", "section_number"],
    "student_section_assignment_export.txt": ["local_id", "course_number", "section_number"],
    "educator_section_assignment_export.txt": ["local_id", "course_number", "section_number"],
    "attendance_export.txt": ["local_id", "event_date"],
    "behavior_export.txt": ["local_id", "event_date"],
    "assessment_export.txt": ["local_id"],
    "star_reading.zip:SR_v2.csv": ["StudentIdentifier"],
    "star_math.zip:SM_v2.csv": ["StudentIdentifier"],
    "star_math.zip:SM_v1.csv": ["StudentLocalID"],
    "orgs.csv": ["org_id"],
}
INACTIVE_STATUSES = ("inactive", "withdrawn", "graduated")
TERM_IDS = {"FY": 0, "S1": 1, "S2": 2}


def is_active_status(status: str) -> bool:
    s = status.strip().lower()
    return not (s in INACTIVE_STATUSES or s.startswith("withdraw"))


def pick_winner(rows: list[tuple[int, str, date | None]]) -> int:
    """Index of the winning row among (record, enrollment_status, registration_date) of one local_id."""
    best = max(range(len(rows)), key=lambda i: (is_active_status(rows[i][1]), rows[i][2] or date.min, rows[i][0]))
    return best


class _Forcer:
    """Fires at a rate, and at least once within the first few opportunities (so small dirty files show every reality)."""

    def __init__(self, rng: random.Random, rate: float, within: int = FORCE_WITHIN):
        self.rng, self.rate, self.n, self.fired = rng, rate, 0, 0
        self.force_at = rng.randint(1, within)

    def __call__(self) -> bool:
        self.n += 1
        hit = self.rng.random() < self.rate or (self.fired == 0 and self.n >= self.force_at)
        self.fired += hit
        return hit


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _grade_label_ps(g: str, pk3: bool) -> int:
    return -2 if pk3 else GRADE_NUM[g]


def _ps_schoolstaff_id(t) -> int:
    """The person's schoolstaff row at their school: what sections.teacher and sectionteacher point at."""
    return 500000 + t.idx


def _ps_user(t, sid: int) -> tuple:
    """users: one row per person, with the login secrets a real database holds (fake values)."""
    return (t.idx + 1, sid, t.local_id, t.first, t.middle, t.last, t.email, t.login, t.login,
            f"hash-{t.idx:06d}", f"tpw-{t.idx:06d}", f"000-11-{t.idx % 10000:04d}")


def _grade_span(g: str) -> str:
    return {"PK": "PK", "KF": "KF"}.get(g, g)


class _Run:
    def __init__(self, out_dir: Path, students: int, seed: int, day: int, school_year: int, dirty: bool,
                 districts: int = 1):
        self.out = out_dir
        self.seed, self.day, self.school_year, self.dirty = seed, day, school_year, dirty
        self.days = cal.school_days(school_year)
        if not 1 <= day <= len(self.days):
            raise ValueError(f"day must be between 1 and {len(self.days)} (the school days of {school_year - 1}-{str(school_year)[2:]})")
        self.as_of = self.days[day - 1]
        self.plan: Plan = build_plan(seed, students, school_year, dirty, districts)
        self.windows = window_days(self.days, school_year)
        self.yearid = school_year - 1991
        self.truth_students = {"distinct_ids": 0, "active_ids": 0, "conflicts": {}, "names": {}, "bad_birth_dates": []}
        self.name_kinds = {"accented": 0, "hyphenated": 0, "multi_word": 0, "middle": 0}
        self.att = {"rows_loaded": 0, "unknown_student_rows": 0, "bad_date_rows": 0, "events": 0}
        self.beh = {"rows_loaded": 0, "unknown_student_rows": 0, "bad_date_rows": 0, "incidents": 0}
        self.star = {"invalid_percentile_rows": 0, "valid_results": 0}
        self.unknown_counter = 0

    # ------------------------------------------------------------------ writers
    def _writer(self, name: str, cols, *, order=None, header_style="quoted", escape="rfc", null_literal=False,
                date_format="iso", encoding="utf-8", stream=None, key_name=None) -> QuotedCsvWriter:
        key_name = key_name or name
        if stream is None:
            stream = open_text(self.out / name, encoding)
        inject = rng_for(self.seed, "inject", self.day, key_name) if self.dirty else None
        return QuotedCsvWriter(stream, key_name, cols, key=KEYS[key_name], order=order, header_style=header_style,
                               escape=escape, null_literal=null_literal, date_format=date_format, encoding=encoding,
                               inject_rng=inject)

    def open_writers(self) -> None:
        d = self.dirty
        self.w_students = self._writer("students_export.txt", STUDENT_COLS, encoding="cp1252" if d else "utf-8",
                                       null_literal=d, date_format="M/D/YYYY" if d else "iso", escape="mysql" if d else "rfc")
        self.w_edu = self._writer("educators_export.txt", EDUCATOR_COLS_EMAIL if d else EDUCATOR_COLS,
                                  encoding="cp1252" if d else "utf-8", null_literal=d, escape="mysql" if d else "rfc")
        self.w_courses = self._writer("courses_sections_export.txt", COURSE_COLS)
        self.w_ssa = self._writer("student_section_assignment_export.txt", SSA_COLS)
        self.w_esa = self._writer("educator_section_assignment_export.txt", ESA_COLS)
        att_order = None
        if d:
            att_order = list(ATT_COLS)
            rng_for(self.seed, "att-order").shuffle(att_order)
        self.w_att = self._writer("attendance_export.txt", ATT_COLS, order=att_order, null_literal=d,
                                  date_format="M/D/YYYY" if d else "iso", escape="mysql" if d else "rfc")
        self.w_beh = self._writer("behavior_export.txt", BEH_COLS, encoding="utf-8-sig" if d else "utf-8",
                                  header_style="whitespace" if d else "quoted", null_literal=d,
                                  date_format="M/D/YYYY" if d else "iso", escape="mysql" if d else "rfc")
        self.w_asm = self._writer("assessment_export.txt", ASM_COLS, header_style="single_quoted" if d else "quoted",
                                  escape="mysql" if d else "rfc")
        self.z_sr = ZipMember(self.out / "star_reading.zip", "SR_v2.csv", large=self.plan.students > 2_000_000)
        self.w_sr = self._writer("star_reading.zip", STAR_V2_COLS, stream=self.z_sr.text, key_name="star_reading.zip:SR_v2.csv")
        math_member = "SM_v1.csv" if d else "SM_v2.csv"
        self.z_sm = ZipMember(self.out / "star_math.zip", math_member, large=self.plan.students > 2_000_000)
        self.w_sm = self._writer("star_math.zip", STAR_V1_COLS if d else STAR_V2_COLS, stream=self.z_sm.text,
                                 key_name=f"star_math.zip:{math_member}")
        self.ps = PowerSchoolDb(self.out / "powerschool.sqlite")
        self._ps_race_of: dict[int, str] = {}
        self._ps_programs: dict[int, tuple] = {}
        drng = lambda what: rng_for(self.seed, "dirty", self.day, what)  # noqa: E731
        self.f_att_dup = _Forcer(drng("att-dup"), ATT_EXACT_DUP_RATE)
        self.f_att_conflict = _Forcer(drng("att-conflict"), ATT_CONFLICT_DUP_RATE)
        self.f_att_bad = _Forcer(drng("att-bad"), ATT_BAD_DATE_RATE)
        self.f_att_unknown = _Forcer(drng("att-unknown"), ATT_UNKNOWN_RATE)
        self.att_style_rng = drng("att-style")
        self.att_bad_rng = drng("att-bad-kind")
        self.f_beh_bad = _Forcer(drng("beh-bad"), BEH_BAD_DATE_RATE, within=5)
        self.f_star_bad = {"reading": _Forcer(drng("sr-bad"), STAR_BAD_PERCENTILE_RATE), "math": _Forcer(drng("sm-bad"), STAR_BAD_PERCENTILE_RATE)}
        self.star_bad_rng = drng("star-bad-kind")

    # ------------------------------------------------------------------ orgs, staff, sections
    def write_orgs(self) -> dict:
        p = self.plan
        rows = [(STATE_ORG_ID, "Massachusetts Department of Elementary and Secondary Education", "state", "", "", "", "", "", "",
                 "75 Pleasant St", "Malden", "MA", "02148", "(781) 338-3000")]
        rows += [(did, name, "district", STATE_ORG_ID, "PK", "12", f"25{int(did):05d}", f"{int(did):04d}", "", "1 School St",
                  p.city, "MA", "02101", "(617) 555-1000") for did, name, _, _ in p.districts]
        for rid, rname in p.regions:
            rows.append((rid, rname, "region", p.region_district[rid], "", "", "", "", "", "", "", "", "", ""))
        for s in p.schools:
            rows.append((s.id, s.name, "school", s.parent, _grade_span(s.low), _grade_span(s.high), s.nces_id, s.state_org_id,
                         s.stmath_iid, s.address, p.city, "MA", s.zip, s.phone))
        for did, _, office, sped in p.districts:
            rows.append((office, "Central Office", "department", did, "", "", "", "", "", "1 School St", p.city, "MA", "02101", "(617) 555-1000"))
            rows.append((sped, "Office of Special Education", "department", did, "", "", "", "", "", "1 School St", p.city, "MA", "02101", "(617) 555-1010"))
        with open(self.out / "orgs.csv", "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(ORG_COLS)
            w.writerows(rows)
        return {"encoding": "utf-8", "data_records": len(rows), "rejected": [], "loaded_records": len(rows),
                "columns": list(ORG_COLS), "header_style": "plain", "date_format": "iso", "escape": "rfc", "null_literal": False}

    def write_staff_and_sections(self) -> None:
        p, Y = self.plan, str(self.school_year)
        all_staff = list(p.district_staff)
        for s in p.schools:
            all_staff.extend(s.staff)
        ps_users, ps_schoolstaff = [], []
        for t in all_staff:
            self.w_edu.write({"state_id": t.state_id, "local_id": t.local_id, "full_name": t.full_name, "staff_type": t.staff_type,
                              "homeroom": t.homeroom, "status": t.status, "login_name": t.login, "email": t.email,
                              "school_local_id": t.school_id})
            sid = int(t.school_id) if t.school_id in p.by_id else 0
            ps_users.append(_ps_user(t, sid))
            ps_schoolstaff.append((_ps_schoolstaff_id(t), 600000 + t.idx, t.idx + 1, sid, 1 if t.status == "Active" else 2, 1))
            if t.idx % 9 == 4 and len(p.schools) > 1:  # a school the person used to work at: status 2, gone
                other = next(x for x in p.schools if x.id != t.school_id)
                ps_schoolstaff.append((700000 + t.idx, 800000 + t.idx, t.idx + 1, int(other.id), 2, 1))
        self.ps.insert("users", ps_users)
        self.ps.insert("schoolstaff", ps_schoolstaff)
        ps_schools, ps_sections, ps_leads, ps_terms, courses = [], [], [], [], {}
        first, last, mid = self.days[0], self.days[-1], self.days[len(self.days) // 2 - 1]
        for s in p.schools:
            ps_schools.append((int(s.id), 1000 + int(s.id), int(s.id), s.name, GRADE_NUM[s.low], GRADE_NUM[s.high], s.id))
            year_term = (f"{self.school_year - 1}-{Y[2:]}", f"{str(self.school_year - 1)[2:]}-{Y[2:]}", first, last, 1)
            for n, (name, abbreviation, start, end, is_year) in enumerate(
                    (year_term, ("Semester 1", "S1", first, mid, 0), ("Semester 2", "S2", mid + timedelta(days=1), last, 0))):
                ps_terms.append((self.yearid * 100 + n, int(s.id) * 100 + n, name, abbreviation, ps_date(start),
                                 ps_date(end), self.yearid, int(s.id), is_year))
            for sec in s.sections:
                courses.setdefault(sec.course_number, sec.description)
                self.w_courses.write({"course_number": sec.course_number, "course_description": sec.description,
                                      "school_local_id": s.id, "section_number": sec.section_number, "term_local_id": sec.term,
                                      "section_schedule": sec.schedule, "section_room_number": sec.room, "district_school_year": Y})
                t = sec.teacher
                self.w_esa.write({"local_id": t.local_id, "login_name": t.login, "course_number": sec.course_number,
                                  "school_local_id": s.id, "section_number": sec.section_number, "term_local_id": sec.term,
                                  "district_school_year": Y})
                ps_sections.append((sec.id, 900000 + sec.id, sec.course_number, sec.section_number, int(s.id),
                                    self.yearid * 100 + TERM_IDS[sec.term], _ps_schoolstaff_id(t), sec.schedule, sec.room))
                # The section's lead teacher (roleid 1); co-teachers would be further rows.
                ps_leads.append((sec.id, sec.id, _ps_schoolstaff_id(t), 1, ps_date(first), ps_date(last)))
        self.ps.insert("schools", ps_schools)
        self.ps.insert("terms", ps_terms)
        self.ps.insert("sections", ps_sections)
        self.ps.insert("sectionteacher", ps_leads)
        self.ps.insert("courses", sorted(courses.items()))

    # ------------------------------------------------------------------ students
    def _grade_raw(self, st: Student, grade: str) -> str:
        if not self.dirty:
            return grade
        v = st.grade_code_variant
        if grade == "PK":
            if st.pk3:
                return "OOPK" if v < 0.6 else "PK"
            return "OPK" if v < 0.2 else "TK" if v < 0.3 else "PK"
        if grade == "KF":
            return "K" if v < 0.4 else "KF"
        if st.sped_placement == "Substantially Separate" and v < 0.15:
            return "SP"
        return str(int(grade)) if st.short_grade else grade

    def _status_raw(self, st: Student, status: str) -> str:
        if self.dirty and status == "Withdrawn" and st.coded_status:
            return ("Withdrawal-20", "Withdrawal-21", "Withdrawal-24")[st.idx % 3]
        return status

    def _student_row(self, st: Student, school: School, status: str, grade: str, reg: date, homeroom: str) -> dict:
        d = self.dirty
        fd = self.w_students.fmt_date
        dob = fd(st.dob)
        if d and st.bad_dob == "invalid":
            dob = f"2/30/{st.dob.year}"
        elif d and st.bad_dob == "empty":
            dob = ""
        counselor = school.counselors[st.idx % len(school.counselors)].login
        liaison = school.sped_teachers[st.idx % len(school.sped_teachers)].login if st.disability else ""
        return {
            "state_id": st.state_id, "local_id": st.local_id, "enrollment_status": self._status_raw(st, status),
            "full_name": st.full_name, "home_language": st.home_language, "program_assigned": st.program,
            "limited_english_proficiency": st.lep, "sped_placement": st.sped_placement, "disability": st.disability,
            "sped_level_of_need": st.sped_level, "plan_504": "504" if st.plan_504 else "Not 504",
            "student_address": f"{st.address}, {self.plan.city}, MA", "grade": self._grade_raw(st, grade),
            "registration_date": fd(reg), "free_reduced_lunch": "Not Eligibile" if d and st.lunch_typo else st.frl,
            "date_of_birth": dob, "homeroom": homeroom, "school_local_id": school.id, "gender": st.gender, "race": st.race,
            "hispanic_latino": ("true" if st.hispanic else "false") if d else ("1" if st.hispanic else "0"),
            "primary_phone": st.phone, "primary_email": st.email, "house": st.house, "counselor": counselor,
            "sped_liaison": liaison, "ell_entry_date": fd(st.ell_entry) if st.ell_entry else "",
            "ell_transition_date": fd(st.ell_transition) if st.ell_transition else "",
        }

    def _record_name(self, st: Student) -> None:
        kinds = []
        full = st.first + st.last + (st.middle or "")
        if any(ord(c) > 127 for c in full):
            kinds.append("accented")
        if "-" in st.last or "-" in st.first:
            kinds.append("hyphenated")
        if " " in st.last:
            kinds.append("multi_word")
        if st.middle:
            kinds.append("middle")
        names = self.truth_students["names"]
        if not kinds or len(names) >= NAMES_CAP:
            return
        if any(self.name_kinds[k] < NAMES_PER_KIND for k in kinds):
            for k in kinds:
                self.name_kinds[k] += 1
            names[st.local_id] = {"first_name": st.first, "middle_name": st.middle, "last_name": st.last}

    def write_student_rows(self, st: Student, homeroom: str) -> tuple[bool, School]:
        """Write the student's students_export rows; return (known to a loader, current school)."""
        D, d = self.day, self.dirty
        status = st.status_on(D)
        cur = st.school_on(D)
        if d and status != "Active" and st.vanish:
            return False, cur
        rows: list[tuple[int, str, date, str, str]] = []   # record, raw status, reg, school, raw grade
        if d and st.transfer_day and st.transfer_day <= D and st.dup_transfer:
            old = self._student_row(st, st.school, "Withdrawn", st.grade, st.registration_date, homeroom)
            rec = self.w_students.write(old)
            rows.append((rec, old["enrollment_status"], st.registration_date, st.school.id, old["grade"]))
            reg = self.days[st.transfer_day - 1]
            new = self._student_row(st, cur, status, st.grade, reg, homeroom)
            rec = self.w_students.write(new)
            rows.append((rec, new["enrollment_status"], reg, cur.id, new["grade"]))
        else:
            row = self._student_row(st, cur, status, st.grade, st.registration_date, homeroom)
            rec = self.w_students.write(row)
            rows.append((rec, row["enrollment_status"], st.registration_date, cur.id, row["grade"]))
            if d and st.dup_grade and status == "Active" and st.grade not in ("PK", "KF", "12"):
                other = f"{int(st.grade) + 1:02d}"
                row2 = self._student_row(st, cur, status, other, st.registration_date, homeroom)
                rec = self.w_students.write(row2)
                rows.append((rec, row2["enrollment_status"], st.registration_date, cur.id, row2["grade"]))
        ts = self.truth_students
        ts["distinct_ids"] += 1
        win = rows[pick_winner([(r[0], r[1], r[2]) for r in rows])]
        if is_active_status(win[1]):
            ts["active_ids"] += 1
        if len(rows) > 1:
            ts["conflicts"][st.local_id] = {"winner_record": win[0], "school_local_id": win[3], "grade": win[4],
                                            "enrollment_status": win[1]}
        if d and st.bad_dob:
            ts["bad_birth_dates"].append(st.local_id)
        self._record_name(st)
        return True, cur

    # ------------------------------------------------------------------ attendance & behavior
    def _flag(self, v: bool, tf: bool) -> str:
        return ("true" if v else "false") if tf else ("1" if v else "0")

    def write_attendance(self, st: Student, known: bool) -> set[int]:
        events = attendance(self.plan, st, self.day, self.dirty)
        w, d, fd = self.w_att, self.dirty, self.w_att.fmt_date
        absent_days = set()
        for ev in events:
            if ev.absent:
                absent_days.add(ev.day)
            tf = d and self.att_style_rng.random() < ATT_TRUE_FALSE_RATE
            row = {"state_id": st.state_id, "local_id": st.local_id, "absence": self._flag(ev.absent, tf),
                   "tardy": self._flag(ev.tardy, tf), "dismissed": self._flag(ev.dismissed, tf), "reason": ev.reason,
                   "excused": self._flag(ev.excused, tf), "comment": ev.comment, "event_date": fd(self.days[ev.day - 1]),
                   "school_local_id": st.school_on(ev.day).id}
            self._att_row(row, known, bad=False)
            if known:
                self.att["events"] += 1
            if not d:
                continue
            if self.f_att_dup():
                self._att_row(row, known, bad=False)
            if self.f_att_conflict():
                alt = dict(row)
                if ev.absent:
                    alt["absence"], alt["tardy"], alt["reason"] = self._flag(False, tf), self._flag(True, tf), "Traffic"
                else:
                    alt["absence"], alt["tardy"], alt["reason"] = self._flag(True, tf), self._flag(False, tf), "Illness"
                self._att_row(alt, known, bad=False)
            if known and self.f_att_bad():
                bad = dict(row)
                kind = self.att_bad_rng.randrange(3)
                if kind == 0:
                    bad["event_date"] = fd(self.as_of + timedelta(days=self.att_bad_rng.randint(1, 90)))
                elif kind == 1:
                    bad["event_date"] = fd(date(1900, 1, 1))
                else:
                    bad["event_date"] = "13/45/2026" if w.date_format == "M/D/YYYY" else "2026-13-45"
                self._att_row(bad, known, bad=True)
            if self.f_att_unknown():
                self.unknown_counter += 1
                ghost = dict(row)
                ghost["local_id"] = self.plan.local_id(UNKNOWN_INDEX_BASE + self.unknown_counter)
                ghost["state_id"] = self.plan.state_id(UNKNOWN_INDEX_BASE + self.unknown_counter)
                self._att_row(ghost, False, bad=False)
        return absent_days

    def _att_row(self, row: dict, known: bool, bad: bool) -> None:
        self.w_att.write(row)
        self.att["rows_loaded"] += 1
        if not known:
            self.att["unknown_student_rows"] += 1
        elif bad:
            self.att["bad_date_rows"] += 1

    def write_behavior(self, st: Student, known: bool, absent_days: set[int]) -> None:
        w, fd = self.w_beh, self.w_beh.fmt_date
        for inc in behavior(self.plan, st, self.day, absent_days, self.dirty):
            row = {"state_id": st.state_id, "local_id": st.local_id, "incident_code": inc.code,
                   "event_date": fd(self.days[inc.day - 1]), "incident_time": inc.time, "incident_location": inc.location,
                   "incident_description": inc.description, "school_local_id": st.school_on(inc.day).id}
            w.write(row)
            self.beh["rows_loaded"] += 1
            if not known:
                self.beh["unknown_student_rows"] += 1
            else:
                self.beh["incidents"] += 1
            if self.dirty and known and self.f_beh_bad():
                bad = dict(row)
                bad["event_date"] = fd(date(1900, 1, 1)) if self.f_beh_bad.fired % 2 else fd(self.as_of + timedelta(days=30))
                w.write(bad)
                self.beh["rows_loaded"] += 1
                self.beh["bad_date_rows"] += 1

    # ------------------------------------------------------------------ STAR, MCAS
    def write_star(self, st: Student) -> None:
        for t in star_tests(self.plan, st, self.day, self.windows):
            d = self.days[t.day - 1]
            w = self.w_sr if t.subject == "reading" else self.w_sm
            pr = str(t.percentile)
            valid = True
            if self.dirty and self.f_star_bad[t.subject]():
                pr, valid = self.star_bad_rng.choice(("0", "100", "", "abc", "101")), False
            if w.columns[0] == "SchoolLocalID":
                row = {"SchoolLocalID": t.school_id, "StudentLocalID": st.local_id,
                       "AssessmentDate": f"{d.month:02d}/{d.day:02d}/{d.year} {t.when[:8]}", "PercentileRank": pr,
                       "GradeEquivalent": t.grade_equivalent, "TotalTime": str(t.seconds)}
            else:
                row = {"SchoolIdentifier": t.school_id, "StudentIdentifier": st.local_id, "CompletedDate": f"{iso(d)} {t.when}",
                       "PercentileRank": pr, "GradeEquivalent": t.grade_equivalent, "TotalTimeInSeconds": str(t.seconds),
                       "ScaledScore": str(t.scaled), "AssessmentID": t.assessment_id}
            w.write(row)
            self.star["valid_results" if valid else "invalid_percentile_rows"] += 1

    def write_mcas(self, st: Student, school: School) -> None:
        for r in mcas_results(self.plan, st):
            row = dict(r)
            row["assessment_date"] = iso(r["assessment_date"])
            row.update(state_id=st.state_id, local_id=st.local_id, school_local_id=school.id)
            self.w_asm.write(row)

    # ------------------------------------------------------------------ main loop
    def write_students(self) -> None:
        D, Y = self.day, str(self.school_year)
        first_day, after_last = self.days[0], self.days[-1] + timedelta(days=1)
        ps_students, ps_cc = [], []
        for school in self.plan.schools:
            for st in iter_students(self.plan, school, self.days, self.dirty):
                if st.entry_day > D:
                    if st.entry_day <= D + 5:   # pre-registered in PowerSchool only
                        ps_students.append(self._ps_student(st, school, -1, self.days[st.entry_day - 1], after_last, ""))
                    continue
                enrolls = schedule(self.plan, st, len(self.days))
                status = st.status_on(D)
                cur = st.school_on(D)
                current = [e for e in enrolls if e.start_day <= D and (e.end_day == 0 or e.end_day > D)]
                if cur.level == "elementary":
                    hr = next((e.section.room for e in current if e.section.school_id == cur.id), "")
                    if not hr:  # withdrawn: the homeroom they had last
                        hr = next((e.section.room for e in reversed(enrolls) if e.section.school_id == cur.id and e.start_day <= D), "")
                else:
                    hr = cur.advisories[st.idx % len(cur.advisories)]
                known, cur = self.write_student_rows(st, hr)
                if status == "Active":
                    for e in current:
                        sec = e.section
                        self.w_ssa.write({"local_id": st.local_id, "course_number": sec.course_number, "school_local_id": sec.school_id,
                                          "section_number": sec.section_number, "term_local_id": sec.term, "district_school_year": Y})
                absent_days = self.write_attendance(st, known)
                self.write_behavior(st, known, absent_days)
                self.write_star(st)
                if known:
                    self.write_mcas(st, cur)
                # PowerSchool
                if status == "Active":
                    ps_status, entry = 0, self.days[st.transfer_day - 1] if st.transfer_day and st.transfer_day <= D else (
                        first_day if st.entry_day == 1 else self.days[st.entry_day - 1])
                    exitd = after_last
                else:
                    ps_status = 3 if status == "Graduated" else 2
                    entry = first_day if st.entry_day == 1 else self.days[st.entry_day - 1]
                    exitd = self.days[st.withdraw_day - 1]
                ps_students.append(self._ps_student(st, cur, ps_status, entry, exitd, hr))
                for e in enrolls:
                    if e.start_day > D:
                        continue
                    active = e.end_day == 0 or e.end_day > D
                    term = self.yearid * 100 + TERM_IDS[e.section.term]
                    left = after_last if active else self.days[e.end_day - 1]
                    sec = e.section
                    ps_cc.append((len(ps_cc) + self.ps.counts["cc"] + 1, 0, st.idx + 1, sec.id if active else -sec.id,
                                  int(sec.school_id), term, sec.course_number, sec.section_number,
                                  ps_date(self.days[e.start_day - 1]), ps_date(left)))
            self.ps.insert("students", ps_students)
            self.ps.insert("cc", ps_cc)
            self.ps.insert("studentrace", [r for row in ps_students for r in self._ps_races(row)])
            self.ps.insert("s_ma_stu_x", [self._ps_programs[row[0]] for row in ps_students])
            ps_students, ps_cc = [], []

    def _ps_student(self, st: Student, school: School, status: int, entry: date, exitd: date, hr: str) -> tuple:
        eth = pools.RACE_CODES_PS.get(st.race, "M")
        lunch = {"Free Lunch": "F", "Reduced Lunch": "R"}.get(st.frl, "P")
        self._ps_race_of[st.idx + 1] = st.race
        self._ps_programs[st.idx + 1] = (st.idx + 100001, st.lep, st.sped_placement or None, "504" if st.plan_504 else None)
        # The sensitive columns a real PowerSchool has, filled with obviously fake values.
        secrets = (f"000-00-{st.idx % 10000:04d}", f"w{st.idx}", f"pw-{st.idx:06d}", f"s{st.idx}", f"spw-{st.idx:06d}")
        return (st.idx + 1, st.idx + 100001, st.local_id, st.state_id, st.first, st.middle, st.last, ps_date(st.dob),
                st.gender, _grade_label_ps(st.grade, st.pk3), int(school.id), status, ps_date(entry), ps_date(exitd), hr,
                eth, 1 if st.hispanic else 0, lunch, *secrets)

    def _ps_races(self, student_row: tuple) -> list[tuple]:
        """studentrace: one row per race; a two-or-more-races student has two."""
        sid = student_row[0]
        race = self._ps_race_of.get(sid)
        codes = ([pools.RACE_CODES_PS[race]] if race in pools.RACE_CODES_PS else
                 [pools.RACE_CODES_PS[r.strip()] for r in str(race).split(",") if r.strip() in pools.RACE_CODES_PS])
        return [(sid * 10 + i, sid, code) for i, code in enumerate(codes)]

    # ------------------------------------------------------------------ finish
    def run(self) -> dict:
        self.out.mkdir(parents=True, exist_ok=True)
        orgs_truth = self.write_orgs()
        self.open_writers()
        self.write_staff_and_sections()
        self.write_students()
        writers = [self.w_students, self.w_edu, self.w_courses, self.w_ssa, self.w_esa, self.w_att, self.w_beh, self.w_asm]
        for w in writers:
            w.stream.close()
        self.z_sr.close()
        self.z_sm.close()
        ps_counts = self.ps.close()
        files_truth = {w.name: w.truth() for w in writers + [self.w_sr, self.w_sm]}
        files_truth["orgs.csv"] = orgs_truth
        self.truth_students["bad_birth_dates"].sort()
        truth = {
            "generator_version": GENERATOR_VERSION,
            "dirty": self.dirty,
            "as_of_date": iso(self.as_of),
            "files": files_truth,
            "keys": {k: v for k, v in KEYS.items() if k in files_truth},
            "students": self.truth_students,
            "attendance": self.att,
            "behavior": self.beh,
            "star": self.star,
        }
        _write_json(self.out / "truth.json", truth)
        manifest_files = {}
        for w in writers:
            manifest_files[w.name] = {"rows": w.data_records, "sha256": _sha256(self.out / w.name)}
        manifest_files["star_reading.zip"] = {"rows": self.w_sr.data_records, "sha256": _sha256(self.out / "star_reading.zip")}
        manifest_files["star_math.zip"] = {"rows": self.w_sm.data_records, "sha256": _sha256(self.out / "star_math.zip")}
        manifest_files["orgs.csv"] = {"rows": orgs_truth["data_records"], "sha256": _sha256(self.out / "orgs.csv")}
        manifest_files["powerschool.sqlite"] = {"rows": sum(ps_counts.values()), "tables": ps_counts,
                                                "sha256": _sha256(self.out / "powerschool.sqlite")}
        manifest_files["truth.json"] = {"rows": None, "sha256": _sha256(self.out / "truth.json")}
        manifest = {
            "generator_version": GENERATOR_VERSION,
            "seed": self.seed,
            "students": self.plan.students,
            "day": self.day,
            "school_year": self.school_year,
            "dirty": self.dirty,
            "as_of_date": iso(self.as_of),
            "first_school_day": iso(self.days[0]),
            "school_days": [iso(x) for x in self.days[: self.day]],
            "district": {"org_id": DISTRICT_ORG_ID, "name": "Example District Public Schools", "city": self.plan.city,
                         "email_domain": "example-district.org", "student_email_domain": "students.example-district.org"},
            "districts": [{"org_id": d, "name": n, "central_office": o, "sped_office": sp} for d, n, o, sp in self.plan.districts],
            "regions": [{"org_id": r, "name": n, "district": self.plan.region_district[r]} for r, n in self.plan.regions],
            "schools": [{"id": s.id, "name": s.name, "level": s.level, "low_grade": s.low, "high_grade": s.high,
                         "parent_org_id": s.parent} for s in self.plan.schools],
            "files": manifest_files,
        }
        _write_json(self.out / "district_manifest.json", manifest)
        return manifest


def _write_json(path: Path, obj) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, sort_keys=True, indent=2, ensure_ascii=False)
        f.write("\n")


def generate(out_dir: Path, students: int, seed: int, day: int = 60, school_year: int = 2027, dirty: bool = False,
             districts: int = 1) -> dict:
    """Write the district's files into out_dir as of the end of school day ``day``; return the manifest.

    ``districts`` > 1 shares the schools out over that many districts under one state (the first with
    a region). The same arguments always give byte-identical files. See the module docstring for the
    conflict winner rule.
    """
    return _Run(Path(out_dir), students, seed, day, school_year, dirty, districts).run()
