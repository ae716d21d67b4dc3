"""A real LDAP server for the tests: ldaptor's in-memory directory served over TCP on 127.0.0.1.

The Twisted reactor runs in a daemon thread (a reactor starts once per process, so start() is
meant for a session-scoped fixture). Passwords are stored as {SSHA} hashes, as a directory would.

    server = start(users=[LdapUser("jdoe", "jdoe@district.org", "secret")], service_password="svc")
    server.url, server.base_dn, server.service_dn
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path


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
    tls_port: int | None = None

    @property
    def url(self) -> str:
        return f"ldap://{self.host}:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://{self.host}:{self.tls_port}"

    def stop(self) -> None:
        from twisted.internet import reactor

        reactor.callFromThread(reactor.stop)
        if self._thread:
            self._thread.join(timeout=5)


def _ssha(password: str) -> bytes:
    import os

    from ldaptor.entry import sshaDigest

    return sshaDigest(password.encode("utf-8"), os.urandom(4))


def self_signed(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for ``host`` (and its key), signed by itself: the CA file a client must be given."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "ldap-cert.pem", folder / "ldap-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def start(users: list[LdapUser], *, suffix: str = "dc=district,dc=org",
          service_password: str = "service-secret", tls: tuple[Path, Path] | None = None) -> LdapServer:
    """The directory on 127.0.0.1: plain LDAP, and LDAPS too when ``tls`` gives (certificate, key)."""
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
    tls_port = None
    if tls:
        from twisted.internet import ssl

        context = ssl.DefaultOpenSSLContextFactory(str(tls[1]), str(tls[0]))
        tls_port = reactor.listenSSL(0, Factory(root), context, interface="127.0.0.1").getHost().port
    thread = threading.Thread(target=reactor.run, kwargs={"installSignalHandlers": False}, daemon=True,
                              name="ldap-server")
    thread.start()
    return LdapServer("127.0.0.1", listener.getHost().port, f"ou=people,{suffix}",
                      f"cn=dashboards,ou=services,{suffix}", service_password, listener, thread, tls_port)
