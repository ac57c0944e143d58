"""A month's figures from a county clerk's grid to the reviewer's approval, in Chromium."""

from __future__ import annotations

import json

import pytest

from targets.models import Submission
from targets.services.plan_definition import load_plan_file
from tests.browser.pages import log_in, xun_clerk_and_reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "flow-password"


@pytest.mark.usefixtures("eager")  # approvals roll up in the live server's thread
def test_a_month_goes_from_the_clerk_to_the_reviewer_and_back(
    live_server, page, django_user_model
) -> None:
    load_plan_file()
    xun_clerk_and_reviewer(django_user_model, PASSWORD)

    # The clerk opens March and types one bad figure among good ones.
    log_in(page, live_server, "clerk-xunxian", PASSWORD)
    page.get_by_role("link", name="2015年3月").click()
    page.wait_for_url("**/entry/2015/3/")
    inputs = page.locator("input.entry-input")
    assert inputs.count() == 8  # eight series, one county
    for index in range(8):
        inputs.nth(index).fill("１２")  # full-width digits are fine
    inputs.nth(3).fill("3.5")
    page.get_by_role("button", name="保存并报送审核").click()
    page.wait_for_load_state()
    assert "本月数据未保存" in page.content()
    assert page.locator(".cell-errors").first.inner_text().startswith("请填写整数")
    assert not Submission.objects.exists()

    page.locator("input.entry-input").nth(3).fill("1,200")
    page.get_by_role("button", name="保存并报送审核").click()
    page.wait_for_load_state()
    errors = page.locator(".cell-errors, .form-errors").all_inner_texts()
    assert "已保存并报送 3月数据。" in page.content(), errors
    assert Submission.objects.filter(status="submitted").count() == 8
    assert sorted(Submission.objects.values_list("value", flat=True)) == [12] * 7 + [1200]

    # The reviewer finds them in the queue, returns one with a comment, approves the rest.
    log_in(page, live_server, "reviewer", PASSWORD)
    page.get_by_role("link", name="人力资源社会保障局 3月：8 条待审核").click()
    page.wait_for_load_state()
    big = Submission.objects.get(value=1200)
    page.check(f"#pick-{big.pk}")
    page.fill("#review-comment", "一个月 1200 人次，请核实")
    page.get_by_role("button", name="退回所选").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="全部审核通过（7 条）").click()
    page.wait_for_load_state()
    assert Submission.objects.filter(status="approved").count() == 7
    assert Submission.objects.get(pk=big.pk).status == "returned"

    # The clerk sees the comment, fixes the figure and sends it again.
    log_in(page, live_server, "clerk-xunxian", PASSWORD)
    page.goto(f"{live_server.url}/entry/2015/3/")
    assert "退回意见：一个月 1200 人次，请核实" in page.content()
    editable = page.locator("input.entry-input")
    assert editable.count() == 1  # approved figures are locked
    editable.fill("120")
    page.get_by_role("button", name="保存并报送审核").click()
    page.wait_for_load_state()
    fixed = Submission.objects.get(pk=big.pk)
    assert (fixed.value, fixed.status) == (120, "submitted")

    # The reviewer approves it; the progress API shows the new numbers.
    log_in(page, live_server, "reviewer", PASSWORD)
    page.get_by_role("link", name="人力资源社会保障局 3月：1 条待审核").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="全部审核通过（1 条）").click()
    page.wait_for_load_state()
    assert Submission.objects.filter(status="approved").count() == 8
    page.goto(f"{live_server.url}/api/progress/2015/?as_of=2015-03")
    body = json.loads(page.locator("body").inner_text())
    items = {item["code"]: item for item in body["goals"] + body["quotas"]}
    assert items["rural-transfer"]["actual"] == 120
    # Its own 12 and five quotas that feed it: 120 + 4 × 12.
    assert items["training-total"]["actual"] == 12 + 120 + 4 * 12
    xunxian = next(r for r in items["rural-transfer"]["regions"] if r["code"] == "410621")
    assert xunxian["actual"] == 120
