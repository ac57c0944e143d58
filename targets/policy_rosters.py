"""The access policy of the rosters' personal data (part of ``policy``, asked there).

An ID number, phone or 残疾证号 is shown in clear only to an auditor who asks for one roster
row with a stated reason (the reveal is recorded): the city's auditors for any county, a
county's own auditor for that county's classes. Nobody else, administrators included: they
read the list of reveals, not the numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .policy import Role, reads_county, role_of

if TYPE_CHECKING:
    from .models import TrainingClass
    from .policy import User


def may_reveal_personal_data(user: User, training_class: TrainingClass) -> bool:
    return role_of(user) == Role.AUDITOR and reads_county(user, training_class.region_id)
