"""Krippendorff's alpha for ordinal data, and what a room's figure means in plain words.

Written from Krippendorff's own description ("Computing Krippendorff's Alpha-Reliability",
2011): values are paired within each unit into a coincidence matrix, and alpha compares the
disagreement observed in it with the disagreement expected by chance, using the ordinal
difference function. Here a unit is one context of one vignette and a coder is one
participant (or table); the values are the four points of the reflection scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Krippendorff's conventions: draw conclusions from alpha >= 0.800, tentative ones from
# alpha >= 0.667, and none below.
STRONG = 0.8
TENTATIVE = 0.667


def coincidences(units: Iterable[Sequence[int]]) -> dict[tuple[int, int], float]:
    """The coincidence matrix o[c, k] over every unit with at least two values."""
    matrix: dict[tuple[int, int], float] = {}
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, first in enumerate(values):
            for j, second in enumerate(values):
                if i != j:
                    key = (first, second)
                    matrix[key] = matrix.get(key, 0.0) + 1.0 / (m - 1)
    return matrix


def ordinal_alpha(units: Iterable[Sequence[int]]) -> float | None:
    """Krippendorff's alpha (ordinal) for `units`, each the values coders gave one unit.

    Missing values are simply absent from a unit; units with fewer than two values cannot be
    paired and count for nothing. None when alpha is undefined: fewer than two pairable values
    in all, or every value the same (no expected disagreement to compare with).
    """
    matrix = coincidences(units)
    totals: dict[int, float] = {}
    for (value, _other), weight in matrix.items():
        totals[value] = totals.get(value, 0.0) + weight
    n = sum(totals.values())
    categories = sorted(totals)
    if n < 2 or len(categories) < 2:
        return None

    def delta(c: int, k: int) -> float:
        low, high = (c, k) if c <= k else (k, c)
        between = sum(totals[g] for g in categories if low <= g <= high)
        return (between - (totals[c] + totals[k]) / 2) ** 2

    observed = sum(weight * delta(c, k) for (c, k), weight in matrix.items())
    expected = sum(totals[c] * totals[k] * delta(c, k) for c in categories for k in categories)
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


@dataclass(frozen=True)
class Reading:
    level: str  # strong, tentative, weak, undefined: a class name for the room view too
    text: str


def reading(alpha: float | None, answers: int) -> Reading:
    """Alpha in words a room can discuss, with the number of answers it rests on."""
    if answers < 2 or alpha is None:
        if answers >= 2:
            return Reading(
                "undefined",
                _("Everyone gave exactly the same ratings, so there is nothing to measure yet."),
            )
        return Reading("undefined", _("Agreement needs at least two answers."))
    if alpha >= STRONG:
        return Reading("strong", _("Strong agreement: the room reads this session much alike."))
    if alpha >= TENTATIVE:
        return Reading(
            "tentative", _("Moderate agreement: a shared reading, with some differences.")
        )
    if alpha > 0:
        return Reading(
            "weak",
            _("Little agreement: people read this session differently. Worth talking about."),
        )
    return Reading(
        "weak", _("No more agreement than chance: the room sees this session in different ways.")
    )
