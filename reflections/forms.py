"""Forms for the guided reflection: one bundle of forms per step.

A bundle validates and normalises what one step's page sends, turns it into the `StepValues`
a service saves, lists its errors for the error summary, and can describe its answers in
words (for the conflict view, where two copies are set side by side). Forms never save.

Choices are built from the reflection's own framework version, so an id from another
version, another person or nowhere is a field error, never a 500. Rows (chains, actions) are
Django formsets; "add", "remove" and "show suggestions" re-render the posted rows without
saving them, as plain initial values, so no error is shown for a half-filled row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.bounds import BoundedDateField
from framework.models import Context, Mechanism, OutcomeDomain
from reflections import steps
from reflections.flow_selectors import ChainChoices
from reflections.models import EVIDENCE_TEXT, SHORT_TEXT, Chain, ContextRating, Reflection
from reflections.services import (
    ActionInput,
    ChainInput,
    ObservationInput,
    RatingInput,
    StepValues,
)
from reflections.steps import Step

Choices = list[tuple[Any, Any]]

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise


class TextAnswer(forms.CharField):
    """Free text from a textarea, optional.

    A browser counts a line break as one character towards `maxlength` but sends two
    ("\\r\\n"); they are made one again before the length is checked.
    """

    def __init__(self, *, max_length: int, rows: int = 4, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(
            max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
        )
        self.error_messages["max_length"] = _(
            "Please keep this to %(limit_value)d characters (it has %(show_value)d)."
        )

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


INVALID_DATE = _("Enter a real date, for example 14/05/2025.")
INVALID_CHOICE = _("Choose one of the options listed.")


def _flat(choices: Iterable[Any]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat |= _flat(label)
        else:
            flat[str(value)] = str(label)
    return flat


def _describe_field(bound: forms.BoundField, names: Mapping[str, str] | None = None) -> str:
    value = bound.value()
    field = bound.field
    if isinstance(field, forms.BooleanField):
        return str(_("Yes")) if value in (True, "on", "true", "True", "1") else str(_("No"))
    if isinstance(field, forms.ChoiceField):
        labels = dict(names) if names is not None else _flat(list(field.choices))  # type: ignore[arg-type]
        if isinstance(value, list | tuple):
            return ", ".join(labels.get(str(item), str(item)) for item in value)
        if value in (None, ""):
            return ""
        return labels.get(str(value), str(value))
    return "" if value is None else str(value)


def describe_form(
    form: forms.Form, *, prefix: str = "", skip: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """Each visible field's label and its value in words (bound: as sent; unbound: as saved)."""
    names = getattr(form, "display_names", {})
    items = []
    for bound in form.visible_fields():
        if bound.name in skip:
            continue
        label = f"{prefix}{bound.label}"
        items.append((label, _describe_field(bound, names.get(bound.name))))
    return items


def _raw_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# a. The session -----------------------------------------------------------------------------


class SessionForm(forms.Form):
    session_date = BoundedDateField(
        label=_("Date of the session"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the date of the session."),
            "invalid": INVALID_DATE,
            "too_late": _("The date cannot be in the future."),
        },
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes (optional)"),
        required=False,
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter the length as a whole number of minutes, such as 45."),
            "min_value": _("Enter at least 1 minute."),
            "max_value": _("Enter at most 600 minutes (ten hours)."),
        },
    )
    setting = forms.ChoiceField(
        label=_("Where it happened (optional)"),
        choices=Reflection.Setting.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    contact_stage = forms.ChoiceField(
        label=_("How far into your work together (optional)"),
        choices=Reflection.ContactStage.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    person_label = forms.CharField(
        label=_("A label for the person you supported (optional)"),
        max_length=12,
        required=False,
        help_text=_(
            "A letter or a made-up word, such as “J”, never their name. Reflections must not "
            "identify anyone you support; a label still lets you follow your work with one "
            "person over time."
        ),
        error_messages={"max_length": _("Keep the label to %(limit_value)d characters.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_session_date(self) -> Any:
        value = self.cleaned_data["session_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."), code="future")
        return value


# b. What happened, and how I felt; f. what did not go well; g. learning -------------------


class StoryForm(forms.Form):
    what_happened = TextAnswer(
        max_length=SHORT_TEXT,
        label=_("What happened?"),
        help_text=_("A few lines is plenty. Leave out anything that could identify the person."),
    )
    how_i_felt = TextAnswer(max_length=SHORT_TEXT, rows=3, label=_("How did I feel?"))
    went_well = TextAnswer(max_length=SHORT_TEXT, rows=3, label=_("What went well?"))
    was_hard = TextAnswer(max_length=SHORT_TEXT, rows=3, label=_("What was hard?"))


class UnintendedForm(forms.Form):
    unintended_effects = TextAnswer(
        max_length=SHORT_TEXT,
        rows=5,
        label=_("What did not go well, or may have had an effect you did not intend?"),
        help_text=_(
            "For example: something that seemed to close the conversation down, a boundary "
            "that slipped, or a story you shared that did not land. Optional, and honest "
            "answers help most."
        ),
    )


class NextStepsForm(forms.Form):
    learning = TextAnswer(
        max_length=SHORT_TEXT,
        label=_("What did I learn?"),
        help_text=_("About the person, about yourself, or about your practice."),
    )
    bring_to_supervision = forms.BooleanField(
        label=_("Mark it to talk about in supervision"),
        required=False,
        help_text=_(
            "A mark for you, to find it when you prepare. It does not share it: after you "
            "submit, you choose whether to share it with your supervisor."
        ),
    )


class QuickForm(forms.Form):
    """The quick reflection's own fields, the same fields (and rules) as the steps'."""

    session_date = SessionForm.base_fields["session_date"]
    what_happened = TextAnswer(
        max_length=SHORT_TEXT,
        rows=3,
        label=_("What happened?"),
        help_text=_("Two or three sentences. Leave out anything that could identify the person."),
    )
    learning = TextAnswer(
        max_length=SHORT_TEXT,
        rows=2,
        label=_("One thing I learned (optional)"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    clean_session_date = SessionForm.clean_session_date


# c. The contexts ----------------------------------------------------------------------------


# What each context means, in one plain line for a phone screen; the paper's fuller summary is
# one tap away. Keyed by the framework's context keys; another key falls back to the summary's
# first sentence.
CONTEXT_MEANINGS: dict[str, _StrOrPromise] = {
    "accepting": _("They felt understood, valued and not judged."),
    "personalised_practice": _("Support fitted them: their needs, their recovery."),
    "empowering": _("They had choice and control, and we shared power."),
    "available": _("I was there for them: reliable, present, flexible."),
    "reciprocal": _("We both gave and took, including my lived experience."),
}

# The four-point scale in words short enough for four across a phone screen.
PRESENCE_SHORT = [
    (ContextRating.Presence.NOT_PRESENT, _("Not present")),
    (ContextRating.Presence.A_LITTLE, _("A little")),
    (ContextRating.Presence.PRESENT, _("Present")),
    (ContextRating.Presence.STRONGLY, _("Strongly")),
]


class ContextRatingForm(forms.Form):
    presence = forms.TypedChoiceField(
        choices=PRESENCE_SHORT,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    factors = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": INVALID_CHOICE, "invalid_list": INVALID_CHOICE},
    )
    evidence = TextAnswer(max_length=EVIDENCE_TEXT, rows=2)

    def __init__(self, *args: Any, context: Context, **kwargs: Any) -> None:
        kwargs["prefix"] = steps.context_prefix(context.key)
        super().__init__(*args, **kwargs)
        self.context = context
        summary = context.summary.split(". ")[0].rstrip(".")
        self.meaning = CONTEXT_MEANINGS.get(context.key) or (f"{summary}." if summary else "")
        self.factor_objects = {factor.pk: factor for factor in context.factors.all()}
        name = context.name
        self.fields["presence"].label = _("How present was %(context)s?") % {"context": name}
        factors = self.fields["factors"]
        assert isinstance(factors, forms.MultipleChoiceField)
        factors.label = _("Which parts of %(context)s showed? (optional)") % {"context": name}
        factors.choices = [(pk, factor.name) for pk, factor in self.factor_objects.items()]
        self.fields["evidence"].label = _("What I did or said (optional)")
        self.fields["evidence"].help_text = _(
            "One line is enough, e.g. “I said it made sense to feel that way.”"
        )

    def rating(self) -> RatingInput:
        data = self.cleaned_data
        return RatingInput(
            context=self.context,
            presence=data.get("presence"),
            factors=[self.factor_objects[pk] for pk in data.get("factors") or []],
            evidence=data.get("evidence") or "",
        )


# d. Chains ----------------------------------------------------------------------------------


def _studies_line(count: int, context: Context) -> str:
    return ngettext(
        "%(count)d study links this to %(context)s",
        "%(count)d studies link this to %(context)s",
        count,
    ) % {"count": count, "context": context.name}


def mechanism_name(mechanism: Mechanism) -> str:
    return mechanism.full_statement


def ordered_choices(
    items: Sequence[Mechanism] | Sequence[OutcomeDomain],
    counts: Mapping[tuple[int, int], int],
    context: Context | None,
    *,
    blank: str,
    linked_heading: str,
    other_heading: str,
) -> Choices:
    """Choices with the ones the evidence links to `context` first, most-studied first.

    Every item stays selectable: the rest follow in the framework's order.
    """

    def name(item: Mechanism | OutcomeDomain) -> str:
        return mechanism_name(item) if isinstance(item, Mechanism) else item.name

    choices: Choices = [("", blank)]
    if context is None:
        return choices + [(item.pk, name(item)) for item in items]
    linked = [item for item in items if counts.get((context.pk, item.pk), 0)]
    linked.sort(key=lambda item: -counts[(context.pk, item.pk)])
    others = [item for item in items if item not in linked]
    if linked:
        choices.append(
            (
                linked_heading,
                [(item.pk, name(item)) for item in linked],
            )
        )
    if others:
        choices.append((other_heading, [(item.pk, name(item)) for item in others]))
    return choices


def _framework_choice(label: _StrOrPromise) -> forms.TypedChoiceField:
    """A chain's pick of a framework part by id, as large radio targets; choices set per form."""
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )


# How many of the options the evidence links to a context are in view at once (most studied
# first); the rest are one tap away, so a phone screen is not a wall of choices.
TAP_SHOWN = 3


class ChainForm(forms.Form):
    is_blank = False
    is_complete = False
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    context = _framework_choice(_("Context: what I brought"))
    mechanism = _framework_choice(_("What seemed to shift for them"))
    outcome_domain = _framework_choice(_("Towards which outcome"))
    description = TextAnswer(
        max_length=EVIDENCE_TEXT,
        rows=3,
        label=_("In my words (optional)"),
        help_text=_(
            "For example: “Because I was accepting, they seemed to feel acceptable, and they "
            "opened up about how the week had gone.”"
        ),
    )
    confidence = forms.TypedChoiceField(
        label=_("How sure am I?"),
        choices=Chain.Confidence.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        initial=Chain.Confidence.FAIRLY_SURE,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )

    def __init__(
        self, *args: Any, choices: ChainChoices, options_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        # With htmx, choosing a context re-orders this row's options in place
        # (templates/reflections/partials/_chain_row.html puts these on the context's options).
        self.options_url = options_url
        self.row_index = (self.prefix or "").rsplit("-", 1)[-1]
        self.is_blank = False
        context = choices.context(_raw_int(self["context"].value()))
        self.selected_context = context
        self._set_choices(
            "context", [("", _("Choose a context"))] + [(c.pk, c.name) for c in choices.contexts]
        )
        self._set_choices(
            "mechanism",
            ordered_choices(
                choices.mechanisms,
                choices.mechanism_studies,
                context,
                blank=str(_("Choose what seemed to shift")),
                linked_heading=str(
                    _("Linked to %(context)s in the studies") % {"context": context.name}
                )
                if context
                else "",
                other_heading=str(_("Other mechanisms")),
            ),
        )
        self._set_choices(
            "outcome_domain",
            ordered_choices(
                choices.domains,
                choices.domain_studies,
                context,
                blank=str(_("Choose an outcome")),
                linked_heading=str(
                    _("Linked to %(context)s in the studies") % {"context": context.name}
                )
                if context
                else "",
                other_heading=str(_("Other outcomes")),
            ),
        )
        self.studies = {
            "mechanism": {
                m.pk: choices.mechanism_studies.get((context.pk, m.pk), 0) if context else 0
                for m in choices.mechanisms
            },
            "outcome_domain": {
                d.pk: choices.domain_studies.get((context.pk, d.pk), 0) if context else 0
                for d in choices.domains
            },
        }
        self.display_names = {
            "context": {str(c.pk): c.name for c in choices.contexts},
            "mechanism": {str(m.pk): mechanism_name(m) for m in choices.mechanisms},
            "outcome_domain": {str(d.pk): d.name for d in choices.domains},
        }

    def tap_groups(self, name: str) -> list[dict[str, Any]]:
        """The field's options as groups of large tap targets, for the template.

        Each option has its label, and apart from it (for a lighter second line) how many
        studies link it to the chosen context; the blank choice is left out.
        """
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        chosen = str(self[name].value() or "")
        studies = self.studies.get(name, {})
        context = self.selected_context
        groups: list[dict[str, Any]] = []
        loose: list[tuple[Any, Any]] = []
        for value, label in list(field.choices):  # type: ignore[arg-type]
            if isinstance(label, list | tuple):
                groups.append({"heading": value, "options": list(label)})
            elif value != "":
                loose.append((value, label))
        if loose:
            groups.insert(0, {"heading": "", "options": loose})
        for group in groups:
            group["options"] = [
                {
                    "value": value,
                    "label": label,
                    "id": f"{self[name].auto_id}_{value}",
                    "checked": str(value) == chosen,
                    "studies": _studies_line(studies.get(value, 0), context)
                    if context and studies.get(value)
                    else "",
                }
                for value, label in group["options"]
            ]
        return groups

    def tap_split(self, name: str) -> dict[str, Any]:
        """The options in view, and the rest one tap away.

        After a context: what the evidence links to it in view, the others in a disclosure
        (open when one of them is chosen). Before a context: all in the disclosure, so the
        page stays short and nothing is out of reach without JavaScript.
        """
        groups = self.tap_groups(name)
        context = self.selected_context
        linked = bool(context and groups and groups[0]["heading"] and len(groups) > 1)
        if context is not None and not linked:
            shown, more = groups, []
        elif linked:
            first = groups[0]
            shown = [{**first, "options": first["options"][:TAP_SHOWN]}]
            rest = first["options"][TAP_SHOWN:]
            more = ([{**first, "options": rest}] if rest else []) + groups[1:]
        else:
            shown, more = [], groups
        return {
            "shown": shown,
            "more": more,
            "more_open": any(o["checked"] for g in more for o in g["options"]),
            "more_count": sum(len(g["options"]) for g in more),
        }

    def context_options(self) -> dict[str, Any]:
        return {"shown": self.tap_groups("context"), "more": []}

    def mechanism_options(self) -> dict[str, Any]:
        return self.tap_split("mechanism")

    def outcome_options(self) -> dict[str, Any]:
        return self.tap_split("outcome_domain")

    def sentence(self) -> str:
        """The chain read back, once its three parts are chosen; else ""."""
        names = self.display_names
        parts = [
            str(self[name].value() or "") for name in ("context", "mechanism", "outcome_domain")
        ]
        if not all(parts):
            return ""
        context = names["context"].get(parts[0])
        mechanism = names["mechanism"].get(parts[1])
        domain = names["outcome_domain"].get(parts[2])
        if not (context and mechanism and domain):
            return ""
        return str(
            _("Because I was %(context)s, they seemed to feel “%(mechanism)s”, towards %(domain)s.")
            % {"context": context, "mechanism": mechanism, "domain": domain.lower()}
        )

    def _set_choices(self, name: str, choices: Choices) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        # A half-filled chain is no error: it is kept with the draft as unfinished (see
        # ChainsBundle.values) and named on the check page; only submitting needs it finished.
        data = super().clean() or {}
        parts = ("context", "mechanism", "outcome_domain", "description")
        self.is_blank = not any(data.get(name) for name in parts) and not any(
            name in self.errors for name in parts
        )
        self.is_complete = all(
            data.get(name) is not None for name in ("context", "mechanism", "outcome_domain")
        )
        return data

    def unfinished(self, row: int) -> dict[str, Any]:
        """This row as an unfinished chain: the ids chosen so far, and the words."""
        data = self.cleaned_data
        return {
            "row": row,
            "context": data.get("context"),
            "mechanism": data.get("mechanism"),
            "outcome_domain": data.get("outcome_domain"),
            "description": data.get("description") or "",
            "confidence": data.get("confidence") or Chain.Confidence.FAIRLY_SURE,
        }

    def chain(self, row: int | None = None) -> ChainInput:
        data = self.cleaned_data
        by_id = self.choices
        return ChainInput(
            row=row,
            id=data.get("id"),
            context=next(c for c in by_id.contexts if c.pk == data["context"]),
            mechanism=next(m for m in by_id.mechanisms if m.pk == data["mechanism"]),
            outcome_domain=next(d for d in by_id.domains if d.pk == data["outcome_domain"]),
            description=data.get("description") or "",
            confidence=data.get("confidence") or Chain.Confidence.FAIRLY_SURE,
        )


# e. Outcomes --------------------------------------------------------------------------------


class OutcomeForm(forms.Form):
    noticed = forms.BooleanField(required=False)
    observation = TextAnswer(max_length=EVIDENCE_TEXT, rows=2, label=_("What I noticed"))

    def __init__(self, *args: Any, domain: OutcomeDomain, **kwargs: Any) -> None:
        kwargs["prefix"] = steps.outcome_prefix(domain.key)
        super().__init__(*args, **kwargs)
        self.domain = domain
        self.fields["noticed"].label = _("I noticed something about %(domain)s") % {
            "domain": domain.name.lower()
        }
        self.fields["observation"].label = _("What I noticed (optional)")

    @property
    def is_noticed(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("noticed") or data.get("observation"))


# g. Actions ---------------------------------------------------------------------------------


class ActionForm(forms.Form):
    is_blank = False
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Something I will do"),
        max_length=300,
        required=False,
        error_messages={"max_length": _("Keep an action to %(limit_value)d characters.")},
    )
    due_on = forms.DateField(
        label=_("By when (optional)"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": INVALID_DATE},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.is_blank = (
            not data.get("text") and not data.get("due_on") and "due_on" not in self.errors
        )
        if not self.is_blank and not data.get("text") and "text" not in self.errors:
            self.add_error("text", _("Say what you will do, or clear the date."))
        return data

    def action(self) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(id=data.get("id"), text=data["text"], due_on=data.get("due_on"))


class RowFormSet(BaseFormSet):
    """Rows whose ids must be whole numbers and unique; ownership is the service's to check."""

    def clean(self) -> None:
        ids = [
            form.cleaned_data.get("id")
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("id") is not None
        ]
        if len(ids) != len(set(ids)):
            raise ValidationError(_("The same row was sent twice. Reload the page and try again."))


ChainFormSet = formset_factory(
    ChainForm,
    formset=RowFormSet,
    extra=0,
    max_num=steps.MAX_CHAINS,
    absolute_max=steps.MAX_CHAINS,
    validate_max=True,
)
ActionFormSet = formset_factory(
    ActionForm,
    formset=RowFormSet,
    extra=0,
    max_num=steps.MAX_ACTIONS,
    absolute_max=steps.MAX_ACTIONS,
    validate_max=True,
)

CHAIN_FIELDS = ("id", "context", "mechanism", "outcome_domain", "description", "confidence")
ACTION_FIELDS = ("id", "text", "due_on")


def posted_rows(
    data: Mapping[str, Any], prefix: str, names: Sequence[str], limit: int
) -> list[dict[str, Any]]:
    """The rows a page sent, as raw values, whatever state the management form is in."""
    total = _raw_int(data.get(f"{prefix}-TOTAL_FORMS")) or 0
    return [
        {name: data.get(f"{prefix}-{index}-{name}", "") for name in names}
        for index in range(max(0, min(total, limit)))
    ]


# Bundles ------------------------------------------------------------------------------------


def typed_but_invalid(form: forms.Form) -> dict[str, str]:
    """A validated form's invalid fields, as typed: {field name: text}.

    What "Save and finish later" keeps when an answer is not valid yet (Reflection.unsent_answers).
    """
    kept: dict[str, str] = {}
    for name in form.errors:
        if name in form.fields and form.data is not None:
            raw = form.data.get(form.add_prefix(name), "")
            kept[name] = raw if isinstance(raw, str) else ""
    return kept


def show_kept_answers(form: forms.Form, kept: Mapping[str, str]) -> bool:
    """Show a draft's kept answers in an unbound form: as typed, with the message they get.

    The messages come from checking the kept text again with the same form class (a field's
    own rules and the form's clean_<field>), so they are the ones the worker saw when they
    chose to finish later. Returns whether any answer was kept.
    """
    names = [name for name in kept if name in form.fields]
    if not names:
        return False
    probe = type(form)(data={form.add_prefix(name): kept[name] for name in names})
    for name in names:
        form.initial[name] = kept[name]
        if name in probe.errors:
            form.errors[name] = form.error_class(probe.errors[name])
    return True


class StepBundle:
    """The forms of one step. Bound (`data`) for a POST; else filled from the reflection."""

    step: Step

    def __init__(self, *, reflection: Reflection, data: Mapping[str, Any] | None = None) -> None:
        self.reflection = reflection
        self.data = data
        self.forms: list[forms.Form] = []
        self.formsets: list[BaseFormSet[Any]] = []
        # Answers kept as typed from a "finish later", shown with their messages.
        self.shows_kept_answers = False

    @property
    def is_bound(self) -> bool:
        return self.data is not None

    def salvage(self) -> StepValues | None:
        """What of an invalid step is saved when the worker finishes later; None to stay.

        A step of plain fields saves its valid fields and keeps the rest as typed. A step of
        rows has no place to keep an invalid row as typed (a half-filled chain is not
        invalid: it is kept as unfinished), so it stays with its messages rather than lose it.
        """
        return None

    def is_valid(self) -> bool:
        results = [form.is_valid() for form in self.forms] + [fs.is_valid() for fs in self.formsets]
        return all(results)

    def values(self) -> StepValues:
        raise NotImplementedError

    def _all_forms(self) -> list[forms.Form]:
        return [*self.forms, *(form for formset in self.formsets for form in formset.forms)]

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for every error, in page order, for the summary at the top."""
        items: list[tuple[str, str]] = []
        for formset in self.formsets:
            for error in formset.non_form_errors():
                items.append((f"{formset.prefix}-rows", str(error)))
        for form in self._all_forms():
            for error in form.non_field_errors():
                items.append((f"{form.prefix}-row" if form.prefix else "flow-form", str(error)))
            for name, errors in form.errors.items():
                if name == "__all__":
                    continue
                anchor = form[name].id_for_label or form[name].auto_id
                items.extend((anchor, str(error)) for error in errors)
        return items

    def field_errors(self) -> dict[str, list[str]]:
        """HTML input name -> messages, for the autosave answer."""
        errors: dict[str, list[str]] = {}
        for formset in self.formsets:
            if formset.non_form_errors():
                errors[f"{formset.prefix}-TOTAL_FORMS"] = [
                    str(e) for e in formset.non_form_errors()
                ]
        for form in self._all_forms():
            for name, messages in form.errors.items():
                key = form.add_prefix(name) if name != "__all__" else f"{form.prefix or ''}-row"
                errors[key] = [str(message) for message in messages]
        return errors

    def describe(self) -> list[tuple[str, str]]:
        """Every answer in words: labels and values, as sent or as saved."""
        raise NotImplementedError


class FieldsBundle(StepBundle):
    """A step that is one plain form of Reflection fields."""

    form_class: type[forms.Form]

    def __init__(self, *, reflection: Reflection, data: Mapping[str, Any] | None = None) -> None:
        super().__init__(reflection=reflection, data=data)
        initial = {name: getattr(reflection, name) for name in steps.STEP_FIELDS[self.step]}
        self.form = self.form_class(data=data, initial=initial)
        self.forms = [self.form]
        if data is None:
            self.shows_kept_answers = show_kept_answers(self.form, reflection.unsent_answers)

    def values(self) -> StepValues:
        return StepValues(fields=dict(self.form.cleaned_data))

    def salvage(self) -> StepValues:
        # After is_valid(), cleaned_data holds only the fields that passed.
        return StepValues(fields=dict(self.form.cleaned_data), unsent=typed_but_invalid(self.form))

    def describe(self) -> list[tuple[str, str]]:
        return describe_form(self.form)


class SessionBundle(FieldsBundle):
    step = Step.SESSION
    form_class = SessionForm


class StoryBundle(FieldsBundle):
    step = Step.STORY
    form_class = StoryForm


class UnintendedBundle(FieldsBundle):
    step = Step.UNINTENDED
    form_class = UnintendedForm


class ContextsBundle(StepBundle):
    """Needs `contexts` from version_contexts(); unbound, the reflection's ratings loaded.

    Bound forms show what was sent, never their initial values, so a bound bundle (an
    autosave, a posted step) does not read the saved ratings at all.
    """

    step = Step.CONTEXTS

    def __init__(
        self,
        *,
        reflection: Reflection,
        contexts: Sequence[Context],
        data: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(reflection=reflection, data=data)
        ratings = (
            {} if data is not None else {r.context_id: r for r in reflection.context_ratings.all()}
        )
        self.context_forms: list[ContextRatingForm] = []
        for context in contexts:
            rating = ratings.get(context.pk)
            initial = (
                {
                    "presence": rating.presence,
                    "factors": [factor.pk for factor in rating.factors.all()],
                    "evidence": rating.evidence,
                }
                if rating is not None
                else {}
            )
            self.context_forms.append(
                ContextRatingForm(data=data, initial=initial, context=context)
            )
        self.forms = list(self.context_forms)

    def values(self) -> StepValues:
        return StepValues(ratings=[form.rating() for form in self.context_forms])

    def describe(self) -> list[tuple[str, str]]:
        items = []
        for form in self.context_forms:
            items.extend(describe_form(form, prefix=f"{form.context.name}: "))
        return items


def _chain_initial(chain: Chain) -> dict[str, Any]:
    return {
        "id": chain.pk,
        "context": chain.context_id,
        "mechanism": chain.mechanism_id,
        "outcome_domain": chain.outcome_domain_id,
        "description": chain.description,
        "confidence": chain.confidence,
    }


def _unfinished_initial(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: item.get(name) for name in CHAIN_FIELDS if name != "id"}


class ChainsBundle(StepBundle):
    """Needs `choices` from chain_choices() and the reflection's chains loaded.

    `rows`, when given, re-renders posted rows unbound (after add, remove or "show
    suggestions"), so the worker sees what they typed and no premature errors.
    """

    step = Step.CHAINS

    def __init__(
        self,
        *,
        reflection: Reflection,
        choices: ChainChoices,
        data: Mapping[str, Any] | None = None,
        rows: list[dict[str, Any]] | None = None,
        options_url: str = "",
    ) -> None:
        super().__init__(reflection=reflection, data=data)
        self.choices = choices
        if rows is None and data is None:
            rows = [_chain_initial(chain) for chain in reflection.chains.all()]
            rows += [_unfinished_initial(item) for item in reflection.incomplete_chains]
            rows = rows or [{}]
        self.formset = ChainFormSet(
            data=data,
            initial=rows,
            prefix=steps.CHAIN_PREFIX,
            form_kwargs={"choices": choices, "empty_permitted": False, "options_url": options_url},
        )
        self.formsets = [self.formset]

    def values(self) -> StepValues:
        forms = list(enumerate(self.formset.forms))
        return StepValues(
            chains=[form.chain(row) for row, form in forms if form.is_complete],
            incomplete_chains=[
                form.unfinished(row)
                for row, form in forms
                if not form.is_blank and not form.is_complete
            ],
        )

    def describe(self) -> list[tuple[str, str]]:
        items = []
        for index, form in enumerate(self.formset.forms, start=1):
            label = _("What seemed to shift (%(number)d): ") % {"number": index}
            items.extend(describe_form(form, prefix=str(label)))
        return items


class OutcomesBundle(StepBundle):
    """Needs `domains` from version_domains() and the reflection's observations loaded."""

    step = Step.OUTCOMES

    def __init__(
        self,
        *,
        reflection: Reflection,
        domains: Sequence[OutcomeDomain],
        data: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(reflection=reflection, data=data)
        saved = {row.domain_id: row for row in reflection.outcome_observations.all()}
        self.outcome_forms = []
        for domain in domains:
            row = saved.get(domain.pk)
            initial = {"noticed": True, "observation": row.observation} if row is not None else {}
            self.outcome_forms.append(OutcomeForm(data=data, initial=initial, domain=domain))
        self.forms = list(self.outcome_forms)

    def values(self) -> StepValues:
        return StepValues(
            observations=[
                ObservationInput(
                    domain=form.domain, observation=form.cleaned_data.get("observation") or ""
                )
                for form in self.outcome_forms
                if form.is_noticed
            ]
        )

    def describe(self) -> list[tuple[str, str]]:
        items = []
        for form in self.outcome_forms:
            items.extend(describe_form(form, prefix=f"{form.domain.name}: "))
        return items


class NextStepsBundle(StepBundle):
    """Needs the reflection's actions loaded. `rows`/`fields` re-render posted values unbound."""

    step = Step.NEXT_STEPS

    def __init__(
        self,
        *,
        reflection: Reflection,
        data: Mapping[str, Any] | None = None,
        rows: list[dict[str, Any]] | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(reflection=reflection, data=data)
        initial = (
            dict(fields)
            if fields is not None
            else {name: getattr(reflection, name) for name in steps.STEP_FIELDS[self.step]}
        )
        self.form = NextStepsForm(data=data, initial=initial)
        if rows is None and data is None:
            rows = [
                {"id": action.pk, "text": action.text, "due_on": action.due_on}
                for action in reflection.actions.all()
            ] or [{}]
        self.formset = ActionFormSet(
            data=data,
            initial=rows,
            prefix=steps.ACTION_PREFIX,
            form_kwargs={"empty_permitted": False},
        )
        self.forms = [self.form]
        self.formsets = [self.formset]

    def values(self) -> StepValues:
        return StepValues(
            fields=dict(self.form.cleaned_data),
            actions=[form.action() for form in self.formset.forms if not form.is_blank],
        )

    def describe(self) -> list[tuple[str, str]]:
        items = describe_form(self.form)
        for index, form in enumerate(self.formset.forms, start=1):
            label = _("Action %(number)d: ") % {"number": index}
            items.extend(describe_form(form, prefix=str(label)))
        return items


def rearranged_rows(
    data: Mapping[str, Any],
    prefix: str,
    names: Sequence[str],
    limit: int,
    *,
    add: bool,
    remove: int | None,
) -> list[dict[str, Any]]:
    """The posted rows with one added at the end or one taken out, for a re-render."""
    rows = posted_rows(data, prefix, names, limit)
    if remove is not None and 0 <= remove < len(rows):
        del rows[remove]
    if add and len(rows) < limit:
        rows.append({})
    return rows or [{}]
