"""Krippendorff's alpha (ordinal) as the room view computes it."""

from __future__ import annotations

import math
import random

import krippendorff
import pytest

from workshops.agreement import ordinal_alpha, reading

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: four observers,
# twelve units, values 1-5, some missing (None). He gives alpha = 0.815 for ordinal data.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def units_of(observers: list[list[int | None]]) -> list[list[int]]:
    return [
        [row[unit] for row in observers if row[unit] is not None]
        for unit in range(len(observers[0]))
    ]


def test_the_published_ordinal_worked_example_gives_0_815() -> None:
    assert round(ordinal_alpha(units_of(KRIPPENDORFF_2011)) or 0, 3) == 0.815


@pytest.mark.parametrize("seed", range(25))
def test_random_rooms_match_the_krippendorff_package(seed: int) -> None:
    rng = random.Random(seed)
    coders = rng.randint(2, 40)
    units = 5
    observers: list[list[int | None]] = [
        [rng.randint(0, 3) if rng.random() > 0.1 else None for _ in range(units)]
        for _ in range(coders)
    ]
    ours = ordinal_alpha(units_of(observers))
    data = [[math.nan if value is None else value for value in row] for row in observers]
    try:
        theirs = krippendorff.alpha(
            reliability_data=data, level_of_measurement="ordinal", value_domain=[0, 1, 2, 3]
        )
    except ValueError:
        theirs = None  # the package refuses data with one value only; ours says "undefined"
    if ours is None or theirs is None or math.isnan(theirs):
        assert ours is None
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_perfect_agreement_on_varied_values_is_one() -> None:
    assert ordinal_alpha([[0, 0, 0], [3, 3, 3], [1, 1, 1]]) == pytest.approx(1.0)


def test_everyone_giving_the_same_value_everywhere_is_undefined_not_a_division_by_zero() -> None:
    assert ordinal_alpha([[2, 2], [2, 2, 2]]) is None
    assert reading(None, 3).level == "undefined"


def test_a_single_answer_cannot_show_agreement() -> None:
    assert ordinal_alpha([[2], [3], [1]]) is None
    assert "at least two" in reading(None, 1).text


def test_the_reading_follows_krippendorffs_thresholds() -> None:
    assert reading(0.85, 10).level == "strong"
    assert reading(0.7, 10).level == "tentative"
    assert reading(0.3, 10).level == "weak"
    assert "chance" in reading(-0.2, 10).text
