"""Educators' notes on students: the third source Student Insights brings together with the SIS and
the tests. Kept in the app store (schoolhouse.app_store, table educator_notes), so no nightly run,
--full-refresh or restore of the warehouse ever loses one; dbt reads them as fct_educator_notes.

Who may do what is decided here, whatever the page asks:
- anyone may write a note on a student they may open (data.student_access), and read every note
  on that student;
- only the author may change or delete a note, and only a student they may still open;
- every save is a new revision (nothing is overwritten), and the access log records it.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd

from dashboards import audit, data, db
from schoolhouse import app_store

KINDS = ("Meeting", "Intervention", "Family contact", "Observation", "Other")
MAX_LENGTH = 4000
WRITTEN, EDITED, DELETED = "note_written", "note_edited", "note_deleted"

# The latest revision of each note on one student, with its author (revision 1's writer).
_CURRENT = """
    select n.note_id, n.revision, n.note_date, n.kind, n.body, n.is_deleted, n.staff_id as saved_by,
           n.written_at as saved_at, orig.staff_id as author_staff_id, orig.written_at as written_at
    from {app}educator_notes as n
    inner join {app}educator_notes as orig on orig.note_id = n.note_id and orig.revision = 1
    where n.student_id = ?
      and n.revision = (select max(r.revision) from {app}educator_notes as r where r.note_id = n.note_id)
"""


def latest_date() -> dt.date:
    """The latest date a note may carry: today, or the warehouse's as-of date when that is later
    (a demo district, or a night rebuilt ahead)."""
    return max(dt.date.today(), data.as_of_date())


class NoteRefused(ValueError):
    """What the viewer asked cannot be saved; the message says why, in words for them."""


def for_student(staff_id: str, student_id: str) -> pd.DataFrame | None:
    """The notes on a student, newest first (None when the viewer may not open the student). Read
    from the app store each time: a note saved a minute ago is there."""
    if data.student_access(staff_id, student_id) is None:
        return None
    columns, rows = app_store.read(db.warehouse(), _CURRENT, [student_id])
    notes = pd.DataFrame.from_records(rows, columns=columns)
    notes = notes[notes["is_deleted"].fillna(0) == 0].drop(columns=["is_deleted"])
    names = _names(set(notes["author_staff_id"]))
    notes["author"] = [names.get(a, a) for a in notes["author_staff_id"]]
    notes["is_mine"] = notes["author_staff_id"] == staff_id
    notes["is_edited"] = notes["revision"] > 1
    return notes.sort_values(["note_date", "written_at"], ascending=False).reset_index(drop=True)


def write(staff_id: str, student_id: str, note_date: dt.date, kind: str, body: str) -> str:
    """Save a new note; its id."""
    if data.student_access(staff_id, student_id) is None:
        raise NoteRefused("You can write notes only on your own students.")
    note_id = uuid.uuid4().hex
    _save(staff_id, student_id, note_id, 1, note_date, kind, body, deleted=False)
    audit.record(WRITTEN, staff_id=staff_id, student_id=student_id, detail=note_id)
    return note_id


def edit(staff_id: str, note_id: str, seen_revision: int, note_date: dt.date, kind: str, body: str) -> None:
    """Save a new version of the viewer's own note; ``seen_revision`` is the one they edited."""
    student_id = _own(staff_id, note_id, seen_revision)
    _save(staff_id, student_id, note_id, seen_revision + 1, note_date, kind, body, deleted=False)
    audit.record(EDITED, staff_id=staff_id, student_id=student_id, detail=note_id)


def delete(staff_id: str, note_id: str, seen_revision: int) -> None:
    """Delete the viewer's own note (a last revision that says so: the audit keeps what it said)."""
    student_id = _own(staff_id, note_id, seen_revision)
    note = _revision(note_id, seen_revision)
    _save(staff_id, student_id, note_id, seen_revision + 1, note["note_date"], note["kind"], note["body"], deleted=True)
    audit.record(DELETED, staff_id=staff_id, student_id=student_id, detail=note_id)


def history(staff_id: str, note_id: str) -> pd.DataFrame | None:
    """Every revision of a note (who saved what, when), for someone who may open its student."""
    columns, rows = app_store.read(
        db.warehouse(), "select revision, written_at, staff_id, student_id, note_date, kind, body, is_deleted "
                        "from {app}educator_notes where note_id = ? order by revision", [note_id])
    revisions = pd.DataFrame.from_records(rows, columns=columns)
    if revisions.empty or data.student_access(staff_id, str(revisions["student_id"].iloc[0])) is None:
        return None
    return revisions.drop(columns=["student_id"])


def _own(staff_id: str, note_id: str, seen_revision: int) -> str:
    first, seen = _revision(note_id, 1), _revision(note_id, seen_revision)
    if first is None or seen is None or seen["is_deleted"] or data.student_access(staff_id, first["student_id"]) is None:
        raise NoteRefused("That note is not there.")
    if first["staff_id"] != staff_id:
        raise NoteRefused("Only the educator who wrote a note can change it.")
    return first["student_id"]


def _revision(note_id: str, revision: int) -> dict | None:
    columns, rows = app_store.read(db.warehouse(), "select * from {app}educator_notes where note_id = ? and revision = ?",
                                   [note_id, revision])
    return dict(zip(columns, rows[0])) if rows else None


def _save(staff_id: str, student_id: str, note_id: str, revision: int, note_date, kind: str, body: str, *,
          deleted: bool) -> None:
    body = (body or "").strip()
    if kind not in KINDS:
        raise NoteRefused(f"Choose the kind of note: {', '.join(KINDS)}.")
    if not body:
        raise NoteRefused("The note is empty.")
    if len(body) > MAX_LENGTH:
        raise NoteRefused(f"A note holds at most {MAX_LENGTH:,} characters (this one has {len(body):,}).")
    if isinstance(note_date, dt.datetime):
        note_date = note_date.date()
    if not isinstance(note_date, dt.date) or note_date > latest_date():
        raise NoteRefused("A note's date is the day it is about: today or earlier.")
    try:
        app_store.append(db.warehouse(), "educator_notes", [{
            "note_id": note_id, "revision": revision, "written_at": app_store.now(), "staff_id": staff_id,
            "student_id": student_id, "note_date": note_date, "kind": kind, "body": body,
            "is_deleted": int(deleted)}])
    except app_store.Conflict as exc:
        raise NoteRefused("This note was changed since you opened it (in another window?). "
                          "Reload the page to see the latest version.") from exc


def _names(staff_ids: set[str]) -> dict[str, str]:
    if not staff_ids:
        return {}
    df = db.query(f"select staff_id, first_name, last_name from marts.dim_staff where staff_id in "
                  f"({', '.join('?' * len(staff_ids))})", sorted(staff_ids))
    return {r.staff_id: f"{r.first_name} {r.last_name}".strip() for r in df.itertuples()}
