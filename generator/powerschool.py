"""The same district as a PowerSchool database (SQLite): students, schools, teachers, users, courses, sections, terms, cc."""
from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = (
    "CREATE TABLE students (id INTEGER, dcid INTEGER, student_number TEXT, state_studentnumber TEXT, first_name TEXT, "
    "middle_name TEXT, last_name TEXT, dob TEXT, gender TEXT, grade_level INTEGER, schoolid INTEGER, enroll_status INTEGER, "
    "entrydate TEXT, exitdate TEXT, home_room TEXT, ethnicity TEXT, fedethnicity INTEGER)",
    "CREATE TABLE schools (school_number INTEGER, name TEXT, low_grade INTEGER, high_grade INTEGER)",
    "CREATE TABLE teachers (id INTEGER, teachernumber TEXT, first_name TEXT, last_name TEXT, email_addr TEXT, schoolid INTEGER, status INTEGER)",
    "CREATE TABLE users (id INTEGER, teachernumber TEXT, first_name TEXT, last_name TEXT, email_addr TEXT, schoolid INTEGER, status INTEGER)",
    "CREATE TABLE courses (course_number TEXT, course_name TEXT)",
    "CREATE TABLE sections (id INTEGER, course_number TEXT, section_number TEXT, schoolid INTEGER, termid INTEGER, teacher INTEGER, "
    "expression TEXT, period TEXT)",
    "CREATE TABLE terms (id INTEGER, name TEXT, firstday TEXT, lastday TEXT, yearid INTEGER, schoolid INTEGER)",
    "CREATE TABLE cc (studentid INTEGER, sectionid INTEGER, termid INTEGER, dateenrolled TEXT, dateleft TEXT)",
)
TABLES = ("students", "schools", "teachers", "users", "courses", "sections", "terms", "cc")


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
