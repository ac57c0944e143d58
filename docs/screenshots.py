"""Pictures of the demo for the README: `make screenshots`.

Builds the demo (SQLite in a temporary directory: the 2015 plan, the synthetic demo figures,
the rollup), serves it with `runserver`, and has Debian's Chromium (with fonts-noto-cjk, so
the Chinese shows) log in as the leader and save each page below into docs/, then the phone
shots: one 390×844 screen each. Names given on
the command line (``python docs/screenshots.py work-panel.png``) take only those pictures.
The demo's evidence files go to a temporary MEDIA_ROOT, not the working tree.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PASSWORD = "demo-2015"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# (file, user, path, full page, or the CSS selector of the one element to take)
PAGES: list[tuple[str, str, str, bool | str]] = [
    ("dashboard.png", "leader", "/dashboard/?as_of=2015-09", True),
    ("quota-drilldown.png", "leader", "/dashboard/quota/rural-transfer/?as_of=2015-09", True),
    ("work-panel.png", "leader", "/dashboard/?as_of=2015-10", "#work-panel"),
    ("bulletin.png", "leader", "/bulletins/2015/9/", True),
    ("entry.png", "clerk-hrss", "/entry/2015/10/", False),
    ("review.png", "reviewer", "/review/", True),
    ("project-ledger.png", "leader", "/projects/1/", True),  # the demo's first project
    ("roster-findings.png", "auditor", "/rosters/findings/", True),
]
# At a phone's size (390×844, one screen): the same tuple, the page scrolled so that the
# element of the CSS selector (if any) is at the top.
PHONE = {"width": 390, "height": 844}
PHONE_PAGES: list[tuple[str, str, str, str | None]] = [
    ("phone-dashboard.png", "leader", "/dashboard/?as_of=2015-09", None),
    ("phone-entry.png", "clerk-hrss", "/entry/2015/11/", "main h1"),
    ("phone-review.png", "reviewer", "/review/1/10/", "main h1"),
    ("phone-roster.png", "auditor", "/rosters/1/", "main h1"),  # the demo's first class
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "DEMO_PASSWORD": PASSWORD,
            "MEDIA_ROOT": f"{tmp}/media",
        }
        env.pop("CELERY_BROKER_URL", None)
        for command in (["migrate", "-v0"], ["load_plan"], ["load_demo"], ["rollup"]):
            subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/accounts/login/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            shoot(base, set(sys.argv[1:]))
        finally:
            server.terminate()
            server.wait(timeout=10)


def shoot(base: str, only: set[str]) -> None:
    from playwright.sync_api import sync_playwright

    DOCS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        for viewport, pages in (({"width": 1366, "height": 900}, PAGES), (PHONE, PHONE_PAGES)):
            pages = [entry for entry in pages if not only or entry[0] in only]
            if not pages:
                continue
            context = browser.new_context(locale="zh-CN", viewport=viewport)
            page = context.new_page()
            user = None
            for name, username, path, what in pages:
                if username != user:
                    log_in(page, base, username)
                    user = username
                open_page(page, base, path)
                if viewport is PHONE:
                    if what:
                        page.locator(what).evaluate("(e) => e.scrollIntoView()")
                    page.screenshot(path=str(DOCS / name))
                elif isinstance(what, str):
                    page.locator(what).screenshot(path=str(DOCS / name))
                else:
                    page.screenshot(path=str(DOCS / name), full_page=what)
                print(f"docs/{name} ← {path}")
            context.close()
        browser.close()


def log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def open_page(page: Any, base: str, path: str) -> None:
    response = page.goto(f"{base}{path}")
    if response is None or response.status != 200:
        status = response.status if response else "no response"
        sys.exit(f"{path}: {status}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # charts finish drawing


if __name__ == "__main__":
    main()
