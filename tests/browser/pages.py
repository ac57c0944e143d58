"""What the browser tests share: logging in through the real form, a phone-sized page, the
demo data rolled up, and the two people of the entry flow."""

from __future__ import annotations

from typing import Any

from targets import services
from targets.models import Department, Membership, Region
from tests.demo_snapshot import demo_rolled_up  # noqa: F401 (the browser tests' demo)


def log_in(page: Any, live_server: Any, username: str, password: str) -> None:
    """Through the login form, as nobody else: whoever was logged in before is forgotten."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def phone_page(browser: Any, request: Any, width: int, height: int = 800) -> Any:
    """A page of its own ``width`` pixels wide, closed when the test ends."""
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    request.addfinalizer(context.close)
    return context.new_page()


def watch_problems(page: Any) -> list[str]:
    """What goes wrong on ``page`` from now on: script errors, console errors (but a resource
    that failed to load, reported as its response) and responses of 400 and above (but the
    favicon). A test asserts the list is empty at its end."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda answer: (
            problems.append(f"{answer.status} {answer.url}")
            if answer.status >= 400 and not answer.url.endswith("/favicon.ico")
            else None
        ),
    )
    return problems


def xun_clerk_and_reviewer(django_user_model: Any, password: str) -> tuple[Any, Any]:
    """The hrss clerk of 浚县 ("clerk-xunxian") and a reviewer ("reviewer")."""
    clerk = django_user_model.objects.create_user("clerk-xunxian", password=password)
    services.membership_assign(
        user=clerk,
        role=Membership.Role.CLERK,
        department=Department.objects.get(code="hrss"),
        region=Region.objects.get(code="410621"),
    )
    reviewer = django_user_model.objects.create_user("reviewer", password=password)
    services.membership_assign(user=reviewer, role=Membership.Role.REVIEWER)
    return clerk, reviewer
