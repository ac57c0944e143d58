"""The read-replica router: reporting reads during marked GETs, everything else on the primary."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from reporting.models import RollupRun
from skills_plan.db_router import (
    ReplicaReadsMiddleware,
    ReplicaRouter,
    replica_reads,
    replica_reads_active,
)
from targets.models import Indicator, Submission

SETTINGS = Path(__file__).resolve().parent.parent / "skills_plan" / "settings.py"
router = ReplicaRouter()


class TestDbForRead:
    def test_outside_a_marked_request_everything_reads_the_primary(self) -> None:
        for model in (Submission, Indicator, RollupRun, get_user_model(), Session):
            assert router.db_for_read(model) == "default"

    def test_a_marked_request_reads_figures_and_rollups_from_the_replica(self) -> None:
        with replica_reads():
            assert router.db_for_read(Submission) == "replica"
            assert router.db_for_read(Indicator) == "replica"
            assert router.db_for_read(RollupRun) == "replica"

    def test_users_and_sessions_stay_on_the_primary_even_when_marked(self) -> None:
        # A session made a moment ago may not have reached the replica yet.
        with replica_reads():
            assert router.db_for_read(get_user_model()) == "default"
            assert router.db_for_read(Session) == "default"

    def test_a_read_inside_a_transaction_on_the_primary_stays_there(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(transaction.get_connection("default"), "in_atomic_block", True)
        with replica_reads():
            assert router.db_for_read(Submission) == "default"

    def test_the_mark_ends_with_its_block(self) -> None:
        with replica_reads():
            pass
        assert not replica_reads_active()
        assert router.db_for_read(Submission) == "default"


class TestDbForWrite:
    def test_writes_go_to_the_primary_even_when_marked(self) -> None:
        assert router.db_for_write(Submission) == "default"
        with replica_reads():
            for model in (Submission, RollupRun, get_user_model(), Session):
                assert router.db_for_write(model) == "default"


def _row(db: str | None) -> Submission:
    row = Submission()
    row._state.db = db
    return row


class TestAllowRelation:
    def test_rows_of_the_primary_and_the_replica_may_be_related(self) -> None:
        assert router.allow_relation(_row("default"), _row("replica")) is True
        assert router.allow_relation(_row("replica"), _row("replica")) is True
        assert router.allow_relation(_row("default"), _row("default")) is True

    def test_another_database_is_not_this_routers_to_allow(self) -> None:
        assert router.allow_relation(_row("default"), _row("archive")) is None


class TestAllowMigrate:
    def test_only_the_primary_is_migrated(self) -> None:
        assert router.allow_migrate("default", "targets") is True
        assert router.allow_migrate("replica", "targets") is False
        assert router.allow_migrate("replica", "auth") is False


def _marked(method: str, path: str) -> bool:
    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(replica_reads_active())
        return HttpResponse()

    request = RequestFactory().generic(method, path)
    ReplicaReadsMiddleware(view)(request)
    assert not replica_reads_active()
    return seen[0]


class TestMiddleware:
    @pytest.mark.parametrize(
        "path",
        [
            "/dashboard/",
            "/dashboard/quota/rural-transfer/",
            "/dashboard/county/410621/",
            "/api/progress/2015/",
            "/api/workitems/2015/",
            "/exports/2015/summary.xlsx",
        ],
    )
    def test_gets_of_dashboards_the_api_and_the_workbook_are_marked(self, path: str) -> None:
        assert _marked("GET", path)
        assert _marked("HEAD", path)

    @pytest.mark.parametrize("path", ["/dashboard/", "/exports/2015/summary.xlsx"])
    def test_posts_are_not_marked(self, path: str) -> None:
        assert not _marked("POST", path)

    @pytest.mark.parametrize(
        "path",
        [
            "/",
            "/entry/2015/3/",
            "/review/",
            "/accounts/login/",
            "/exports/",
            "/exports/jobs/1/",
            "/exports/jobs/1/status.json",
            "/admin/targets/submission/",
        ],
    )
    def test_other_pages_are_not_marked(self, path: str) -> None:
        assert not _marked("GET", path)


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "router-test-only")
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db-primary:5432/skills")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


class TestSettings:
    def test_without_a_replica_url_there_is_no_replica(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings = _settings(monkeypatch)

        assert list(settings["DATABASES"]) == ["default"]
        assert "DATABASE_ROUTERS" not in settings
        assert "skills_plan.db_router.ReplicaReadsMiddleware" not in settings["MIDDLEWARE"]

    def test_a_replica_url_adds_the_replica_the_router_and_the_middleware(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings = _settings(
            monkeypatch, DATABASE_REPLICA_URL="postgres://reader@db-replica:5432/skills"
        )

        replica = settings["DATABASES"]["replica"]
        assert (replica["HOST"], replica["USER"], replica["NAME"]) == (
            "db-replica",
            "reader",
            "skills",
        )
        assert settings["DATABASES"]["default"]["HOST"] == "db-primary"
        assert replica["TEST"] == {"MIRROR": "default"}
        assert settings["DATABASE_ROUTERS"] == ["skills_plan.db_router.ReplicaRouter"]
        # Right after SecurityMiddleware, before anything that reads the database.
        assert settings["MIDDLEWARE"][:2] == [
            "django.middleware.security.SecurityMiddleware",
            "skills_plan.db_router.ReplicaReadsMiddleware",
        ]
