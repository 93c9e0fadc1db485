"""GET forms that narrow My reflections and choose My practice's period.

Both forms are forgiving: a bad value is reported next to its field and left out, and
everything else the person chose still applies, so a hand-edited address never breaks the
page. Choices are the current framework version's keys, which stay stable across versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.bounds import BoundedDateField, days_from_today
from reflections.models import Reflection
from reflections.practice import Entity, add_months, month_start
from reflections.selectors import ListFilters

MAX_QUERY_LENGTH = 200
# The longest custom period My practice draws month by month.
MAX_PRACTICE_MONTHS = 120
# Filters may look ahead (a period that ends next month), but not into another century.
_FILTER_LATEST = days_from_today(366)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _entity_choices(entities: Sequence[Entity], anything: str) -> list[tuple[str, str]]:
    return [("", anything), *((entity.key, entity.name) for entity in entities)]


class ReflectionFilterForm(forms.Form):
    PERIODS = {
        "30d": (_("Last 30 days"), None),
        "3m": (_("Last 3 months"), 3),
        "12m": (_("Last 12 months"), 12),
    }

    q = forms.CharField(
        label=_("Search my reflections"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_('Looks through everything you wrote. Use "quotes" for a phrase.'),
    )
    period = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("", _("Any time")), *((key, label) for key, (label, _m) in PERIODS.items())],
    )
    date_from = BoundedDateField(
        latest=_FILTER_LATEST,
        label=_("From"),
        required=False,
        widget=DateInput(),
        help_text=_("Dates, if given, replace the choice above."),
    )
    date_to = BoundedDateField(
        latest=_FILTER_LATEST, label=_("To"), required=False, widget=DateInput()
    )
    context = forms.ChoiceField(label=_("Context"), required=False)
    mechanism = forms.ChoiceField(label=_("Mechanism"), required=False)
    domain = forms.ChoiceField(label=_("Outcome domain"), required=False)
    person = forms.ChoiceField(label=_("Person"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Drafts and submitted")), *Reflection.Status.choices],
    )
    supervision = forms.BooleanField(label=_("Only those to bring to supervision"), required=False)

    def __init__(
        self,
        data: object | None = None,
        *,
        contexts: Sequence[Entity],
        mechanisms: Sequence[Entity],
        domains: Sequence[Entity],
        person_labels: Sequence[str],
        today: date,
    ) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.today = today
        self.fields["context"].choices = _entity_choices(contexts, str(_("Any context")))  # type: ignore[attr-defined]
        self.fields["mechanism"].choices = _entity_choices(mechanisms, str(_("Any mechanism")))  # type: ignore[attr-defined]
        self.fields["domain"].choices = _entity_choices(domains, str(_("Any outcome domain")))  # type: ignore[attr-defined]
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            *((label, label) for label in person_labels),
        ]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned

    def filters(self) -> ListFilters:
        """The filters from every valid field; invalid fields are left out (and reported)."""
        if not self.is_bound:
            return ListFilters()
        self.is_valid()
        data = self.cleaned_data
        date_from: date | None = data.get("date_from")
        date_to: date | None = data.get("date_to")
        period = data.get("period") or ""
        if period and not date_from and not date_to and "date_from" not in self.errors:
            label_months = self.PERIODS[period][1]
            date_from = (
                self.today - timedelta(days=30)
                if label_months is None
                else add_months(self.today, -label_months)
            )
        return ListFilters(
            date_from=date_from,
            date_to=date_to,
            context=data.get("context") or "",
            mechanism=data.get("mechanism") or "",
            domain=data.get("domain") or "",
            person=data.get("person") or "",
            supervision=bool(data.get("supervision")),
            status=data.get("status") or "",
            query=(data.get("q") or "").strip(),
        )

    @property
    def active_count(self) -> int:
        """How many filters besides the search are in use, to open the filter panel."""
        if not self.is_bound:
            return 0
        names = ("period", "date_from", "date_to", "context", "mechanism", "domain", "person")
        used = sum(1 for name in names if self.data.get(name))
        return (
            used
            + (1 if self.data.get("supervision") else 0)
            + (1 if self.data.get("status") else 0)
        )


@dataclass(frozen=True)
class Period:
    """The span My practice looks at; `start` None means since the first reflection."""

    start: date | None
    end: date
    key: str

    @property
    def is_custom(self) -> bool:
        return self.key == "custom"


class PracticePeriodForm(forms.Form):
    DEFAULT = "6"
    PERIODS = {
        "3": _("The last 3 months"),
        "6": _("The last 6 months"),
        "12": _("The last 12 months"),
        "all": _("All time"),
    }

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=list(PERIODS.items()),
        help_text=_("Counted in whole months, this month included."),
    )
    date_from = BoundedDateField(
        latest=_FILTER_LATEST, label=_("From"), required=False, widget=DateInput()
    )
    date_to = BoundedDateField(
        latest=_FILTER_LATEST,
        label=_("To"),
        required=False,
        widget=DateInput(),
        help_text=_("Give both dates for a period of your own; they replace the choice above."),
    )

    def __init__(self, data: object | None = None, *, today: date) -> None:
        super().__init__(data or None, initial={"period": self.DEFAULT})  # type: ignore[arg-type]
        self.today = today

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if bool(date_from) != bool(date_to) and not self.errors:
            missing = "date_to" if date_from else "date_from"
            self.add_error(missing, _("Give both dates, or neither."))
        elif isinstance(date_from, date) and isinstance(date_to, date):
            if date_from > date_to:
                self.add_error("date_to", _("The end date must not be before the start date."))
            elif len_months(date_from, date_to) > MAX_PRACTICE_MONTHS:
                self.add_error(
                    "date_to",
                    _("Choose a period of at most %(years)d years.")
                    % {"years": MAX_PRACTICE_MONTHS // 12},
                )
        return cleaned

    def chosen_period(self) -> Period:
        """The chosen period; the default (the last 6 months) when nothing valid was chosen."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            if data.get("date_from") and data.get("date_to"):
                return Period(start=data["date_from"], end=data["date_to"], key="custom")
            choice = data.get("period") or self.DEFAULT
        elif self.is_bound and "period" not in self.errors:
            choice = self.cleaned_data.get("period") or self.DEFAULT
        else:
            choice = self.DEFAULT
        if choice == "all":
            return Period(start=None, end=self.today, key="all")
        months = int(choice)
        return Period(
            start=add_months(month_start(self.today), -(months - 1)), end=self.today, key=choice
        )


def len_months(first: date, last: date) -> int:
    """How many calendar months `first` to `last` touches (1 Jan to 31 Jan is 1)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1
