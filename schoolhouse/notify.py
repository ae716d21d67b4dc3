"""Tell people when a night did not fully succeed: one email and/or one webhook post per such night.

What counts: a refused file, a failed build or test, a vendor push refused or failed (or pushed
with warnings), and a source that sent no new file for ``notify.stale_hours`` (36 by default: the
SIS export stopped and nobody noticed). A night that fully succeeded sends nothing. Sending is
best effort: a mail server that is down is logged, and never turns a good night into a failed one.

The message says what the night's summary says, in plain sentences; it names files, vendors and
counts, never a student (a mailbox is not the place for student data).
"""

from __future__ import annotations

import json
import smtplib
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from schoolhouse import raw_meta
from schoolhouse.settings import Settings
from schoolhouse.warehouse import Warehouse


@dataclass(frozen=True)
class Alert:
    subject: str
    lines: tuple[str, ...]
    status: str
    run_id: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def stale_sources(wh: Warehouse, sources: list[str], hours: int, now: datetime | None = None) -> list[str]:
    """Sentences for each source whose newest loaded file is older than ``hours`` (or never loaded)."""
    now = now or raw_meta.now()
    out = []
    for source in sources:
        ph = wh.placeholder
        rows = wh.query(f"select max(loaded_at) from {raw_meta.SCHEMA}.file_loads "
                        f"where source = {ph} and status = 'loaded'", (source,))
        last = rows[0][0] if rows else None
        if last is None:
            out.append(f"{source}: no file has ever been loaded.")
        elif now - last > timedelta(hours=hours):
            out.append(f"{source}: no new file for {(now - last).total_seconds() / 3600:.0f} hours "
                       f"(the last was loaded {last:%Y-%m-%d %H:%M} UTC); is the export still running?")
    return out


def alert_for(settings: Settings, run, stale: list[str]) -> Alert | None:
    """The night's alert, or None when it fully succeeded and no source is stale."""
    bad = [s for s in run.steps if s.status in ("failed", "warning")]
    if not bad and not stale:
        return None
    district = settings.district_name or "the district"
    status = run.status if bad else "warning"
    lines = [f"Schoolhouse nightly run {run.run_id[:8]} for {district}: {status}.", ""]
    lines += [f"- {s.name}: {s.status}. {s.message}".rstrip() for s in bad]
    if stale:
        lines += ["", "Stale sources:"] + [f"- {s}" for s in stale]
    lines += ["", "The data-health page and raw_meta.runs have the details."]
    return Alert(f"Schoolhouse nightly {status}: {district}", tuple(lines), status, run.run_id)


def send(settings: Settings, alert: Alert, log=lambda _msg: None) -> list[str]:
    """Send ``alert`` by email and webhook, as configured; returns what could not be sent."""
    n, problems = settings.notify, []
    if n.email_to:
        msg = EmailMessage()
        msg["Subject"], msg["From"], msg["To"] = alert.subject, n.email_from, ", ".join(n.email_to)
        msg.set_content(alert.text)
        try:
            with smtplib.SMTP(n.smtp_host, n.smtp_port, timeout=30) as smtp:
                if n.smtp_starttls:
                    smtp.starttls()
                password = settings.secret("smtp_password")
                if n.smtp_user and password:
                    smtp.login(n.smtp_user, password)
                smtp.send_message(msg)
            log(f"alert emailed to {', '.join(n.email_to)}")
        except (OSError, smtplib.SMTPException) as exc:
            problems.append(f"the alert email to {', '.join(n.email_to)} via {n.smtp_host}:{n.smtp_port} failed ({exc})")
    url = settings.secret("notify_webhook_url") if n.webhook else None
    if n.webhook and not url:
        problems.append("notify.webhook is set but SCHOOLHOUSE_NOTIFY_WEBHOOK_URL is not")
    elif url:
        body = json.dumps({"text": alert.subject + "\n" + alert.text, "status": alert.status,
                           "run_id": alert.run_id}).encode("utf-8")
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            log("alert posted to the webhook")
        except OSError as exc:  # urllib.error.URLError and HTTPError are OSErrors
            host = urllib.request.urlparse(url).hostname
            problems.append(f"the alert post to the webhook at {host} failed ({exc})")
    return problems
