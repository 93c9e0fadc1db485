"""Forms for sharing and feedback. They validate and normalise; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.bounds import BoundedModelMultipleChoiceField
from accounts.models import User
from reflections.models import Reflection
from supervision.access import comment_in_thread
from supervision.models import Comment
from supervision.services import COMMENT_MAX_LENGTH


class SupervisorChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_display_name())


class ShareSelectionForm(forms.Form):
    """The "Bring to supervision" page: chosen reflections, or every flagged one, to whom."""

    SELECTED = "selected"
    FLAGGED = "flagged"

    scope = forms.ChoiceField(
        choices=[
            (SELECTED, _("Share the selected reflections")),
            (FLAGGED, _("Share all flagged")),
        ],
        initial=SELECTED,
    )
    reflections = BoundedModelMultipleChoiceField(
        label=_("Reflections to share"),
        queryset=Reflection.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    supervisors = SupervisorChoiceField(
        label=_("Share with"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose who to share with.")},
    )

    def __init__(
        self,
        *args: Any,
        reflections: QuerySet[Reflection],
        flagged: QuerySet[Reflection],
        supervisors: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.flagged = flagged
        self.fields["reflections"].queryset = reflections  # type: ignore[attr-defined]
        self.fields["supervisors"].queryset = supervisors  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        scope = cleaned.get("scope")
        if scope == self.FLAGGED:
            chosen = list(self.flagged)
            if not chosen:
                raise forms.ValidationError(
                    _("None of your submitted reflections is flagged “bring to supervision”.")
                )
            cleaned["reflections"] = chosen
        elif (
            scope == self.SELECTED
            and not cleaned.get("reflections")
            and "reflections" not in self.errors
        ):
            self.add_error("reflections", _("Choose at least one reflection to share."))
        return cleaned


class ShareReflectionForm(forms.Form):
    """The share control on one reflection's page: which current supervisors to share it with."""

    supervisors = SupervisorChoiceField(
        label=_("Share with"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose who to share with.")},
    )

    def __init__(self, *args: Any, supervisors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = supervisors  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    """A comment or a reply on a shared reflection, as plain text."""

    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a comment before sending it.")},
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, reflection: Reflection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reflection = reflection

    def clean_parent(self) -> Comment | None:
        pk = self.cleaned_data.get("parent")
        if pk is None:
            return None
        parent = comment_in_thread(reflection=self.reflection, pk=pk)
        if parent is None:
            raise forms.ValidationError(_("That comment is not part of this thread."))
        return parent

    @property
    def parent_id(self) -> int | None:
        """The comment this form replies to as sent, even when it did not validate."""
        raw = self.data.get(self.add_prefix("parent")) if self.is_bound else None
        try:
            return int(raw) if raw else None
        except (TypeError, ValueError):
            return None
