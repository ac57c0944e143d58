"""公民身份号码 (``targets.identity``): the standard's own examples, every single-digit slip and
neighbour swap caught, impossible dates and areas refused in Chinese, birth date, sex and age
derived, and the masked form that is all a page or file ever shows."""

from __future__ import annotations

from datetime import date

import pytest

from targets.identity import InvalidIdentity, check_character, mask, read

TODAY = date(2015, 10, 15)
# GB 11643-1999's worked example: 北京市朝阳区, born 1949-12-31, a woman, check character X.
STANDARD = "11010519491231002X"
# A man of 浚县 (410621) born 1990-03-07: the check digit worked out by hand, weights
# 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over 41062119900307001 sum to 216, 216 mod 11 = 7,
# and the 8th of "10X98765432" is "5".
XUNXIAN = "410621199003070015"


def test_the_standards_example_reads_as_the_standard_says() -> None:
    person = read(STANDARD, today=TODAY)
    assert (person.area, person.birth_date, person.male) == ("110105", date(1949, 12, 31), False)
    assert person.sex == "女"


def test_a_hand_worked_number_and_its_check_digit() -> None:
    assert check_character(XUNXIAN[:17]) == "5"
    person = read(XUNXIAN, today=TODAY)
    assert (person.birth_date, person.male, person.sex) == (date(1990, 3, 7), True, "男")


@pytest.mark.parametrize(
    "typed",
    [" 11010519491231002x ", "110105 1949 1231 002X", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_what_a_clerk_types_is_forgiven_spaces_case_and_full_width(typed: str) -> None:
    assert read(typed, today=TODAY).number == STANDARD


def test_every_single_digit_slip_is_caught() -> None:
    for position in range(18):
        for digit in "0123456789X":
            if digit == STANDARD[position] or (digit == "X" and position < 17):
                continue
            slipped = STANDARD[:position] + digit + STANDARD[position + 1 :]
            with pytest.raises(InvalidIdentity):
                read(slipped, today=TODAY)


def test_every_swap_of_two_neighbouring_digits_is_caught() -> None:
    for number in (STANDARD, XUNXIAN):
        for i in range(16):
            if number[i] == number[i + 1]:
                continue
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            with pytest.raises(InvalidIdentity):
                read(swapped, today=TODAY)


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


@pytest.mark.parametrize(
    ("first17", "said"),
    [
        ("41062119900230001", "19900230 不是真实的日期"),  # 30 February
        ("41062119901301001", "19901301 不是真实的日期"),  # month 13
        ("41062119890229001", "19890229 不是真实的日期"),  # 1989 was no leap year
        ("41062120151016001", "2015-10-16 不可能"),  # tomorrow
        ("44052418800101001", "1880-01-01 不可能"),  # the standard's other example: before 1900
        ("99062119900307001", "地址码 990621 不是有效的行政区划代码"),
        ("00000019900307001", "地址码 000000"),
    ],
)
def test_a_number_with_a_right_check_digit_and_an_impossible_date_or_area(
    first17: str, said: str
) -> None:
    with pytest.raises(InvalidIdentity, match=said):
        read(_with_check(first17), today=TODAY)


def test_a_leap_day_is_a_real_date() -> None:
    assert read(_with_check("41062119920229002"), today=TODAY).birth_date == date(1992, 2, 29)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "不能为空"),
        (None, "不能为空"),
        ("4106211990030700", "应为18位，这里是16位"),
        ("4106211990030700181", "应为18位，这里是19位"),
        ("41062119900307X018", "前17位应为数字"),
        ("41062119900307001A", "第18位为数字或X"),
        ("410621199003070018", "校验码不对"),
    ],
)
def test_a_malformed_number_is_refused_saying_why(typed: str | None, said: str) -> None:
    with pytest.raises(InvalidIdentity, match=said):
        read(typed, today=TODAY)


def test_the_check_character_x_stands_for_ten() -> None:
    assert STANDARD.endswith("X") and check_character(STANDARD[:17]) == "X"
    with pytest.raises(InvalidIdentity, match="校验码不对"):
        read(STANDARD[:17] + "0", today=TODAY)


@pytest.mark.parametrize(
    ("day", "age"),
    [(date(2015, 3, 6), 24), (date(2015, 3, 7), 25), (date(2016, 3, 6), 25), (TODAY, 25)],
)
def test_the_age_turns_on_the_birthday(day: date, age: int) -> None:
    assert read(XUNXIAN, today=TODAY).age_on(day) == age


def test_a_leap_day_birthday_turns_on_the_first_of_march() -> None:
    person = read(_with_check("41062119920229002"), today=TODAY)
    assert person.age_on(date(2010, 2, 28)) == 17
    assert person.age_on(date(2010, 3, 1)) == 18


def test_the_masked_form_keeps_the_area_and_the_last_four_only() -> None:
    assert mask(STANDARD) == "110105********002X"
    assert read(" 11010519491231002x", today=TODAY).masked == "110105********002X"
    assert "19491231" not in mask(STANDARD)
    assert mask("12345") == "********"  # nothing of a number that is not one
