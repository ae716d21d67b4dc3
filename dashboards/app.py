"""Schoolhouse educator dashboards: the Streamlit entry point (`schoolhouse dashboard`).

Each run: who is signed in (OIDC, LDAP or demo) → which staff member that is and what they may
see (marts.access_viewers) → sidebar filters → the chosen page. Pages get data only through
dashboards.data, which filters every query by the viewer's staff_id.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:  # `streamlit run dashboards/app.py` puts only dashboards/ on the path
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from dashboards import access, audit, auth, data, db  # noqa: E402
from dashboards.access import Identity, NoAccess, Viewer  # noqa: E402
from dashboards.data import Filters  # noqa: E402
from schoolhouse import private_files  # noqa: E402

private_files.owner_only()  # the access log's SQLite file, when the app is started without the CLI
st.set_page_config(page_title="Schoolhouse", page_icon=":material/school:", layout="wide")


@st.cache_data(ttl=300, show_spinner=False)
def _resolve(identity: Identity) -> Viewer | NoAccess:
    return access.resolve(identity)


@st.cache_data(ttl=600, show_spinner=False)
def _demo_accounts() -> list[dict]:
    return access.demo_accounts()


def current_identity() -> Identity | None:
    """The identity this session proved; None when nobody is signed in."""
    oidc = auth.oidc_identity(st.user, st.secrets)
    if oidc is not None:
        return oidc
    ident = st.session_state.get("identity")
    if ident is None and auth.demo_enabled() and st.query_params.get("demo"):
        ident = _demo_from_query(st.query_params.get("demo"))
    method = getattr(ident, "method", None)
    if method == "ldap" and auth.LdapConfig.from_settings() is not None:
        return ident
    if method == "demo" and auth.demo_enabled():
        return ident
    st.session_state.pop("identity", None)  # OIDC session ended, or its login method is switched off
    return None


DEMO_KEYS = {"teacher": "Teacher", "principal": "Principal", "counselor": "Counselor",
             "district": "District administrator"}


def _demo_from_query(key: str) -> Identity | None:
    """Demo mode only: ?demo=teacher|principal|counselor|district enters as that demo account
    (what the radio button on the sign-in page offers, as a link for screenshots and `make demo`)."""
    label = DEMO_KEYS.get(str(key).lower())
    account = next((a for a in _demo_accounts() if a["label"] == label), None)
    del st.query_params["demo"]
    if account is None:
        return None
    ident = Identity(method="demo", login=account["login"], email=account["email"])
    st.session_state["identity"] = ident
    return ident


def sign_out() -> None:
    ident = st.session_state.pop("identity", None)
    for key in [k for k in st.session_state.keys() if str(k).startswith(("f_", "_"))]:
        del st.session_state[key]
    if ident is None and auth.oidc_identity(st.user, st.secrets) is not None:
        st.logout()


def login_page() -> None:
    st.title("Schoolhouse")
    st.write("Sign in to see your students.")
    ldap = auth.LdapConfig.from_settings()
    oidc = auth.oidc_configured(st.secrets)
    demo = auth.demo_enabled()
    if not (ldap or oidc or demo):
        st.error("No sign-in method is configured. Set SCHOOLHOUSE_LDAP_URL (and SCHOOLHOUSE_LDAP_BASE_DN), "
                 "or configure [auth] in .streamlit/secrets.toml for OIDC; see dashboards/README.md.")
        return
    left, _ = st.columns([2, 3])
    with left:
        if ldap:
            with st.form("ldap_login"):
                st.subheader("District account")
                login = st.text_input("Username or email", key="login_user")
                password = st.text_input("Password", type="password", key="login_password")
                if st.form_submit_button("Sign in", type="primary"):
                    settings = db.settings()
                    window, most = settings.login_lockout_minutes, settings.login_max_failures
                    client = audit.client_address()
                    by_login = audit.recent_failures(window, login=login)
                    # One address trying many logins (password spraying) waits too, at a wider margin
                    # (a school's computers may share one address).
                    by_client = audit.recent_failures(window, client=client) if client else 0
                    if by_login >= most or by_client >= most * 4:
                        audit.record(audit.THROTTLED, login=login[:200])
                        st.error(f"Too many failed sign-ins. Try again in {window} minutes, or ask the data team.")
                        return
                    try:
                        st.session_state["identity"] = auth.ldap_login(login, password, ldap)
                    except auth.LoginFailed as exc:
                        audit.record(audit.SIGN_IN_FAILED, login=login[:200], detail=str(exc))
                        time.sleep(min(0.25 * 2 ** max(by_login, by_client), 4.0))  # each failure answers slower
                        st.error(str(exc))
                    else:
                        audit.record(audit.SIGN_IN, login=login[:200], detail="ldap")
                        st.rerun()
        if oidc:
            providers = [k for k, v in st.secrets["auth"].items() if isinstance(v, dict) or hasattr(v, "keys")]
            if providers:
                for provider in providers:
                    if st.button(f"Sign in with {provider}", key=f"oidc_{provider}"):
                        st.login(provider)
            elif st.button("Sign in with your district's single sign-on", key="oidc_default"):
                st.login()
        if demo:
            st.subheader("Demo accounts")
            st.caption("Demo mode (SCHOOLHOUSE_DEMO_MODE=1): enter as a real staff member of this warehouse, "
                       "no password. Never enable it on real data.")
            accounts = _demo_accounts()
            if not accounts:
                st.warning("No staff in marts.access_viewers to offer; run `schoolhouse build` first.")
            else:
                choice = st.radio("Enter as", range(len(accounts)), key="demo_choice",
                                  format_func=lambda i: f"{accounts[i]['label']}: {accounts[i]['name']}, "
                                                        f"{accounts[i]['school'] or ''} ({accounts[i]['students']:,} students)")
                if st.button("Enter", type="primary", key="demo_enter"):
                    a = accounts[choice]
                    st.session_state["identity"] = Identity(method="demo", login=a["login"], email=a["email"])
                    st.rerun()


def no_access_page(reason: str) -> None:
    st.title("Schoolhouse")
    st.warning(reason)
    st.write("If you should see students here, ask your school's data team to check your record in the SIS.")
    st.button("Sign out", on_click=sign_out, key="sign_out")


def sidebar(viewer: Viewer) -> Filters:
    """School, grade and subgroup filters kept in session_state, so they follow the viewer across pages.

    The options come from the viewer's own students; a stored value that is not among them is dropped.
    """
    options = data.filter_options(viewer.staff_id)
    schools = dict(options["schools"])
    choices = {"f_school": [None, *schools], "f_grade": [None, *options["grades"]],
               "f_subgroup": [None, *options["subgroups"]]}
    for key, values in choices.items():
        if st.session_state.get(key) not in values:
            st.session_state[key] = None
    with st.sidebar:
        st.markdown(f"**{viewer.display_name}**  \n{viewer.staff_type}"
                    + (f", {viewer.school_name}" if viewer.school_name else ""))
        st.caption(f"You see {viewer.scope_text}.")
        st.button("Sign out", on_click=sign_out, key="sign_out", icon=":material/logout:")
        st.divider()
        st.selectbox("School", choices["f_school"], key="f_school",
                     format_func=lambda s: "All schools" if s is None else schools.get(s, s))
        st.selectbox("Grade", choices["f_grade"], key="f_grade",
                     format_func=lambda g: "All grades" if g is None else g)
        st.selectbox("Subgroup", choices["f_subgroup"], key="f_subgroup",
                     format_func=lambda g: "All subgroups" if g is None else g)
        st.caption(f"Data as of {data.as_of_date():%B %-d, %Y} · {db.describe_target()}")
    return Filters(st.session_state["f_school"], st.session_state["f_grade"], st.session_state["f_subgroup"])


PAGES = [  # file in views/, title, icon, url path, only for district administrators (can_see_data_health)
    ("attention.py", "Needs attention", ":material/notification_important:", "attention", False),
    ("overview.py", "Enrollment", ":material/groups:", "overview", False),
    ("attendance.py", "Attendance", ":material/event_busy:", "attendance", False),
    ("discipline.py", "Discipline", ":material/report:", "discipline", False),
    ("assessments.py", "Assessments", ":material/insights:", "assessments", False),
    ("student.py", "Student profile", ":material/person:", "student", False),
    ("data_health.py", "Data health", ":material/monitor_heart:", "data_health", True),
]


def pages(viewer: Viewer) -> list:
    here = Path(__file__).parent / "views"
    return [st.Page(here / file, title=title, icon=icon, url_path=url, default=(url == "attention"))
            for file, title, icon, url, admin_only in PAGES if viewer.can_see_data_health or not admin_only]


def gate(render, title: str) -> None:
    """Show ``render`` (sign-in or no-access) whatever page the URL asked for, so that after signing
    in the same URL opens the page it named (and no "page not found" appears before)."""
    nav = [st.Page(render, title=title, url_path="signin", default=True)]
    nav += [st.Page(render, title=title, url_path=url, visibility="hidden") for _, _, _, url, _ in PAGES]
    st.navigation(nav, position="hidden").run()


def idle_sign_out() -> bool:
    """Sign out a session unused for session_idle_minutes (a shared classroom computer); True if it was."""
    now = time.time()
    last = st.session_state.get("_last_seen")
    st.session_state["_last_seen"] = now
    if last is None or now - last <= db.settings().session_idle_minutes * 60:
        return False
    if st.session_state.get("identity") is None and auth.oidc_identity(st.user, st.secrets) is None:
        return False
    sign_out()
    st.session_state["_last_seen"] = now
    return True


def main() -> None:
    with db.one_connection():  # the page's queries share one read-only connection, closed when it is drawn
        _page()


def _page() -> None:
    try:
        if idle_sign_out():
            st.info(f"Signed out after {db.settings().session_idle_minutes} minutes without use.")
        identity = current_identity()
        if identity is None:
            st.session_state.pop("_viewer", None)
            gate(login_page, "Sign in")
            return
        who = _resolve(identity)
        if isinstance(who, NoAccess):
            st.session_state.pop("_viewer", None)
            gate(lambda: no_access_page(who.reason), "No access")
            return
        st.session_state["_viewer"] = who
        st.session_state["_filters"] = sidebar(who)
        st.navigation(pages(who)).run()
    except db.WarehouseBusy as exc:
        st.warning("The warehouse cannot be read right now; the nightly load may be writing it. "
                   "Try again in a minute.")
        st.caption(str(exc))


main()
