from decimal import Decimal

import pytest

from classmeet.coursework.templatetags.quiz_tags import plural_count, quiz_number, quiz_points


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1.000000"), "1 point"),
        (Decimal("0.500000"), "0.5 points"),
        (Decimal("2.5"), "2.5 points"),
        (Decimal("7"), "7 points"),
        (Decimal("0"), "0 points"),
    ],
)
def test_quiz_points_in_english(value: Decimal, text: str) -> None:
    assert quiz_points(value) == text


def test_the_plural_form_follows_the_real_count() -> None:
    # Catalogs with more than two forms (Arabic: zero, one, two, few, many, other) need the
    # number itself: 7 points must not take the "two" form.
    assert [plural_count(Decimal(v)) for v in ("1", "2", "7", "11", "100.000")] == [
        1,
        2,
        7,
        11,
        100,
    ]
    assert plural_count(Decimal("2.5")) == 100
    assert plural_count(Decimal("-3")) == 3
    assert quiz_number(Decimal("100.000000")) == "100"
