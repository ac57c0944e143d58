"""The production profile: `check --deploy`, login lockouts, and the Procfile's processes."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOGIN = "/accounts/login/"


def production_env(**extra: str) -> dict[str, str]:
    """The environment README's deployment section sets, for the production settings module."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_")) and key != "DEBUG"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="skills_plan.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="skills.example.gov.cn,127.0.0.1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        PERSONAL_DATA_HASH_KEY=secrets.token_urlsafe(32),
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


class TestDeployCheck:
    def test_the_production_settings_pass_check_deploy_without_a_warning(self) -> None:
        result = run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            production_env(),
        )

        assert result.returncode == 0, result.stdout + result.stderr
        # One silenced: axes.W006, the address rule is our own (skills_plan.auth.LoginAttempts).
        assert "System check identified no issues (1 silenced)." in result.stdout

    def test_forgetting_hsts_or_leaving_debug_on_is_reported(self) -> None:
        result = run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            production_env(SECURE_HSTS_SECONDS="0", DEBUG="1"),
        )

        assert result.returncode != 0
        assert "security.W004" in result.stderr  # HSTS
        assert "security.W018" in result.stderr  # DEBUG

    def test_without_a_secret_key_production_does_not_start(self) -> None:
        result = run([sys.executable, "manage.py", "check"], production_env(SECRET_KEY=""))

        assert result.returncode != 0
        assert "SECRET_KEY must be set when DEBUG is off" in result.stderr

    def test_the_demo_runs_without_any_production_setting(self) -> None:
        env = {k: v for k, v in production_env().items() if k not in ("SECRET_KEY",)}
        env.update(DEBUG="1", ALLOWED_HOSTS="")
        result = run([sys.executable, "manage.py", "check"], env)

        assert result.returncode == 0, result.stderr


@pytest.mark.django_db
class TestLoginLockout:
    PASSWORD = "right-password-2015"

    @pytest.fixture
    def clerk(self) -> Any:
        return get_user_model().objects.create_user("clerk-lockout", password=self.PASSWORD)

    def attempt(self, client: Client, password: str, **headers: str) -> Any:
        return client.post(
            LOGIN, {"username": "clerk-lockout", "password": password}, headers=headers
        )

    def test_after_the_limit_even_the_right_password_is_refused_in_chinese(
        self, clerk: Any, settings: Any
    ) -> None:
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert self.attempt(client, "wrong").status_code == 200  # the form again
        assert self.attempt(client, "right-password-2015").status_code == 302  # not yet

        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.attempt(client, "wrong")
        locked = self.attempt(client, self.PASSWORD)

        assert locked.status_code == 429
        page = locked.content.decode()
        assert "登录失败次数过多，账号已暂时锁定" in page
        assert f"已连续 {settings.AXES_FAILURE_LIMIT} 次登录失败" in page
        assert "30 分钟后再试" in page
        assert "_auth_user_id" not in client.session

    def test_a_success_before_the_limit_starts_the_count_again(
        self, clerk: Any, settings: Any
    ) -> None:
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.attempt(client, "wrong")
        assert self.attempt(client, self.PASSWORD).status_code == 302
        client.logout()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.attempt(client, "wrong")

        assert self.attempt(client, self.PASSWORD).status_code == 302

    def test_one_address_trying_many_names_is_locked_too(self, clerk: Any, settings: Any) -> None:
        client = Client()
        for n in range(settings.LOGIN_ADDRESS_NAMES_LIMIT - 1):
            client.post(
                LOGIN,
                {"username": f"guess-{n}", "password": "x"},
                headers={"x-real-ip": "203.0.113.9"},
            )
        # One name short of the limit: the address still logs in (and clears only its own name).
        assert self.attempt(client, self.PASSWORD, x_real_ip="203.0.113.9").status_code == 302
        client.logout()
        for n in range(settings.LOGIN_ADDRESS_NAMES_LIMIT - 1, settings.LOGIN_ADDRESS_NAMES_LIMIT):
            client.post(
                LOGIN,
                {"username": f"guess-{n}", "password": "x"},
                headers={"x-real-ip": "203.0.113.9"},
            )

        assert self.attempt(client, self.PASSWORD, x_real_ip="203.0.113.9").status_code == 429
        assert self.attempt(client, self.PASSWORD, x_real_ip="203.0.113.10").status_code == 302

    def login(self, client: Client, username: str, password: str, ip: str) -> Any:
        return client.post(
            LOGIN, {"username": username, "password": password}, headers={"x-real-ip": ip}
        )

    def test_a_clerk_logging_in_does_not_wipe_the_failures_against_another_account(
        self, clerk: Any, settings: Any
    ) -> None:
        """The hole: four guesses at a colleague's password, one login of one's own (which
        wiped every failure from the address), again and again: no limit."""
        get_user_model().objects.create_user("clerk-guesser", password="guesser-2015")
        guesser = Client()
        for _ in range(3):
            for _ in range(settings.AXES_FAILURE_LIMIT - 1):
                self.login(guesser, "clerk-lockout", "guess", "198.51.100.7")
            assert (
                self.login(guesser, "clerk-guesser", "guesser-2015", "198.51.100.7").status_code
                == 302
            )
            guesser.logout()

        # The colleague's name is locked, wherever the right password comes from.
        assert (
            self.login(guesser, "clerk-lockout", self.PASSWORD, "198.51.100.7").status_code == 429
        )
        assert self.login(Client(), "clerk-lockout", self.PASSWORD, "192.0.2.1").status_code == 429
        # The guesser's own name is not.
        assert self.login(Client(), "clerk-guesser", "guesser-2015", "192.0.2.1").status_code == 302

    def test_one_name_failing_does_not_lock_its_colleagues_at_the_same_address(
        self, clerk: Any, settings: Any
    ) -> None:
        """One office behind one NAT address: a clerk who forgot a password locks that name only."""
        get_user_model().objects.create_user("clerk-colleague", password="colleague-2015")
        for _ in range(settings.AXES_FAILURE_LIMIT + 2):
            self.login(Client(), "clerk-lockout", "forgotten", "203.0.113.50")

        assert (
            self.login(Client(), "clerk-lockout", self.PASSWORD, "203.0.113.50").status_code == 429
        )
        assert (
            self.login(Client(), "clerk-colleague", "colleague-2015", "203.0.113.50").status_code
            == 302
        )

    def test_code_and_the_test_client_log_in_without_a_request(self, clerk: Any) -> None:
        client = Client()

        assert client.login(username="clerk-lockout", password=self.PASSWORD)
        assert not Client().login(username="clerk-lockout", password="wrong")


def procfile() -> dict[str, list[str]]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = shlex.split(command)
    return processes


class TestProcesses:
    def test_the_procfile_runs_web_worker_and_beat(self) -> None:
        processes = procfile()

        assert set(processes) == {"web", "worker", "beat"}
        assert processes["web"][0] == "gunicorn"
        assert processes["worker"][:4] == ["celery", "-A", "skills_plan", "worker"]
        assert processes["beat"][:4] == ["celery", "-A", "skills_plan", "beat"]
        scheduler = processes["beat"][processes["beat"].index("--scheduler") + 1]
        assert scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
        for command in processes.values():
            assert (BIN / command[0]).exists(), f"{command[0]} is not installed"

    def test_gunicorn_loads_the_wsgi_application(self, tmp_path: Path) -> None:
        args = [str(BIN / "gunicorn"), *procfile()["web"][1:], "--check-config"]
        result = run(args, production_env(STATIC_ROOT=str(tmp_path)))

        assert result.returncode == 0, result.stdout + result.stderr

    def test_gunicorn_refuses_to_start_with_a_broken_production_setting(self) -> None:
        args = [str(BIN / "gunicorn"), *procfile()["web"][1:], "--check-config"]
        result = run(args, production_env(SECRET_KEY=""))

        assert result.returncode != 0
        assert "SECRET_KEY" in result.stdout + result.stderr

    def test_celery_loads_the_app_with_its_tasks_and_the_beat_scheduler(self) -> None:
        script = (
            "from skills_plan.celery import app; app.loader.import_default_modules(); "
            "from django.utils.module_loading import import_string; "
            "import_string(app.conf.beat_scheduler.replace(':', '.')); "
            "print(sorted(t for t in app.tasks if t.startswith('reporting.')))"
        )
        result = run([sys.executable, "-c", script], production_env())

        assert result.returncode == 0, result.stderr
        assert "reporting.tasks.nightly_rebuild" in result.stdout
        assert "reporting.tasks.rollup_plan" in result.stdout

    def test_make_prod_checks_the_environment_then_migrates_collects_and_starts(self) -> None:
        prod = production_env(
            DATABASE_URL="postgres://skills@127.0.0.1:5432/skills",
            CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        )
        dry = run(["make", "-n", "prod"], prod)

        assert dry.returncode == 0, dry.stderr
        lines = [
            line for line in dry.stdout.splitlines() if "manage.py" in line or "honcho" in line
        ]
        assert re.search(r"manage\.py migrate", lines[0])
        assert re.search(r"manage\.py collectstatic", lines[1])
        assert re.search(r"honcho start -f Procfile", lines[2])

        missing = run(["make", "prod"], {**prod, "CELERY_BROKER_URL": ""})
        assert missing.returncode != 0
        assert "make prod: set CELERY_BROKER_URL" in missing.stdout
        keyless = run(["make", "prod"], {**prod, "FIELD_ENCRYPTION_KEY": ""})
        assert keyless.returncode != 0
        assert "make prod: set FIELD_ENCRYPTION_KEY" in keyless.stdout


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as server:
        return server.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers, method=method)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture(scope="module")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """collectstatic once for the module (compressing plotly.js takes a while)."""
    root = tmp_path_factory.mktemp("static")
    env = production_env(STATIC_ROOT=str(root))
    collected = run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env, 600)
    assert collected.returncode == 0, collected.stderr
    assert (root / "staticfiles.json").exists()
    return root


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_the_login_page_against_postgres(
    require_postgres: None, static_root: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = production_env(
        DATABASE_URL=database_url(),
        STATIC_ROOT=str(static_root),
        PORT=str(port),
        WEB_CONCURRENCY="1",
    )
    log = (tmp_path / "gunicorn.log").open("w")
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), *procfile()["web"][1:]],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = fetch(base + LOGIN, Host="skills.example.gov.cn")
                break
            except OSError:
                assert web.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.3)
        # Plain HTTP is sent to HTTPS; through nginx (X-Forwarded-Proto) the page is served.
        assert status == 301
        assert headers["Location"] == "https://skills.example.gov.cn/accounts/login/"

        status, headers, body = fetch(
            base + LOGIN, Host="skills.example.gov.cn", **{"X-Forwarded-Proto": "https"}
        )
        assert status == 200, body
        assert 'name="username"' in body and "登录" in body
        assert (
            headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        )
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        cookie = headers["Set-Cookie"]
        assert "csrftoken=" in cookie and "Secure" in cookie
        css = re.search(r'href="(/static/[^"]+\.css)"', body)
        assert css, "no stylesheet on the page"
        status, headers, _body = fetch(
            base + css.group(1), Host="skills.example.gov.cn", **{"X-Forwarded-Proto": "https"}
        )
        assert status == 200  # whitenoise serves the collected, hashed file
        assert re.search(r"\.[0-9a-f]{12}\.css$", css.group(1))
        # The charts' plotly: hashed, cached for ever, compressed as the browser asks.
        hashed = json.loads((static_root / "staticfiles.json").read_text())["paths"]
        plotly = "/static/" + hashed["vendor/plotly-cartesian.min.js"]
        sizes = {}
        for encoding in ("br", "gzip"):
            status, headers, _body = fetch(
                base + plotly,
                method="HEAD",
                Host="skills.example.gov.cn",
                **{"X-Forwarded-Proto": "https", "Accept-Encoding": encoding},
            )
            assert status == 200
            assert headers["Content-Encoding"] == encoding
            assert "immutable" in headers["Cache-Control"]
            sizes[encoding] = int(headers["Content-Length"])
        assert sizes["br"] < sizes["gzip"] < 600_000
    finally:
        web.terminate()
        web.wait(timeout=30)
        log.close()


@pytest.mark.django_db(transaction=True)
def test_the_procfile_starts_web_worker_and_beat_on_postgres_and_redis(
    require_postgres: None, static_root: Path, tmp_path: Path
) -> None:
    """What `make prod` starts after migrate and collectstatic: honcho with the Procfile."""
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: needs Redis: set CELERY_BROKER_URL", pytrace=False)
        pytest.skip("needs Redis: set CELERY_BROKER_URL")
    port = free_port()
    env = production_env(
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=broker,
        STATIC_ROOT=str(static_root),
        PORT=str(port),
        WEB_CONCURRENCY="1",
        CELERY_CONCURRENCY="1",
        PATH=f"{BIN}:{os.environ['PATH']}",
    )
    log_path = tmp_path / "honcho.log"
    log = log_path.open("w")
    # honcho gives the first process PORT and the next ones PORT+100, …: web comes first.
    honcho = subprocess.Popen(
        [str(BIN / "honcho"), "start", "-f", "Procfile", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status, output = None, ""
        while time.monotonic() < deadline:
            output = log_path.read_text()
            ready = "ready." in output and "beat: Starting" in output
            if ready and status != 200:
                with contextlib.suppress(OSError):
                    status, _headers, _body = fetch(
                        f"http://127.0.0.1:{port}{LOGIN}",
                        Host="skills.example.gov.cn",
                        **{"X-Forwarded-Proto": "https"},
                    )
            if ready and status == 200:
                break
            assert honcho.poll() is None, output
            time.sleep(0.5)
        assert status == 200, output
        assert re.search(r"worker\.\d+ +\|.*celery@\S+ ready\.", output), output
        assert re.search(r"beat\.\d+ +\|.*DatabaseScheduler", output), output
    finally:
        os.killpg(honcho.pid, 15)
        honcho.wait(timeout=60)
        log.close()
