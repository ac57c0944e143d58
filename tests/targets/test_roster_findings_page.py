"""The rosters' findings page: who sees which finding, the responsible clerk explains it, a
reviewer accepts or returns the explanation, each step recorded; nobody else acts."""

from __future__ import annotations

from typing import Any

import pytest

from targets import services
from targets.models import AuditEntry, FindingNote
from targets.roster_findings import roster_findings
from targets.roster_rows import TypedRow
from tests.helpers import client_for
from tests.targets.rosters import OTHER_XUN, make_class, person

pytestmark = pytest.mark.django_db

URL = "/rosters/findings/"


@pytest.fixture
def finding(county_clerk: Any, plan: Any) -> Any:
    """浚县's class with a 残疾人 who has no 残疾证号: one finding."""
    made = make_class(county_clerk)
    typed = person(OTHER_XUN, name="李四", category="残疾人")
    services.roster_replace(
        actor=county_clerk, training_class=made, rows=[TypedRow(line=1, **typed)]
    )
    # (in a rural transfer class, so also a person outside the item's category)
    (found,) = [f for f in roster_findings(plan) if f.rule == "no-disability-card"]
    return found


def _post(user: Any, finding: Any, action: str, **more: str) -> Any:
    return client_for(user).post(URL, {"key": finding.key, "action": action, **more})


def test_each_reads_the_findings_of_the_classes_they_read(finding, county_clerk, clerk_of, auditor):
    heading = "<h2>残疾人学员没有残疾证号</h2>"
    page = client_for(county_clerk).get(URL).content.decode()
    assert heading in page and 'value="explain"' in page
    assert "410621********0012" in page and OTHER_XUN not in page
    assert heading not in client_for(clerk_of("edu")).get(URL).content.decode()
    read = client_for(auditor).get(URL).content.decode()
    assert heading in read and 'value="explain"' not in read
    assert "没有查出疑点" in client_for(auditor).get(URL, {"rule": "age"}).content.decode()


def test_explained_returned_explained_again_and_accepted(finding, county_clerk, reviewer):
    short = _post(county_clerk, finding, "explain", text="无")
    assert short.status_code == 400 and "至少4个字" in short.content.decode()
    assert not FindingNote.objects.exists()
    assert _post(county_clerk, finding, "explain", text="该学员残疾证正在补办中").status_code == 302
    note = FindingNote.objects.get()
    assert (note.status, note.explained_by, note.rule) == ("submitted", county_clerk, finding.rule)
    assert _post(reviewer, finding, "return").status_code == 400  # a return needs a comment
    assert _post(reviewer, finding, "return", comment="请附补办回执").status_code == 302
    assert FindingNote.objects.get().status == "returned"
    assert _post(county_clerk, finding, "explain", text="已附补办回执，见台账").status_code == 302
    assert FindingNote.objects.get().status == "submitted"
    assert _post(reviewer, finding, "accept").status_code == 302
    note = FindingNote.objects.get()
    assert (note.status, note.reviewed_by) == ("accepted", reviewer)
    again = _post(county_clerk, finding, "explain", text="再改一次说明")
    assert again.status_code == 400 and FindingNote.objects.get().text == "已附补办回执，见台账"
    actions = list(AuditEntry.objects.filter(action__startswith="finding").values_list("action"))
    assert [a for (a,) in actions] == [
        "finding-explain",
        "finding-return",
        "finding-explain",
        "finding-accept",
    ]


def test_nobody_else_acts_on_a_finding(finding, county_clerk, clerk_of, auditor, leader):
    assert _post(clerk_of("edu"), finding, "explain", text="不是我的培训班").status_code == 404
    assert _post(auditor, finding, "explain", text="审计不写说明").status_code == 403
    assert _post(leader, finding, "explain", text="领导不写说明").status_code == 403
    _post(county_clerk, finding, "explain", text="该学员残疾证正在补办中")
    assert _post(county_clerk, finding, "accept").status_code == 403  # not their own review
    assert FindingNote.objects.get().status == "submitted"
    wrong = client_for(county_clerk).post(URL, {"key": "age:1:1", "action": "explain"})
    assert wrong.status_code == 404
