"""Data health (district administrators): what was loaded when, what was refused or left out, and exports."""

import streamlit as st

from dashboards import data, ui

viewer, _ = ui.context()
st.title("Data health")
try:
    loads = data.health_loads(viewer.staff_id)
except PermissionError as exc:
    st.error(str(exc))
    st.stop()

stale = loads[~loads["fresh"]]
c1, c2, c3 = st.columns(3)
c1.metric("Files current", f"{len(loads)}")
c2.metric("Older than 36 hours", f"{len(stale)}")
c3.metric("Last load", f"{loads['loaded_at'].max():%Y-%m-%d %H:%M}" if len(loads) else "—")
if len(stale):
    st.warning("Stale: " + ", ".join(f"{r.source}/{r.entity}" for r in stale.itertuples())
               + ". The nightly job may have stopped or the district sent no file.")
refused = loads[loads["last_attempt"].fillna("loaded") == "refused"]
if len(refused):
    st.error("Last attempt refused (yesterday's data kept): "
             + "; ".join(f"{r.file_name}: {r.last_message}" for r in refused.itertuples()))

st.subheader("Last load per file")
ui.table(loads, "file_loads")

st.subheader("Rejected rows (could not be read)")
counts, rows = data.health_rejected(viewer.staff_id)
if counts.empty:
    st.success("Every row of the current files could be read.")
else:
    ui.bar(counts.assign(what=counts["entity"] + ": " + counts["reason"]), "what", "rows", title="rows", horizontal=True)
    with st.expander(f"{len(rows):,} rejected rows (file, line, reason)"):
        ui.table(rows, "rejected_rows")

st.subheader("Rows left out of the marts")
counts, rows = data.health_excluded(viewer.staff_id)
if counts.empty:
    st.success("No rows were left out.")
else:
    ui.bar(counts.assign(what=counts["entity"] + ": " + counts["reason"]), "what", "rows", title="rows", horizontal=True)
    with st.expander(f"{len(rows):,} excluded rows (file, line, reason, record)"):
        ui.table(rows, "excluded_rows")

st.subheader("Vendor files: the last push to each place")
last_pushes = data.health_last_pushes(viewer.staff_id)
if last_pushes is not None:
    status_table, sync_log = last_pushes
    ui.table(status_table, "last_pushes")
    if sync_log.empty:
        st.caption("The last pushes' sync logs are empty: every export check passed.")
    else:
        st.caption("Sync log of those pushes: each row an export check found wrong. Errors refused the push; "
                   "warnings went with it.")
        ui.table(sync_log, "sync_log")

st.subheader("Exports and shrink-guard decisions")
exports = data.health_exports(viewer.staff_id)
if exports is None:
    st.info("No exports recorded yet: pushes appear here after the first `schoolhouse export` or nightly run.")
else:
    ui.table(exports, "exports")

st.subheader("Access log")
st.caption("Who signed in, opened a student's profile or downloaded a list (newest first). "
           "Kept outside the warehouse's nightly tables, so no rebuild removes it.")
log = data.access_log(viewer.staff_id)
if log.empty:
    st.info("Nothing recorded yet.")
else:
    ui.table(log, "access_log")
