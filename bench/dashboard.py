"""Benchmark: server time of /dashboard/ at province scale, against a static page of its size.

    .venv/bin/python bench/dashboard.py [--requests 200]

Uses the SYNTHETIC data set of ``bench/rollup.py`` (run that first: 10 plans × 40 indicators ×
200 counties × 12 months, about 1,000,000 approved submissions, rolled up) in its own
PostgreSQL database. A leader asks for the latest plan's dashboard through Django's test
client (the whole middleware, view and template stack, no network), and, in the same run, for
a page that returns the same number of bytes from memory through the same stack (the floor).
Prints p50 and p95 of each and their ratio. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time

import harness

harness.use_project()
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# The test client speaks plain HTTP; in production nginx terminates TLS in front.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

STATIC_BODY: bytes = b""


def static_page(request):  # the floor: the same bytes, no database, no template
    from django.http import HttpResponse

    return HttpResponse(STATIC_BODY, content_type="text/html; charset=utf-8")


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def timed(client, url: str, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main() -> None:
    global STATIC_BODY
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--province",
        action="store_true",
        help="a county's and the province's dashboards on bench/province_data.py's data set "
        "(run bench/rollup.py --province first)",
    )
    args = parser.parse_args()
    if args.province:
        import province_data

        province_data.use_database()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import clear_url_caches, include, path

    from reporting.models import Rollup
    from targets import services
    from targets.models import Membership, Plan, Submission, local_plans

    call_command("migrate", verbosity=0)
    setup_test_environment()
    # Static URLs without a collected manifest (production's manifest lookup is a dict read).
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    plan = local_plans().order_by("-year").first()
    if plan is None or not Rollup.objects.filter(plan=plan).exists():
        sys.exit("run bench/rollup.py first: it builds and rolls up the data set")
    print(
        f"{Submission.objects.count():,} submissions, {Rollup.objects.count():,} rollup rows; "
        f"plan {plan.year}"
    )
    if not args.province:
        Plan.objects.exclude(pk=plan.pk).filter(status=Plan.Status.ACTIVE).update(
            status=Plan.Status.CLOSED
        )
    leader, created = get_user_model().objects.get_or_create(username="bench-leader")
    if created or not Membership.objects.filter(user=leader).exists():
        services.membership_assign(user=leader, role=Membership.Role.LEADER)

    # The floor's URL beside the project's own.
    urlconf = type(sys)("bench_urls")
    urlconf.urlpatterns = [
        path("bench/static/", static_page),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules["bench_urls"] = urlconf
    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()

    client = Client()
    client.force_login(leader)
    # As skills_plan/wsgi.py does once the application is loaded (before any request): what
    # is there by now stays, so the collector stops walking it on every full collection.
    gc.collect()
    gc.freeze()
    urls = ["/dashboard/"]
    if args.province:
        county = "410621"  # 浚县, one of 鹤壁's real counties
        province = Plan.objects.get(unit__kind="province", year=plan.year)
        urls = [
            f"/dashboard/county/{county}/?year={plan.year}",
            f"/dashboard/province/{province.unit.code}/?year={plan.year}",
        ]
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, (url, first.status_code)
        STATIC_BODY = first.content
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"{url}: {len(STATIC_BODY):,} bytes, {len(queries)} queries")
        for _ in range(10):  # warm both paths
            client.get(url)
            client.get("/bench/static/")
        page = timed(client, url, args.requests)
        static = timed(client, "/bench/static/", args.requests)
        d50, d95 = percentiles(page)
        s50, s95 = percentiles(static)
        n = args.requests
        print(f"  page:        p50 {d50 * 1000:.1f} ms, p95 {d95 * 1000:.1f} ms (n={n})")
        print(f"  static page: p50 {s50 * 1000:.1f} ms, p95 {s95 * 1000:.1f} ms")
        print(f"  ratio p95 page / static: {d95 / s95:.1f}x; goal p95 ≤ 150 ms")


if __name__ == "__main__":
    main()
