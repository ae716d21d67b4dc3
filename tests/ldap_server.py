"""A real LDAP server for the tests: ldaptor's in-memory directory served over TCP on 127.0.0.1.

The Twisted reactor runs in a daemon thread (a reactor starts once per process, so start() is
meant for a session-scoped fixture). Passwords are stored as {SSHA} hashes, as a directory would.

    server = start(users=[LdapUser("jdoe", "jdoe@district.org", "secret")], service_password="svc")
    server.url, server.base_dn, server.service_dn
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LdapUser:
    uid: str
    mail: str | None
    password: str
    cn: str = ""


@dataclass
class LdapServer:
    host: str
    port: int
    base_dn: str
    service_dn: str
    service_password: str
    _listener: object = field(repr=False, default=None)
    _thread: threading.Thread | None = field(repr=False, default=None)

    @property
    def url(self) -> str:
        return f"ldap://{self.host}:{self.port}"

    def stop(self) -> None:
        from twisted.internet import reactor

        reactor.callFromThread(reactor.stop)
        if self._thread:
            self._thread.join(timeout=5)


def _ssha(password: str) -> bytes:
    import os

    from ldaptor.entry import sshaDigest

    return sshaDigest(password.encode("utf-8"), os.urandom(4))


def start(users: list[LdapUser], *, suffix: str = "dc=district,dc=org",
          service_password: str = "service-secret") -> LdapServer:
    from ldaptor.inmemory import ReadOnlyInMemoryLDAPEntry
    from ldaptor.interfaces import IConnectedLDAPEntry
    from ldaptor.protocols.ldap.ldapserver import LDAPServer
    from twisted.internet import protocol, reactor
    from twisted.python.components import registerAdapter

    root = ReadOnlyInMemoryLDAPEntry(suffix, {"objectClass": ["dcObject", "organization"],
                                              "dc": [suffix.split(",")[0].split("=")[1]], "o": ["District"]})
    people = root.addChild("ou=people", {"objectClass": ["organizationalUnit"], "ou": ["people"]})
    services = root.addChild("ou=services", {"objectClass": ["organizationalUnit"], "ou": ["services"]})
    services.addChild("cn=dashboards", {"objectClass": ["person"], "cn": ["dashboards"], "sn": ["service"],
                                        "userPassword": [_ssha(service_password)]})
    for u in users:
        attrs = {"objectClass": ["inetOrgPerson"], "uid": [u.uid], "cn": [u.cn or u.uid], "sn": [u.uid],
                 "userPassword": [_ssha(u.password)]}
        if u.mail:
            attrs["mail"] = [u.mail]
        people.addChild(f"uid={u.uid}", attrs)

    class Factory(protocol.ServerFactory):
        protocol = LDAPServer

        def __init__(self, tree):
            self.root = tree

    registerAdapter(lambda f: f.root, Factory, IConnectedLDAPEntry)
    listener = reactor.listenTCP(0, Factory(root), interface="127.0.0.1")
    thread = threading.Thread(target=reactor.run, kwargs={"installSignalHandlers": False}, daemon=True,
                              name="ldap-server")
    thread.start()
    return LdapServer("127.0.0.1", listener.getHost().port, f"ou=people,{suffix}",
                      f"cn=dashboards,ou=services,{suffix}", service_password, listener, thread)
