"""Forms for trainers (workshops, vignettes) and for participants (joining, answering).

Choices come from the current framework's boxes, so a key from nowhere is a field error and
never a 500. Forms validate and normalise; they never save.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workshops.models import (
    DISPLAY_NAME_MAX,
    REASON_MAX,
    REASONING_MAX,
    TITLE_MAX,
    Setting,
    Vignette,
)
from workshops.results import FrameworkBoxes
from workshops.services import CODE_LENGTH, MAX_CHAINS

PRESENCE_CHOICES = [
    (0, _("0 · Not present")),
    (1, _("1 · A little present")),
    (2, _("2 · Present")),
    (3, _("3 · Strongly present")),
]
MAX_WORKSHOP_VIGNETTES = 6
OWN_TEXT_MIN_WORDS = 60
OWN_TEXT_MAX_WORDS = 400


def _clean_line(value: str) -> str:
    """One line of plain text: control and format characters dropped, spaces collapsed."""
    kept = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C")
    return re.sub(r"\s+", " ", kept).strip()


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Workshop code"),
        max_length=20,
        help_text=_("Six letters and numbers, shown on the screen."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    display_name = forms.CharField(
        label=_("Your name, as the room will see it"),
        max_length=DISPLAY_NAME_MAX,
        help_text=_(
            "Any name you like, up to %(max)d characters. In table mode, your table's name."
        )
        % {"max": DISPLAY_NAME_MAX},
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]+", "", self.cleaned_data["code"]).upper()
        if len(code) != CODE_LENGTH or not code.isalnum():
            raise ValidationError(_("A workshop code is six letters and numbers, like K7MP3Q."))
        return code

    def clean_display_name(self) -> str:
        name = _clean_line(self.cleaned_data["display_name"])
        if not name:
            raise ValidationError(_("Type a name the room can know you by."))
        return name


def _choices(entities: list[Any], blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((entity.key, entity.name) for entity in entities)]


class AnswerForm(forms.Form):
    """Ratings for each context, one to three chains and an optional line of reasoning."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    reasoning = forms.CharField(
        label=_("Why? (optional)"),
        max_length=REASONING_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, boxes: FrameworkBoxes, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.boxes = boxes
        for context in boxes.contexts:
            self.fields[f"rating_{context.key}"] = forms.TypedChoiceField(
                label=context.name,
                choices=PRESENCE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose how present %(name)s was.") % {"name": context.name}
                },
            )
        for index in range(1, MAX_CHAINS + 1):
            required = index == 1
            self.fields[f"chain{index}_context"] = forms.ChoiceField(
                label=_("Context"), choices=_choices(boxes.contexts, "—"), required=required
            )
            self.fields[f"chain{index}_mechanism"] = forms.ChoiceField(
                label=_("Mechanism"), choices=_choices(boxes.mechanisms, "—"), required=required
            )
            self.fields[f"chain{index}_domain"] = forms.ChoiceField(
                label=_("Outcome"), choices=_choices(boxes.domains, "—"), required=required
            )

    def rating_fields(self) -> list[forms.BoundField]:
        return [self[f"rating_{context.key}"] for context in self.boxes.contexts]

    def chain_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (index, [self[f"chain{index}_{part}"] for part in ("context", "mechanism", "domain")])
            for index in range(1, MAX_CHAINS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chains: list[tuple[str, str, str]] = []
        for index in range(1, MAX_CHAINS + 1):
            parts = [
                data.get(f"chain{index}_{part}") or ""
                for part in ("context", "mechanism", "domain")
            ]
            if not any(parts):
                continue
            if not all(parts):
                self.add_error(
                    f"chain{index}_context",
                    _("Chain %(n)d: choose a context, a mechanism and an outcome, or none.")
                    % {"n": index},
                )
                continue
            chains.append((parts[0], parts[1], parts[2]))
        data["chains"] = chains
        data["ratings"] = {
            context.key: data[f"rating_{context.key}"]
            for context in self.boxes.contexts
            if f"rating_{context.key}" in data
        }
        return data


class WorkshopForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    mode = forms.ChoiceField(
        label=_("How people answer"),
        choices=[
            ("individual", _("Each person on their own phone")),
            ("table", _("Tables of three to five, together on one device")),
        ],
        widget=forms.RadioSelect,
        initial="individual",
    )

    def __init__(self, *args: Any, vignettes: list[Vignette], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vignettes = {str(vignette.pk): vignette for vignette in vignettes}
        choices = [("", _("— none —")), *((str(v.pk), v.title) for v in vignettes)]
        for index in range(1, MAX_WORKSHOP_VIGNETTES + 1):
            self.fields[f"vignette_{index}"] = forms.ChoiceField(
                label=_("Vignette %(n)d") % {"n": index}, choices=choices, required=index == 1
            )

    def slot_fields(self) -> list[forms.BoundField]:
        return [self[f"vignette_{index}"] for index in range(1, MAX_WORKSHOP_VIGNETTES + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [data.get(f"vignette_{index}") for index in range(1, MAX_WORKSHOP_VIGNETTES + 1)]
        picked = [value for value in chosen if value]
        if len(picked) != len(set(picked)):
            raise ValidationError(_("Each vignette can appear only once in a workshop."))
        data["vignettes"] = [self.vignettes[value] for value in picked]
        return data


class VignetteForm(forms.Form):
    """A trainer's own vignette: the account, the intended mapping and the questions."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    setting = forms.ChoiceField(label=_("Setting"), choices=Setting.choices)
    text = forms.CharField(
        label=_("The account"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("A fictional session, %(min)d to %(max)d words. Never a real person.")
        % {"min": OWN_TEXT_MIN_WORDS, "max": OWN_TEXT_MAX_WORDS},
        max_length=4000,
    )
    went_wrong = forms.BooleanField(label=_("Something went wrong in this session"), required=False)
    questions = forms.CharField(
        label=_("Discussion questions, one a line (one to three)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=900,
    )

    def __init__(self, *args: Any, boxes: FrameworkBoxes, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.boxes = boxes
        self.fields["main_context"] = forms.ChoiceField(
            label=_("Main context"), choices=[(c.key, c.name) for c in boxes.contexts]
        )
        for context in boxes.contexts:
            self.fields[f"rating_{context.key}"] = forms.TypedChoiceField(
                label=context.name, choices=PRESENCE_CHOICES, coerce=int
            )
        for index in range(1, MAX_CHAINS + 1):
            required = index == 1
            self.fields[f"chain{index}_context"] = forms.ChoiceField(
                label=_("Context"), choices=_choices(boxes.contexts, "—"), required=required
            )
            self.fields[f"chain{index}_mechanism"] = forms.ChoiceField(
                label=_("Mechanism"), choices=_choices(boxes.mechanisms, "—"), required=required
            )
            self.fields[f"chain{index}_domain"] = forms.ChoiceField(
                label=_("Outcome"), choices=_choices(boxes.domains, "—"), required=required
            )
            self.fields[f"chain{index}_reason"] = forms.CharField(
                label=_("Why, in one line"), max_length=REASON_MAX, required=required
            )

    @classmethod
    def initial_from(cls, vignette: Vignette) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": vignette.title,
            "setting": vignette.setting,
            "text": vignette.text,
            "went_wrong": vignette.went_wrong,
            "questions": "\n".join(vignette.questions),
            "main_context": vignette.main_context,
        }
        for key, value in vignette.intended_ratings.items():
            initial[f"rating_{key}"] = value
        for index, chain in enumerate(vignette.intended_chains, start=1):
            for part in ("context", "mechanism", "domain", "reason"):
                initial[f"chain{index}_{part}"] = chain.get(part, "")
        return initial

    def rating_fields(self) -> list[forms.BoundField]:
        return [self[f"rating_{context.key}"] for context in self.boxes.contexts]

    def chain_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (
                index,
                [self[f"chain{index}_{p}"] for p in ("context", "mechanism", "domain", "reason")],
            )
            for index in range(1, MAX_CHAINS + 1)
        ]

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        words = len(text.split())
        if not OWN_TEXT_MIN_WORDS <= words <= OWN_TEXT_MAX_WORDS:
            raise ValidationError(
                _("The account has %(words)d words; write %(min)d to %(max)d.")
                % {"words": words, "min": OWN_TEXT_MIN_WORDS, "max": OWN_TEXT_MAX_WORDS}
            )
        return text

    def clean_questions(self) -> list[str]:
        lines = [_clean_line(line) for line in self.cleaned_data["questions"].splitlines()]
        questions = [line for line in lines if line]
        if not 1 <= len(questions) <= 3:
            raise ValidationError(_("Write one to three questions, one a line."))
        return questions

    def content(self) -> dict[str, Any]:
        """The vignette's content as services.vignette_save takes it."""
        data = self.cleaned_data
        chains = []
        for index in range(1, MAX_CHAINS + 1):
            parts = {
                p: data.get(f"chain{index}_{p}") or ""
                for p in ("context", "mechanism", "domain", "reason")
            }
            if all(parts.values()):
                chains.append(parts)
        return {
            "title": _clean_line(data["title"]),
            "setting": data["setting"],
            "main_context": data["main_context"],
            "text": data["text"],
            "tensions": [],
            "went_wrong": data["went_wrong"],
            "intended_ratings": {c.key: data[f"rating_{c.key}"] for c in self.boxes.contexts},
            "intended_chains": chains,
            "questions": data["questions"],
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index in range(1, MAX_CHAINS + 1):
            parts = [
                data.get(f"chain{index}_{p}") or ""
                for p in ("context", "mechanism", "domain", "reason")
            ]
            if any(parts) and not all(parts):
                self.add_error(
                    f"chain{index}_context",
                    _("Chain %(n)d: fill in all four parts, or none.") % {"n": index},
                )
        return data
