"""Bounds on numbers and dates that come from outside, so none can crash a page.

SQLite raises OverflowError (a 500) for an integer beyond 64 bits and PostgreSQL a DataError;
either would turn a typed-in URL or a tampered form into a server error. Every primary key is a
64-bit integer (BigAutoField), so anything larger is simply "not found" or "not a valid choice".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.urls import register_converter
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# The largest value of a signed 64-bit integer: the primary keys' column type everywhere.
MAX_ID = 2**63 - 1


def is_storable_id(value: Any) -> bool:
    """Whether `value` is not an integer too large (or too negative) for a database column."""
    try:
        number = int(str(value).strip())
    except ValueError:
        # Not a whole number at all: the field's own validation says so.
        return True
    return -MAX_ID <= number <= MAX_ID


class IdConverter:
    """`<id:pk>` in a URL: a whole number that fits a primary key, else the URL does not match.

    Eighteen digits always fit in 64 bits, so a longer number never reaches a view (a 404).
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)


register_converter(IdConverter, "id")


class BoundedModelChoiceField(forms.ModelChoiceField):
    """A model choice whose out-of-range number is an invalid choice rather than a crash."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not is_storable_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several model choices; any out-of-range number is an invalid choice rather than a crash."""

    def _check_values(self, value: Any) -> Any:
        for item in value if isinstance(value, list | tuple | set | frozenset) else [value]:
            if not is_storable_id(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        # Django's own check, not in django-stubs.
        return super()._check_values(value)  # type: ignore[misc]


# No reflection, supervision or filter is about a day before this; the site did not exist.
EARLIEST_DATE = datetime.date(2000, 1, 1)


def days_from_today(days: int) -> Callable[[], datetime.date]:
    """The latest allowed date as a function, so it follows the calendar while the site runs."""
    return lambda: timezone.localdate() + datetime.timedelta(days=days)


class BoundedDateField(forms.DateField):
    """A date between EARLIEST_DATE and `latest()` (default tomorrow), else a field error.

    The messages can be replaced through `error_messages` under "too_early" and "too_late".

    Without a bound, 9999-12-31 passes and the first "day after" computed from it is year
    10,000 (a ValueError); 0001-01-01 makes a month-by-month chart of 24,000 months.
    """

    def __init__(
        self, *args: Any, latest: Callable[[], datetime.date] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.latest = latest or days_from_today(1)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in self.empty_values:
            return
        latest = self.latest()
        if EARLIEST_DATE <= value <= latest:
            return
        code = "too_early" if value < EARLIEST_DATE else "too_late"
        raise forms.ValidationError(
            self.error_messages.get(code, _("Enter a date between %(earliest)s and %(latest)s.")),
            code=code,
            params={
                "earliest": date_format(EARLIEST_DATE, "j F Y"),
                "latest": date_format(latest, "j F Y"),
            },
        )
