"""The same district as a PowerSchool database (SQLite), shaped like the real thing.

Like PowerSchool's Oracle schema: numbers declared NUMERIC(10,0), DATE values carrying a time,
staff as users (one per person) and schoolstaff (one per person and school, status 1 current /
2 gone) with sections.teacher pointing at schoolstaff.id and lead teachers in sectionteacher,
race in studentrace, terms known by abbreviation per school, lunch status on students, English
learner and special-education status in a state extension table (s_ma_stu_x), a TEACHERS view,
and the sensitive columns a real database has (SSN, web and login passwords), which the loader
must never copy. Student numbers are text here so the Aspen local ids' leading zeros survive.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

NUM = "NUMERIC(10,0)"
SCHEMA = (
    f"CREATE TABLE students (id {NUM}, dcid {NUM}, student_number VARCHAR(20), state_studentnumber VARCHAR(32), "
    "first_name VARCHAR(50), middle_name VARCHAR(50), last_name VARCHAR(50), dob DATE, gender VARCHAR(2), "
    f"grade_level {NUM}, schoolid {NUM}, enroll_status {NUM}, entrydate DATE, exitdate DATE, home_room VARCHAR(60), "
    f"ethnicity VARCHAR(20), fedethnicity {NUM}, lunchstatus VARCHAR(10), ssn VARCHAR(12), web_id VARCHAR(20), "
    "web_password VARCHAR(20), student_web_id VARCHAR(20), student_web_password VARCHAR(20))",
    f"CREATE TABLE schools (id {NUM}, dcid {NUM}, school_number {NUM}, name VARCHAR(60), low_grade {NUM}, "
    f"high_grade {NUM}, abbreviation VARCHAR(20))",
    f"CREATE TABLE users (dcid {NUM}, homeschoolid {NUM}, teachernumber VARCHAR(20), first_name VARCHAR(50), "
    "middle_name VARCHAR(50), last_name VARCHAR(50), email_addr VARCHAR(100), teacherloginid VARCHAR(40), "
    "loginid VARCHAR(40), password VARCHAR(64), teacherloginpw VARCHAR(64), ssn VARCHAR(12))",
    f"CREATE TABLE schoolstaff (id {NUM}, dcid {NUM}, users_dcid {NUM}, schoolid {NUM}, status {NUM}, staffstatus {NUM})",
    "CREATE TABLE courses (course_number VARCHAR(11), course_name VARCHAR(40))",
    f"CREATE TABLE sections (id {NUM}, dcid {NUM}, course_number VARCHAR(11), section_number VARCHAR(10), "
    f"schoolid {NUM}, termid {NUM}, teacher {NUM}, expression VARCHAR(80), room VARCHAR(20))",
    f"CREATE TABLE sectionteacher (id {NUM}, sectionid {NUM}, teacherid {NUM}, roleid {NUM}, start_date DATE, "
    "end_date DATE)",
    f"CREATE TABLE terms (id {NUM}, dcid {NUM}, name VARCHAR(30), abbreviation VARCHAR(6), firstday DATE, lastday DATE, "
    f"yearid {NUM}, schoolid {NUM}, isyearrec {NUM})",
    f"CREATE TABLE cc (id {NUM}, dcid {NUM}, studentid {NUM}, sectionid {NUM}, schoolid {NUM}, termid {NUM}, "
    "course_number VARCHAR(11), section_number VARCHAR(10), dateenrolled DATE, dateleft DATE)",
    f"CREATE TABLE studentrace (id {NUM}, studentid {NUM}, racecd VARCHAR(10))",
    f"CREATE TABLE s_ma_stu_x (studentsdcid {NUM}, lep_status VARCHAR(30), sped_placement VARCHAR(60), "
    "plan_504 VARCHAR(20))",
    # PowerSchool's TEACHERS is a view of users joined to schoolstaff.
    "CREATE VIEW teachers AS SELECT ss.id AS id, u.dcid AS users_dcid, u.teachernumber, u.first_name, u.last_name, "
    "u.email_addr, ss.schoolid, ss.status, u.password FROM users AS u JOIN schoolstaff AS ss ON ss.users_dcid = u.dcid",
)
TABLES = ("students", "schools", "users", "schoolstaff", "courses", "sections", "sectionteacher", "terms", "cc",
          "studentrace", "s_ma_stu_x")
# The settings that point Schoolhouse at this copy's extension table (district.yml powerschool_programs).
PROGRAMS = {"ell_code": "s_ma_stu_x.lep_status", "sped_code": "s_ma_stu_x.sped_placement",
            "plan_504_code": "s_ma_stu_x.plan_504"}


def ps_date(day) -> str:
    """A PowerSchool DATE: Oracle's DATE always carries a time of day."""
    return f"{day.isoformat()} 00:00:00"


class PowerSchoolDb:
    def __init__(self, path: Path):
        if path.exists():
            path.unlink()
        self.path = path
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=OFF")
        self.con.execute("PRAGMA synchronous=OFF")
        self.con.execute("PRAGMA page_size=4096")
        self.con.execute("BEGIN")
        for ddl in SCHEMA:
            self.con.execute(ddl)
        self.counts = {t: 0 for t in TABLES}

    def insert(self, table: str, rows: list[tuple]) -> None:
        if not rows:
            return
        marks = ",".join("?" * len(rows[0]))
        self.con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        self.counts[table] += len(rows)

    def close(self) -> dict[str, int]:
        self.con.execute("COMMIT")
        self.con.close()
        return dict(self.counts)
