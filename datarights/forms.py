"""Forms for data rights. They validate only; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from datarights.importer import MAX_UPLOAD_BYTES


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
        password = self.cleaned_data["password"]
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
