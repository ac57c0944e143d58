"""Load: clerks saving and sending months, reviewers approving, leaders reading, auditors exporting.

Run by ``bench/load.py`` (which starts gunicorn, a Celery worker and this file headless, then
counts). Each clerk account (``load-<department>-<county>``, made by ``bench/load.py``) is held
by one simulated user at a time, so every cell has one writer and the last value the server
accepted for it (a 302 after the POST) is known: the users write every save to ``LOAD_LEDGER``
(a JSON line when sent, another when accepted or refused) for the count afterwards.

Every request's time is written to ``LOAD_REQUESTS`` (CSV) so that the harness computes exact
percentiles per kind of page. One extra user, ``Floor``, asks for a small static file through
the same stack (gunicorn, whitenoise; the balancer with ``--hosts 2``) twice a second: the
floor a page's time is compared with.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import time
from html.parser import HTMLParser

from locust import HttpUser, between, constant, events, task

YEAR = int(os.environ.get("LOAD_YEAR", "2015"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "load-2015")
CLERKS = os.environ.get("LOAD_CLERKS", "").split(",")
LEDGER = os.environ.get("LOAD_LEDGER", "load-ledger.jsonl")
REQUESTS = os.environ.get("LOAD_REQUESTS", "load-requests.csv")
FLOOR_URL = os.environ.get("LOAD_FLOOR_URL", "/static/css/print.css")
QUOTAS = ["rural-transfer", "in-service", "new-farmers", "rain-dew", "disabled"]
COUNTIES = ["410602", "410603", "410611", "410621", "410622"]

_free_clerks = [name for name in CLERKS if name]
_ledger: list[dict] = []
_requests: list[tuple[float, str, str, float, int, str]] = []


class Form(HTMLParser):
    """The inputs of the page's entry form (``form.entry-grid``) and its CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("file", "submit"):
            self.fields[name] = attributes.get("value") or ""


def fields_of(html: str) -> dict[str, str]:
    parser = Form()
    parser.feed(html)
    return parser.fields


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


class Signed(HttpUser):
    """A user of one account (username) who signs in first."""

    abstract = True
    username = ""

    def on_start(self) -> None:
        self.sign_in()

    def sign_in(self) -> None:
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        self.client.post(
            "/accounts/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf_of(page.text),
            },
            name="/accounts/login/ POST",
        )


class Clerk(Signed):
    """Fills its months in order: saves a draft (sometimes twice), then sends it."""

    weight = 6
    wait_time = between(1, 3)

    def on_start(self) -> None:
        if not _free_clerks:  # more clerk users than accounts: this one idles
            self.username = ""
            return
        self.username = _free_clerks.pop()
        self.month = 1
        self.sign_in()

    def on_stop(self) -> None:
        if self.username:
            _free_clerks.append(self.username)

    def save(self, month: int, submit: bool) -> None:
        url = f"/entry/{YEAR}/{month}/"
        page = self.client.get(url, name="/entry/[y]/[m]/")
        fields = fields_of(page.text)
        values = {}
        # One figure for all of the month's cells: the veterans' counts must not exceed one
        # another (trained <= registered <= ...), and equal counts never do.
        value = random.randint(1, 30)
        for name in list(fields):
            if name.startswith("v-"):
                key = name[2:]
                if f"t-{key}" not in fields:
                    continue
                fields[name] = str(value)
                fields[f"n-{key}"] = "负载测试"
                values[key] = value
        if not values:
            return  # the month is sent and waits for review: nothing to write
        fields["action"] = "submit" if submit else "save"
        # Written before the POST as "sent" and after it as "accepted" or "refused": a save
        # still in flight when the run stops may be in the database without an answer.
        save = {"clerk": self.username, "month": month, "values": values, "submit": submit}
        save["id"] = f"{self.username}-{len(_ledger)}"
        _ledger.append({**save, "state": "sent"})
        with self.client.post(
            url,
            fields,
            name="/entry/[y]/[m]/ POST " + fields["action"],
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
                _ledger.append({**save, "state": "accepted"})
            else:
                response.failure(f"not saved: {response.status_code}")
                _ledger.append({**save, "state": "refused"})

    @task
    def fill_a_month(self) -> None:
        if not self.username or self.month > 12:
            return
        self.save(self.month, submit=False)
        if random.random() < 0.5:
            self.save(self.month, submit=False)
        self.save(self.month, submit=True)
        self.month += 1


class Reviewer(Signed):
    """Approves what waits, a department's month at a time."""

    username = "reviewer"
    weight = 1
    wait_time = between(2, 4)

    @task
    def approve(self) -> None:
        queue = self.client.get("/review/", name="/review/")
        months = sorted(set(re.findall(r'href="(/review/\d+/\d+/)[^"]*"', queue.text)))
        if not months:
            return
        url = random.choice(months)
        page = self.client.get(url, name="/review/[dept]/[m]/")
        if "approve_all" not in page.text:
            return
        self.client.post(
            url,
            {"action": "approve_all", "csrfmiddlewaretoken": csrf_of(page.text)},
            name="/review/[dept]/[m]/ POST approve_all",
        )


class Leader(Signed):
    username = "leader"
    weight = 3
    wait_time = between(1, 3)

    @task(3)
    def dashboard(self) -> None:
        month = random.randint(1, 12)
        self.client.get(f"/dashboard/?as_of={YEAR}-{month:02d}", name="/dashboard/")

    @task(2)
    def quota(self) -> None:
        self.client.get(f"/dashboard/quota/{random.choice(QUOTAS)}/", name="/dashboard/quota/")

    @task(1)
    def county(self) -> None:
        self.client.get(f"/dashboard/county/{random.choice(COUNTIES)}/", name="/dashboard/county/")

    @task(2)
    def api(self) -> None:
        self.client.get(f"/api/progress/{YEAR}/", name="/api/progress/[y]/")


class Auditor(Signed):
    username = "auditor"
    weight = 1
    wait_time = between(3, 6)

    @task
    def export(self) -> None:
        self.client.get("/exports/", name="/exports/")
        month = random.randint(1, 12)
        self.client.get(
            f"/exports/{YEAR}/summary.xlsx?as_of={YEAR}-{month:02d}",
            name="/exports/[y]/summary.xlsx",
        )


class Floor(HttpUser):
    """The stack's floor: one user asking for a small static file, twice a second."""

    fixed_count = 1
    wait_time = constant(0.5)

    @task
    def static_file(self) -> None:
        self.client.get(FLOOR_URL, name="floor: static file")


@events.request.add_listener
def record(
    request_type: str,
    name: str,
    response_time: float,
    response: object,
    exception: BaseException | None,
    **kwargs: object,
) -> None:
    status = getattr(response, "status_code", 0) or 0
    # Ended now, began response_time ms ago: the start is what places it in the run.
    started = time.time() - response_time / 1000
    _requests.append((started, request_type, name, response_time, status, str(exception or "")))


@events.test_stop.add_listener
def write_ledger(**kwargs: object) -> None:
    with open(LEDGER, "w", encoding="utf-8") as out:
        for line in _ledger:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    with open(REQUESTS, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["started", "type", "name", "ms", "status", "failure"])
        writer.writerows(_requests)
