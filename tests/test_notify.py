"""Alerts (issue 12): a night that did not fully succeed is told once, by email to a real SMTP server
(aiosmtpd on 127.0.0.1) and by a webhook post to a real HTTP server; a good night says nothing;
a source that stopped sending files is called stale."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml
from aiosmtpd.controller import Controller

from generator import generate
from schoolhouse import notify
from schoolhouse.nightly import run_nightly
from schoolhouse.settings import SettingsError, load_settings


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def webhook():
    posts: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield posts, f"http://127.0.0.1:{server.server_port}/hooks/T0KEN"
    server.shutdown()


def test_a_night_with_a_refused_file_is_told_by_email_and_webhook_and_a_good_night_is_not(
        duckdb_warehouse, tmp_path, monkeypatch, smtp_server, webhook):
    inbox, port = smtp_server
    posts, url = webhook
    monkeypatch.setenv("SCHOOLHOUSE_NOTIFY_WEBHOOK_URL", url)
    district = tmp_path / "district"
    manifest = generate(district, students=60, seed=3)
    behavior = district / "behavior_export.txt"
    good = behavior.read_bytes()
    behavior.write_bytes(good.replace(b'"local_id"', b'"student_number"', 1))  # a required column renamed
    config = tmp_path / "district.yml"
    config.write_text(yaml.safe_dump({
        "district_name": "Eastport Public Schools", "as_of_date": manifest["as_of_date"],
        "email_domain": "example-district.org", "student_email_domain": "students.example-district.org",
        "sources": {s: str(district) for s in ("district", "aspen", "star")},
        "notify": {"email": {"to": ["data-team@example-district.org"], "from": "schoolhouse@example-district.org",
                             "smtp_host": "127.0.0.1", "smtp_port": port},
                   "webhook": True},
    }))

    run = run_nightly(load_settings(config))
    assert run.status == "warning"
    (to, message), = inbox.messages
    assert to == ["data-team@example-district.org"]
    assert message["Subject"] == "Schoolhouse nightly warning: Eastport Public Schools"
    body = message.get_content()
    assert "load:aspen: warning" in body and "behavior_export.txt" in body and "local_id" in body
    (post,) = posts
    assert post["status"] == "warning" and post["run_id"] == run.run_id and "behavior_export.txt" in post["text"]
    # A mailbox is not the place for student data: no student id of the district is in the message.
    ids = {r[0] for r in duckdb_warehouse.query("select student_id from marts.dim_students")}
    assert not [i for i in ids if i in body]

    # The district fixes the file: the next night fully succeeds and says nothing.
    behavior.write_bytes(good)
    assert run_nightly(load_settings(config)).status == "success"
    assert len(inbox.messages) == 1 and len(posts) == 1

    # Two days without a new file: the source is stale (the alert's own check, on this warehouse).
    wh = duckdb_warehouse
    last = wh.query("select max(loaded_at) from raw_meta.file_loads where source = 'aspen' and status = 'loaded'")[0][0]
    assert notify.stale_sources(wh, ["aspen"], 36, now=last + timedelta(hours=35)) == []
    (stale,) = notify.stale_sources(wh, ["aspen"], 36, now=last + timedelta(hours=48))
    assert stale.startswith("aspen: no new file for 48 hours")


def test_notify_settings_keep_the_webhook_token_out_of_the_file(tmp_path):
    config = tmp_path / "district.yml"
    config.write_text(yaml.safe_dump({"notify": {"webhook": "https://hooks.example.org/T0KEN"}}))
    with pytest.raises(SettingsError, match="SCHOOLHOUSE_NOTIFY_WEBHOOK_URL"):
        load_settings(config, environ={})
    config.write_text(yaml.safe_dump({"notify": {"email": {"to": "not-an-address", "from": "a@b.org",
                                                           "smtp_host": "mail"}}}))
    with pytest.raises(SettingsError, match="email addresses"):
        load_settings(config, environ={})
