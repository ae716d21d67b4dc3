"""The access log: who signed in (or failed to), who opened which student's profile, who downloaded
which list. Written through schoolhouse.app_store (outside what dbt builds, so no nightly, rebuild or
restore of the warehouse ever rewrites it); read by district administrators on the data-health page.

A log write never stops a page: if the store cannot be written the page still renders, and the
failure is reported on stderr for the server's log (a viewer cannot fix it).
"""

from __future__ import annotations

import datetime as dt
import sys

import pandas as pd
import streamlit as st

from dashboards import db
from schoolhouse import app_store

SIGN_IN, SIGN_IN_FAILED, THROTTLED, PROFILE, DOWNLOAD = (
    "sign_in", "sign_in_failed", "sign_in_throttled", "profile_opened", "download")


def record(event: str, *, staff_id: str | None = None, login: str | None = None, student_id: str | None = None,
           detail: str | None = None) -> None:
    try:
        app_store.append(db.warehouse(), "access_log", [{
            "event_at": app_store.now(), "event": event, "staff_id": staff_id, "login": login,
            "client": client_address(), "student_id": student_id, "detail": detail}])
    except Exception as exc:  # noqa: BLE001 - the page goes on; the operator sees why in the server log
        print(f"schoolhouse: could not write the access log ({type(exc).__name__}: {exc})", file=sys.stderr)


def recent(limit: int = 500) -> pd.DataFrame:
    """The newest events first (the caller checks the viewer may read them: data.access_log)."""
    columns, rows = app_store.read(
        db.warehouse(),
        f"select event_at, event, staff_id, login, student_id, detail from {{app}}access_log "
        f"order by event_at desc limit {int(limit)}")
    return pd.DataFrame.from_records(rows, columns=columns)


def client_address() -> str | None:
    """The browser's address as Streamlit sees it (None outside a browser session, e.g. in AppTest)."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no session context
        return None
    return address if isinstance(address, str) else None


def recent_failures(minutes: int, *, login: str | None = None, client: str | None = None) -> int:
    """Failed sign-ins of this login (any case), or from this browser address, in the last ``minutes``."""
    since = app_store.now() - dt.timedelta(minutes=minutes)
    column, value = ("lower(login)", login.strip().lower()) if login is not None else ("client", client)
    _, rows = app_store.read(db.warehouse(), f"select count(*) from {{app}}access_log where event = ? "
                             f"and {column} = ? and event_at >= ?", [SIGN_IN_FAILED, value, since])
    return int(rows[0][0])
