"""The clerk's month grid, shared by its tests: the March page, a grid's posted form, a cell."""

from __future__ import annotations

from typing import Any

from targets.models import Indicator, Membership, Region, Submission

Role = Membership.Role
MARCH = "/entry/2015/3/"


def form_of(response: Any, **values: str) -> dict[str, str]:
    """The posted form of a grid page: every editable cell as shown, with some changed.

    ``values`` are keyed ``<series code>__<region code>``; a value of None leaves it empty.
    """
    data: dict[str, str] = {}
    for cell in response.context["grid"].cells:
        data[f"t-{cell.key}"] = cell.token
        if cell.editable:
            data[f"v-{cell.key}"] = cell.raw
            data[f"n-{cell.key}"] = cell.note
    for name, value in values.items():
        code, region = name.split("__")
        key = f"{indicator(code).pk}-{Region.objects.get(code=region).pk}"
        data[f"v-{key}"] = value
    return data


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def cell(code: str, region: str, month: int = 3) -> Submission | None:
    return Submission.objects.filter(
        indicator=indicator(code), region__code=region, month=month, is_current=True
    ).first()


def fill(response: Any, value: str = "10") -> dict[str, str]:
    """Every editable cell filled with ``value``."""
    data = form_of(response)
    for name in list(data):
        if name.startswith("v-") and not data[name]:
            data[name] = value
    return data


def refused_whole(response: Any, status: int, text: str) -> None:
    """The month's form refused with ``status``, saying ``text``, and nothing saved."""
    assert response.status_code == status
    assert text in response.content.decode()
    assert not Submission.objects.exists()


def post_month(client: Any, values: dict[str, str], action: str = "save", url: str = MARCH) -> Any:
    """The month's page as the client loads it, ``values`` typed into their cells
    ("code__region"), sent with ``action``."""
    data = form_of(client.get(url), **values)
    return client.post(url, {**data, "action": action})
