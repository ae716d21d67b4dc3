"""Signing in: LDAP bind (ldap3), OIDC through Streamlit's st.login, and an opt-in demo mode.

Every path ends in an access.Identity; dashboards.access.resolve() turns it into permissions.

LDAP (the district's directory), configured by settings (district.yml or SCHOOLHOUSE_<SETTING>):
    ldap_url          ldap://dc.district.org:389 or ldaps://…:636
    ldap_base_dn      ou=people,dc=district,dc=org
    ldap_user_filter  (|(uid={login})(mail={login}))   ({login} is escaped)
    ldap_bind_dn      optional service account for the search (password: env SCHOOLHOUSE_LDAP_BIND_PASSWORD)
    ldap_login_attr / ldap_email_attr  default uid / mail
    ldap_start_tls    upgrade an ldap:// connection with StartTLS (the certificate is verified)
    ldap_ca_file      the CA of the directory's certificate, when not one the system trusts
    ldap_insecure_plaintext  accept ldap:// without StartTLS (passwords in clear: refused by default)
The user is found with the filter (service bind, else anonymous), then proven by binding as the
entry's DN with the typed password. Exactly one entry must match; an empty password is refused
(an LDAP "unauthenticated bind" would otherwise succeed).

OIDC: configure [auth] in .streamlit/secrets.toml (see dashboards/README.md); the verified email
claim maps to dim_staff.email.

Demo: the setting demo_mode (SCHOOLHOUSE_DEMO_MODE=1) offers four real staff members from the marts, no password.
"""

from __future__ import annotations

import ssl
import sys
from dataclasses import dataclass

from dashboards import db
from dashboards.access import Identity
from schoolhouse.settings import Settings

DEFAULT_USER_FILTER = "(|(uid={login})(mail={login}))"


class LoginFailed(Exception):
    """Wrong login or password, or the directory could not be asked. The message is safe to show."""


@dataclass(frozen=True)
class LdapConfig:
    url: str
    base_dn: str
    user_filter: str = DEFAULT_USER_FILTER
    bind_dn: str | None = None
    bind_password: str | None = None
    login_attr: str = "uid"
    email_attr: str = "mail"
    start_tls: bool = False
    insecure_plaintext: bool = False
    ca_file: str | None = None
    timeout: int = 5

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "LdapConfig | None":
        settings = settings or db.settings()
        if not settings.ldap_url:
            return None
        return cls(
            url=settings.ldap_url,
            base_dn=settings.ldap_base_dn or "",
            user_filter=settings.ldap_user_filter or DEFAULT_USER_FILTER,
            bind_dn=settings.ldap_bind_dn,
            bind_password=settings.secret("ldap_bind_password"),
            login_attr=settings.ldap_login_attr,
            email_attr=settings.ldap_email_attr,
            start_tls=settings.ldap_start_tls,
            insecure_plaintext=settings.ldap_insecure_plaintext,
            ca_file=str(settings.ldap_ca_file) if settings.ldap_ca_file else None,
        )

    @property
    def plaintext(self) -> bool:
        """Passwords would cross the network readable: ldap:// without StartTLS."""
        return self.url.lower().startswith("ldap://") and not self.start_tls


def _first(entry, attr: str) -> str | None:
    values = entry["attributes"].get(attr) if entry.get("attributes") else None
    if isinstance(values, (list, tuple)):
        values = values[0] if values else None
    if isinstance(values, bytes):
        values = values.decode("utf-8", "replace")
    return str(values).strip() if values else None


_warned: list[bool] = []


def _warn_plaintext() -> None:
    """Once per process, in the server's log: the operator chose clear-text passwords."""
    if not _warned:
        _warned.append(True)
        print("schoolhouse: WARNING ldap_insecure_plaintext is on: sign-in passwords cross the network "
              "in clear text (use ldaps:// or ldap_start_tls).", file=sys.stderr)


def ldap_login(login: str, password: str, config: LdapConfig) -> Identity:
    """Bind as the directory entry that ``login`` (a username or an email) names."""
    import ldap3
    from ldap3.core.exceptions import LDAPException
    from ldap3.utils.conv import escape_filter_chars

    login = (login or "").strip()
    if config.plaintext and config.insecure_plaintext:
        _warn_plaintext()
    if config.plaintext and not config.insecure_plaintext:
        raise LoginFailed("Sign-in is switched off: the directory is set up as ldap:// without StartTLS, so "
                          "passwords would cross the network in clear text. Tell the data team (ldaps:// or "
                          "ldap_start_tls; see dashboards/README.md).")
    if not login or not password:
        raise LoginFailed("Enter your login and password.")
    refused = LoginFailed("Login or password not recognised.")
    try:
        # ldaps:// and StartTLS verify the directory's certificate (ldap3's default would not).
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file)
        server = ldap3.Server(config.url, connect_timeout=config.timeout, get_info=ldap3.NONE, tls=tls)
        search = ldap3.Connection(server, user=config.bind_dn, password=config.bind_password,
                                  receive_timeout=config.timeout, raise_exceptions=False)
        if config.start_tls:
            search.open()
            search.start_tls()
        if not search.bind():
            raise LoginFailed("The dashboards could not search the directory (service bind refused); tell the data team.")
        try:
            search.search(config.base_dn, config.user_filter.replace("{login}", escape_filter_chars(login)),
                          search_scope=ldap3.SUBTREE, attributes=[config.login_attr, config.email_attr], size_limit=2)
            entries = [e for e in search.response or [] if e.get("type") == "searchResEntry"]
        finally:
            search.unbind()
        if len(entries) != 1:
            raise refused
        entry = entries[0]
        user = ldap3.Connection(server, user=entry["dn"], password=password, receive_timeout=config.timeout,
                                raise_exceptions=False, authentication=ldap3.SIMPLE)
        if config.start_tls:
            user.open()
            user.start_tls()
        ok = user.bind()
        user.unbind()
        if not ok:
            raise refused
    except LDAPException as exc:
        if "certificate" in str(exc).lower():
            raise LoginFailed("The directory's certificate could not be verified, so no password was sent; "
                              "tell the data team (ldap_ca_file).") from exc
        raise LoginFailed(f"The directory could not be reached ({type(exc).__name__}).") from exc
    return Identity(method="ldap", login=_first(entry, config.login_attr) or login,
                    email=_first(entry, config.email_attr))


def demo_enabled() -> bool:
    return db.settings().demo_mode


def oidc_configured(secrets) -> bool:
    try:
        return "auth" in secrets
    except Exception:  # no secrets.toml at all
        return False


def oidc_identity(user, secrets) -> Identity | None:
    """The OIDC identity Streamlit holds, when OIDC is configured and the user really signed in.

    st.user can carry an email without a login (local runs, tests), so is_logged_in must be True,
    [auth] must be configured, and an email_verified claim, when present, must not be false.
    """
    if not oidc_configured(secrets):
        return None
    try:
        if user.get("is_logged_in") is not True:
            return None
        email = user.get("email")
        if not email or user.get("email_verified") is False:
            return None
    except Exception:
        return None
    return Identity(method="oidc", email=str(email).strip())
