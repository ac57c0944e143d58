"""The authorization matrix's roles and the shape of its rules (``tests/test_authz_matrix.py``).

The objects in the matrix's URLs belong to the city-wide clerk of the HR bureau in 淇滨区; the
roles around them are those who own them, those next to them and those far from them.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = (
    "anonymous",
    "nobody",  # signed in, no role
    "clerk",  # 人社局, city-wide: owns the objects
    "county_clerk",  # 人社局, 浚县 only: not the objects' county
    "other_clerk",  # 教育局
    "reviewer",
    "leader",
    "auditor",
    "administrator",
    # 浚县's own people (县区人社局): not the objects' county.
    "county_reviewer",
    "county_leader",
    "county_auditor",
    "province_leader",  # 河南省's leader (省级领导): the province's page only
)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
CLERKS = frozenset({"clerk", "county_clerk", "other_clerk"})
READERS = frozenset({"reviewer", "leader", "auditor", "administrator"})
EXPORTERS = frozenset({"auditor", "administrator"})
COUNTY = frozenset({"county_reviewer", "county_leader", "county_auditor"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rule:
    """Who gets through, by method; a method nobody may use is answered 405 (or refused)."""

    get: frozenset[str]
    post: frozenset[str] = NOBODY
    why: str = ""
