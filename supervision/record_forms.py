"""Forms for supervision records and the brief's period. They validate; services save.

The record form is one form (date, attendees, discussed reflections, what was explored, and
the five rows of the APPEAR check) plus a formset of agreed actions. "Add another action"
works without JavaScript: it posts the whole form, which comes back with one more empty row
and everything typed kept, without judging half-written rows as errors yet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.bounds import BoundedModelMultipleChoiceField
from accounts.models import User
from framework.models import Context
from reflections.models import Reflection
from supervision.models import SupervisionCheck, SupervisionRecord
from supervision.record_services import ActionInput, CheckInput, RecordContent

MAX_ACTIONS = 20
EARLIEST = datetime.date(2000, 1, 1)
MAX_PERIOD_DAYS = 731


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class _QuietMixin:
    """A form that can be shown again exactly as typed, without errors.

    Used when the person asked for another action row rather than to save: their half-filled
    form is not judged yet. A quiet form is never valid, so it can never be saved by mistake.
    """

    quiet: bool = False

    def full_clean(self) -> None:
        if self.quiet:
            self._errors = ErrorDict()
            self.cleaned_data: dict[str, Any] = {}
            return
        super().full_clean()  # type: ignore[misc]

    def is_valid(self) -> bool:
        return not self.quiet and super().is_valid()  # type: ignore[misc]


class ReflectionChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Reflection) -> str:
        if obj.person_label:
            return str(
                _("%(date)s, with %(label)s")
                % {"date": f"{obj.session_date:%d %b %Y}", "label": obj.person_label}
            )
        return f"{obj.session_date:%d %b %Y}"


@dataclass(frozen=True)
class CheckRow:
    """One row of the APPEAR check as the template shows it."""

    context: Context
    question: str
    rating: forms.BoundField
    note: forms.BoundField


CHECK_QUESTIONS = {
    "accepting": _("Was supervision accepting for you?"),
    "personalised_practice": _("Was supervision personalised for you?"),
    "empowering": _("Was supervision empowering for you?"),
    "available": _("Was supervision available for you?"),
    "reciprocal": _("Was supervision reciprocal for you?"),
}


def check_question(context: Context) -> str:
    """The question the check asks about one context, also for a context added later."""
    if context.key in CHECK_QUESTIONS:
        return str(CHECK_QUESTIONS[context.key])
    return str(_("Was supervision %(context)s for you?") % {"context": context.name.lower()})


class RecordForm(_QuietMixin, forms.Form):
    held_on = forms.DateField(label=_("Date of supervision"), widget=DateInput())
    attendees = forms.CharField(
        label=_("Who attended"),
        max_length=300,
        required=False,
        help_text=_("Names or roles of everyone present."),
    )
    reflections = ReflectionChoiceField(
        label=_("Reflections discussed"),
        queryset=Reflection.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only reflections the worker has shared with this supervisor are listed."),
        error_messages={
            "invalid_choice": _("Choose only reflections the worker has shared with you."),
            "invalid_pk_value": _("Choose only reflections the worker has shared with you."),
        },
    )
    explored = forms.CharField(
        label=_("What was explored"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(
        self,
        *args: Any,
        contexts: list[Context],
        reflections: QuerySet[Reflection],
        quiet: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.quiet = quiet
        self.contexts = contexts
        reflection_field = self.fields["reflections"]
        assert isinstance(reflection_field, forms.ModelMultipleChoiceField)
        reflection_field.queryset = reflections
        for context in contexts:
            self.fields[f"check_{context.key}_rating"] = forms.TypedChoiceField(
                label=check_question(context),
                choices=[("", _("No answer")), *SupervisionCheck.Rating.choices],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"check_{context.key}_note"] = forms.CharField(
                label=_("Note on %(context)s") % {"context": context.name},
                max_length=300,
                required=False,
            )

    def clean_held_on(self) -> datetime.date:
        held_on: datetime.date = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("Record a meeting once it has happened: this date is ahead."))
        if held_on < EARLIEST:
            raise ValidationError(_("Enter a date from 2000 onwards."))
        return held_on

    @property
    def check_rows(self) -> list[CheckRow]:
        return [
            CheckRow(
                context=context,
                question=check_question(context),
                rating=self[f"check_{context.key}_rating"],
                note=self[f"check_{context.key}_note"],
            )
            for context in self.contexts
        ]

    def check_inputs(self) -> list[CheckInput]:
        return [
            CheckInput(
                context=context,
                rating=self.cleaned_data[f"check_{context.key}_rating"],
                note=self.cleaned_data[f"check_{context.key}_note"],
            )
            for context in self.contexts
        ]

    @staticmethod
    def initial_for(record: SupervisionRecord) -> dict[str, Any]:
        """The form's starting values for an existing record (checks and reflections prefetched)."""
        initial: dict[str, Any] = {
            "held_on": record.held_on,
            "attendees": record.attendees,
            "explored": record.explored,
            "reflections": [reflection.pk for reflection in record.reflections.all()],
        }
        for check in record.checks.all():
            initial[f"check_{check.context.key}_rating"] = check.rating
            initial[f"check_{check.context.key}_note"] = check.note
        return initial


OWNER_CHOICES = [("worker", _("The worker")), ("supervisor", _("The supervisor"))]


class RecordActionForm(_QuietMixin, forms.Form):
    action_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ChoiceField(label=_("Whose action"), choices=OWNER_CHOICES, initial="worker")
    due_on = forms.DateField(label=_("Due by"), required=False, widget=DateInput())

    def __init__(
        self, *args: Any, quiet: bool = False, names: dict[str, str], **kwargs: Any
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.quiet = quiet
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [(value, names.get(value, label)) for value, label in OWNER_CHOICES]

    def clean_due_on(self) -> datetime.date | None:
        due_on: datetime.date | None = self.cleaned_data["due_on"]
        if due_on is not None and due_on < EARLIEST:
            raise ValidationError(_("Enter a date from 2000 onwards."))
        return due_on


class BaseRecordActionFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this action")

    def action_inputs(self, *, worker: User, supervisor: User) -> list[ActionInput]:
        owners = {"worker": worker, "supervisor": supervisor}
        return [
            ActionInput(
                text=form.cleaned_data["text"],
                owner=owners[form.cleaned_data["owner"]],
                due_on=form.cleaned_data["due_on"],
                pk=form.cleaned_data.get("action_id"),
            )
            for form in self.forms
            if form.cleaned_data and form not in self.deleted_forms
        ]

    @staticmethod
    def initial_for(record: SupervisionRecord) -> list[dict[str, Any]]:
        return [
            {
                "action_id": action.pk,
                "text": action.text,
                "owner": "supervisor" if action.owner_id == record.supervisor_id else "worker",
                "due_on": action.due_on,
            }
            for action in record.actions.all()
        ]


# formset_factory makes a subclass of `formset`; the cast tells the type checker so.
RecordActionFormSet = cast(
    type[BaseRecordActionFormSet],
    forms.formset_factory(
        RecordActionForm,
        formset=BaseRecordActionFormSet,
        extra=1,
        can_delete=True,
        max_num=MAX_ACTIONS,
        validate_max=True,
        absolute_max=MAX_ACTIONS,
    ),
)


def owner_names(*, worker: User, supervisor: User) -> dict[str, str]:
    return {
        "worker": str(_("%(name)s (worker)") % {"name": worker.get_display_name()}),
        "supervisor": str(_("%(name)s (supervisor)") % {"name": supervisor.get_display_name()}),
    }


@dataclass(frozen=True)
class RecordForms:
    """The record form and its actions, bound or not, as one unit for the views."""

    form: RecordForm
    actions: BaseRecordActionFormSet

    def is_valid(self) -> bool:
        # Both are checked so every error shows at once.
        form_ok = self.form.is_valid()
        actions_ok = self.actions.is_valid()
        return form_ok and actions_ok

    def content(self, *, worker: User, supervisor: User) -> RecordContent:
        data = self.form.cleaned_data
        return RecordContent(
            held_on=data["held_on"],
            attendees=data["attendees"],
            explored=data["explored"],
            reflections=list(data["reflections"]),
            checks=self.form.check_inputs(),
            actions=self.actions.action_inputs(worker=worker, supervisor=supervisor),
        )


ACTIONS_PREFIX = "actions"


def record_forms(
    *,
    data: Any = None,
    worker: User,
    supervisor: User,
    contexts: list[Context],
    reflections: QuerySet[Reflection],
    record: SupervisionRecord | None = None,
    initial: dict[str, Any] | None = None,
    add_action: bool = False,
) -> RecordForms:
    """Build the record form and action formset.

    With `add_action`, the posted data comes back quiet (no errors) with one more empty
    action row, up to the maximum.
    """
    names = owner_names(worker=worker, supervisor=supervisor)
    if data is not None and add_action:
        probe = RecordActionFormSet(data, prefix=ACTIONS_PREFIX, form_kwargs={"names": names})
        total = probe.total_form_count()
        data = data.copy()
        data[f"{ACTIONS_PREFIX}-TOTAL_FORMS"] = str(min(total + 1, MAX_ACTIONS))
    if initial is None and record is not None:
        initial = RecordForm.initial_for(record)
    form = RecordForm(
        data,
        initial=initial,
        contexts=contexts,
        reflections=reflections,
        quiet=add_action,
    )
    actions = RecordActionFormSet(
        data,
        prefix=ACTIONS_PREFIX,
        initial=BaseRecordActionFormSet.initial_for(record) if record is not None else None,
        form_kwargs={"names": names, "quiet": add_action},
    )
    return RecordForms(form=form, actions=actions)


class BriefPeriodForm(forms.Form):
    """The period a brief covers, both ends included, as `?from=…&to=…` in the address."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these fields cannot be declared as class attributes.
        self.fields["from"] = forms.DateField(label=_("From"), widget=DateInput())
        self.fields["to"] = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and start < EARLIEST:
            self.add_error("from", _("Enter a date from 2000 onwards."))
        if start and end and end < start:
            self.add_error("to", _("The end of the period must not be before its start."))
        elif start and end and (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("to", _("Choose a period of two years or less."))
        return cleaned

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        return self.cleaned_data["from"], self.cleaned_data["to"]
