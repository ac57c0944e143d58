"""The dashboard's pages, shared by their tests: the URLs, the API document, a page's text and
the chart figures it carries."""

from __future__ import annotations

import json
import re
from typing import Any

from django.test import Client

URLS = [
    "/dashboard/",
    "/dashboard/quota/rural-transfer/",
    "/dashboard/county/410611/",
    "/dashboard/department/hrss/",
]
COUNTIES = ["410602", "410603", "410611", "410621", "410622", "410601"]  # and 市直


def api_document(client: Client, as_of: str) -> dict[str, Any]:
    response = client.get(f"/api/progress/2015/?as_of={as_of}")
    assert response.status_code == 200
    return response.json()


def page_text(response: Any) -> str:
    return response.content.decode()


def chart_figures(response: Any) -> dict[str, dict[str, Any]]:
    page = page_text(response)
    found = {}
    for chart in response.context["charts"]:
        # The figure travels as json_script data, read back from the page itself.
        match = re.search(
            rf'<script id="{chart["data_id"]}" type="application/json">(.*?)</script>', page, re.S
        )
        assert match, chart["id"]
        found[chart["id"]] = json.loads(match[1])
        assert f'data-chart="{chart["data_id"]}"' in page
    return found
