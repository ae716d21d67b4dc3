"""Who is looking: from a signed-in identity to a Viewer whose permissions come from the marts.

An Identity is what a login proved (an LDAP bind, an OIDC email, a demo pick). resolve() maps it
to exactly one staff member in marts.access_viewers (by email first, then by login name) and
returns a Viewer, or NoAccess with the reason. The Viewer carries only the staff_id that every
query in dashboards.data filters by; the scope and names are for display.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboards import db

SCOPES = ("sections", "school", "district", "region", "state", "custom")


@dataclass(frozen=True)
class Identity:
    method: str  # 'ldap', 'oidc' or 'demo'
    login: str | None = None
    email: str | None = None

    @property
    def label(self) -> str:
        return self.email or self.login or "?"


@dataclass(frozen=True)
class Viewer:
    staff_id: str
    display_name: str
    scope: str  # sections | school | district | region | state | custom (access_viewers.effective_scope)
    staff_type: str
    school_id: str | None
    school_name: str | None
    identity: Identity
    scope_text: str = ""  # what they see, in words (access_viewers.scope_text)
    can_see_data_health: bool = False


@dataclass(frozen=True)
class NoAccess:
    reason: str


_COLUMNS = ("staff_id, display_name, effective_scope, staff_type, school_id, school_name, access_note, scope_text, "
            "can_see_data_health")


def _lookup(column: str, value: str):
    return db.query(f"select {_COLUMNS} from marts.access_viewers where {column} = ?", [value.strip().lower()])


def resolve(identity: Identity) -> Viewer | NoAccess:
    """The staff member this identity is, and what they may see. Doubt resolves to NoAccess."""
    rows = None
    if identity.email and identity.email.strip():
        rows = _lookup("email_key", identity.email)
    if (rows is None or rows.empty) and identity.login and identity.login.strip():
        rows = _lookup("login_key", identity.login)
    if rows is None or rows.empty:
        return NoAccess(f"{identity.label} is not a staff member in the SIS export, so no students are shown.")
    if len(rows) > 1:
        return NoAccess(f"{identity.label} matches {len(rows)} staff records in the SIS export; "
                        "ask the data team to fix the duplicate login or email.")
    row = rows.iloc[0]
    if row["effective_scope"] not in SCOPES:
        return NoAccess(f"{row['display_name'].strip()} has no student access: {row['access_note']}.")
    return Viewer(
        staff_id=str(row["staff_id"]),
        display_name=str(row["display_name"]).strip(),
        scope=str(row["effective_scope"]),
        staff_type=str(row["staff_type"] or ""),
        school_id=row["school_id"],
        school_name=row["school_name"],
        identity=identity,
        scope_text=str(row["scope_text"] or ""),
        can_see_data_health=bool(row["can_see_data_health"]),
    )


def demo_accounts() -> list[dict]:
    """One real teacher, principal, counselor and district administrator from the marts (demo mode only).

    The teacher is the active one with the most current students, so the demo has something to show.
    Candidates are ranked by their scopes, then only the pick's students are counted (counting every
    viewer's students would compute viewers × students)."""
    picks = []
    plans = [
        ("Teacher", "v.effective_scope = 'sections'"),
        ("Principal", "v.effective_scope = 'school' and v.staff_role = 'principal'"),
        ("Counselor", "v.effective_scope = 'school' and v.staff_role = 'advisor'"),
        ("District administrator", "v.effective_scope = 'district' and v.can_see_data_health"),
    ]
    for label, where in plans:
        df = db.query(
            f"""
            select v.staff_id, v.login_name, v.email, v.display_name, v.school_name, v.scope_count
            from marts.access_viewers as v
            where {where} and v.login_name is not null
            order by v.scope_count desc, v.staff_id
            limit 1
            """
        )
        if not df.empty:
            df["students"] = [int(db.query(
                "select count(distinct student_id) from marts.access_viewer_students where staff_id = ?",
                [df.iloc[0]["staff_id"]]).iloc[0, 0])]
        if not df.empty:
            r = df.iloc[0]
            picks.append({"label": label, "login": r["login_name"], "email": r["email"],
                          "name": str(r["display_name"]).strip(), "school": r["school_name"],
                          "students": int(r["students"])})
    return picks
