"""Forms for data rights. They validate only; services do the work."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from datarights.importer import MAX_UPLOAD_BYTES
from datarights.models import RetentionPolicy

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


class EraseMemberForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you understand.")},
    )


class EraseSelfForm(EraseMemberForm):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."), code="wrong")
        return password


class ImportForm(forms.Form):
    archive = forms.FileField(
        label=_("Your export ZIP"),
        help_text=_("The file APPEAR Reflect gave you when you exported your data."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation to bring your reflections into"),
        queryset=Organisation.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])

    def clean_archive(self) -> Any:
        archive = self.cleaned_data["archive"]
        if archive.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("This file is larger than any export (at most %(size)s MB).")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return archive


def _days(
    label: StrOrPromise, *, minimum: int = RetentionPolicy.MINIMUM_DAYS
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=RetentionPolicy.MAXIMUM_DAYS,
        error_messages={
            "min_value": _("Keep it for at least %(limit_value)s days."),
            "max_value": _("At most %(limit_value)s days."),
            "invalid": _("Enter a number of days, such as 2190 for six years."),
            "required": _("Enter a number of days."),
        },
    )


class RetentionForm(forms.ModelForm):
    reflection_days = _days(_("Keep submitted reflections for (days after submission)"))
    record_days = _days(_("Keep supervision records for (days after the meeting)"))
    audit_days = _days(
        _("Keep audit events for (days)"), minimum=RetentionPolicy.AUDIT_MINIMUM_DAYS
    )

    class Meta:
        model = RetentionPolicy
        fields = ["reflection_days", "record_days", "audit_days"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audit_days"].help_text = _(
            "At least %(days)s days (two years): the audit trail must outlive any question "
            "about who saw what."
        ) % {"days": RetentionPolicy.AUDIT_MINIMUM_DAYS}
