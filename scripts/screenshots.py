"""Screenshots of every dashboard page, for each demo role, with headless Chromium.

Starts `streamlit run dashboards/app.py` headless in demo mode on the current warehouse
(SCHOOLHOUSE_TARGET / SCHOOLHOUSE_DUCKDB_PATH / PG*), signs in through the demo link
(?demo=teacher|principal|counselor|district, honoured only in demo mode) and saves one PNG per
role and page:

    .venv/bin/python scripts/screenshots.py --out /tmp/dash/shots [--roles teacher district] [--port 8599]

Chromium runs headless and is driven over the DevTools protocol (websockets): each page is captured
once Streamlit has finished the run, at the page's full height. Needs a `chromium` (or
chromium-browser / google-chrome) on PATH: apt-get install -y chromium.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from dashboards import launch  # noqa: E402
PAGES = ["attention", "overview", "attendance", "discipline", "assessments", "student", "data_health"]
ROLES = ["teacher", "principal", "counselor", "district"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    sys.exit("No chromium on PATH: apt-get install -y chromium")


def start_app(port: int) -> subprocess.Popen:
    env = dict(os.environ, SCHOOLHOUSE_DEMO_MODE="1", PYTHONPATH=str(ROOT),
               STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    # The command `schoolhouse dashboard` runs in demo mode (127.0.0.1 only, the viewer toolbar).
    proc = subprocess.Popen(launch.command(["--server.headless", "true", "--server.port", str(port)], demo_mode=True),
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
        if proc.poll() is not None:
            sys.exit(f"streamlit exited: {proc.stderr.read().decode()[-2000:]}")
    proc.terminate()
    sys.exit("streamlit did not answer on /_stcore/health")


READY_JS = """(() => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (!main || main.innerText.trim().length < 20) return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;   // script still running
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  return true;
})()"""
HEIGHT_JS = """Math.max(...[...document.querySelectorAll('[data-testid="stMainBlockContainer"], [data-testid="stSidebarContent"]')]
  .map(e => e.scrollHeight), 600)"""


class Browser:
    """Headless Chromium driven over the DevTools protocol: navigate, wait until Streamlit is idle, capture."""

    def __init__(self, chrome: str, width: int):
        self.width = width
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="shots-chrome-")
        self.proc = subprocess.Popen(
            [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={self.profile}", f"--remote-debugging-port={self.port}",
             "--remote-allow-origins=*", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ws_url = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=1) as r:
                    pages = [t for t in json.load(r) if t.get("type") == "page"]
                if pages:
                    ws_url = pages[0]["webSocketDebuggerUrl"]
                    break
            except OSError:
                pass
            time.sleep(0.1)
        if not ws_url:
            self.close()
            sys.exit("chromium did not open its DevTools port")
        from websockets.sync.client import connect

        self._ws_context = connect(ws_url, max_size=None, open_timeout=10)
        self.ws = self._ws_context.__enter__()
        self.next_id = 0
        self.call("Page.enable")
        self.resize(1000)

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, js: str):
        return self.call("Runtime.evaluate", expression=js, returnByValue=True).get("result", {}).get("value")

    def resize(self, height: int) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=self.width, height=height, deviceScaleFactor=1,
                  mobile=False)

    def shoot(self, url: str, out: Path, timeout: float = 60) -> bool:
        self.resize(1000)
        self.call("Page.navigate", url=url)
        time.sleep(1.0)
        deadline, streak = time.time() + timeout, 0
        while time.time() < deadline and streak < 4:
            streak = streak + 1 if self.evaluate(READY_JS) else 0
            time.sleep(0.25)
        time.sleep(1.0)  # let vega finish drawing
        self.resize(int(self.evaluate(HEIGHT_JS) or 1000) + 120)
        time.sleep(1.0)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        out.write_bytes(base64.b64decode(data))
        return streak >= 4

    def close(self) -> None:
        try:
            self._ws_context.__exit__(None, None, None)
        except Exception:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/dash/shots"))
    ap.add_argument("--roles", nargs="+", default=ROLES, choices=ROLES)
    ap.add_argument("--pages", nargs="+", default=PAGES, choices=PAGES)
    ap.add_argument("--student", help="student id for the profile page (default: the first the role may see)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--width", type=int, default=1400, help="window width; the height follows the page")
    args = ap.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    chrome = browser()
    port = args.port or free_port()
    app = start_app(port)
    browser_ = None
    try:
        browser_ = Browser(chrome, args.width)
        for role in args.roles:
            for page in args.pages:
                if page == "data_health" and role != "district":
                    continue
                query = f"demo={role}"
                if page == "student":
                    query += f"&student={args.student or first_student(role)}"
                out = args.out / f"{role}_{page}.png"
                path = "" if page == "attention" else page  # the default page lives at /
                ok = browser_.shoot(f"http://127.0.0.1:{port}/{path}?{query}", out)
                print(out, "" if ok else "(timed out waiting for the page; captured anyway)")
    finally:
        if browser_:
            browser_.close()
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()


def first_student(role: str) -> str:
    """A student of the demo account for ``role`` with some absences (what the profile shows best)."""
    sys.path.insert(0, str(ROOT))
    from dashboards import access, db

    label = {"teacher": "Teacher", "principal": "Principal", "counselor": "Counselor",
             "district": "District administrator"}[role]
    account = next(a for a in access.demo_accounts() if a["label"] == label)
    viewer = access.resolve(access.Identity(method="demo", login=account["login"], email=account["email"]))
    df = db.query(
        """select m.student_id from marts.metrics_students as m
           where m.student_id in (select student_id from marts.access_viewer_students where staff_id = ?)
           order by m.incidents_this_year desc, m.absent_days desc, m.student_id limit 1""",
        [viewer.staff_id])
    return str(df.iloc[0, 0])


if __name__ == "__main__":
    main()
