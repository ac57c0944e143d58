"""公民身份号码 (GB 11643-1999): checked, read and masked.

A number is 18 characters: a 6-digit area code (GB/T 2260: its first two digits a province's),
the birth date (YYYYMMDD), a 3-digit sequence whose last digit is odd for a man and even for a
woman, and a check character computed from the first 17 (ISO 7064 MOD 11-2: "X" stands for
10). ``read`` takes what a clerk typed or a roster cell holds (spaces around, full-width digits
and a lower-case x are forgiven), and either returns an ``Identity`` whose birth date and sex
are derived (never typed) or raises ``InvalidIdentity`` saying in Chinese what is wrong. The
number itself is personal data: ``mask`` is the only form in which a page, file or log shows it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

# ISO 7064 MOD 11-2: the weight of each of the first 17 digits, 2**(17 - i) mod 11.
WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK_CHARACTERS = "10X98765432"  # by the weighted sum mod 11
# The provinces' codes of GB/T 2260 (with 71 Taiwan, 81 Hong Kong, 82 Macao, 83 the card for
# residents of Taiwan, Hong Kong and Macao living on the mainland).
PROVINCES = frozenset(
    [
        "11", "12", "13", "14", "15",  # 华北
        "21", "22", "23",  # 东北
        "31", "32", "33", "34", "35", "36", "37",  # 华东
        "41", "42", "43", "44", "45", "46",  # 中南
        "50", "51", "52", "53", "54",  # 西南
        "61", "62", "63", "64", "65",  # 西北
        "71", "81", "82", "83",
    ]
)  # fmt: skip
EARLIEST_BIRTH = date(1900, 1, 1)
SHAPE = re.compile(r"^\d{17}[\dX]$")
MASK = "*" * 8


class InvalidIdentity(ValueError):
    """A number that cannot be a 公民身份号码; ``str()`` says why, in the user's language."""


@dataclass(frozen=True)
class Identity:
    number: str  # normalised: 18 characters, an upper-case X
    area: str
    birth_date: date
    male: bool

    @property
    def sex(self) -> str:
        return _("男") if self.male else _("女")

    def age_on(self, day: date) -> int:
        """Whole years of age on ``day``."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def masked(self) -> str:
        return mask(self.number)


def normalise(raw: object) -> str:
    """What was typed, as the 18 characters it should be: spaces dropped, full-width forms
    made ASCII (NFKC), x upper-cased."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return re.sub(r"\s+", "", text).upper()


def check_character(first17: str) -> str:
    """The check character of the first 17 digits."""
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def read(raw: object, *, today: date) -> Identity:
    """The identity in ``raw``, or ``InvalidIdentity`` naming the first fault found."""
    number = normalise(raw)
    if not number:
        raise InvalidIdentity(_("公民身份号码不能为空。"))
    if len(number) != 18:
        raise InvalidIdentity(
            _("公民身份号码应为18位，这里是%(count)d位。") % {"count": len(number)}
        )
    if not SHAPE.match(number):
        raise InvalidIdentity(_("公民身份号码前17位应为数字，第18位为数字或X。"))
    if number[:2] not in PROVINCES:
        raise InvalidIdentity(
            _("公民身份号码的地址码 %(area)s 不是有效的行政区划代码。") % {"area": number[:6]}
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentity(
            _("公民身份号码中的出生日期 %(digits)s 不是真实的日期。") % {"digits": number[6:14]}
        ) from None
    if not EARLIEST_BIRTH <= born <= today:
        raise InvalidIdentity(
            _("公民身份号码中的出生日期 %(born)s 不可能（早于1900年或晚于今天）。")
            % {"born": born.isoformat()}
        )
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdentity(_("公民身份号码的校验码不对：请核对每一位数字。"))
    return Identity(number=number, area=number[:6], birth_date=born, male=int(number[16]) % 2 == 1)


def mask(number: str) -> str:
    """410621********123X: the area code and the last four, never the birth date."""
    number = normalise(number)
    if len(number) != 18:
        return MASK  # not a number we can show any part of
    return f"{number[:6]}{MASK}{number[14:]}"
