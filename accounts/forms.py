"""Forms for organisation admin pages, invitations and the audit trail filters.

Forms check the shape of what was typed; the services check the rules and raise errors keyed by
these same field names, so a view can hand a service's ValidationError back to its form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.bounds import BoundedModelChoiceField
from accounts.models import AuditEvent, Membership, Organisation, User

ROLE_HELP = _(
    "Peer workers write reflections; supervisors read what their workers share with them; "
    "trainers use the framework with groups; organisation admins manage these pages."
)


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Roles"))
        kwargs.setdefault("help_text", ROLE_HELP)
        kwargs.setdefault("error_messages", {"required": _("Choose at least one role.")})
        super().__init__(choices=Membership.Role.choices, **kwargs)


class RolesForm(forms.Form):
    roles = RolesField()


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The person receives a link that works once and expires."),
    )
    roles = RolesField()


class InvitationAcceptForm(forms.Form):
    """The new account's user name, shown name and password; the e-mail comes from the link."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_(
            "You sign in with this or your e-mail address. Letters, digits and @ . + - _ only."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        label=_("Your name as colleagues see it"),
        max_length=150,
        required=False,
        help_text=_("Optional. For example your first name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        help_text=password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if selectors.username_taken(username):
            raise forms.ValidationError(_("That user name is taken; choose another."))
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        confirm = cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("The two passwords differ."))
        elif password:
            candidate = User(
                username=cleaned.get("username", ""),
                email=self.email,
                display_name=cleaned.get("display_name", ""),
            )
            try:
                validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class SupervisionLinkForm(forms.Form):
    supervisor = BoundedModelChoiceField(
        label=_("Supervisor"),
        queryset=User.objects.none(),
        empty_label=_("Choose a supervisor"),
    )
    worker = BoundedModelChoiceField(
        label=_("Peer worker"),
        queryset=User.objects.none(),
        empty_label=_("Choose a peer worker"),
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        help_text=_("The supervisor can see what the peer worker shares from this day on."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        role = Membership.Role
        supervisors = selectors.organisation_role_holders(organisation, role.SUPERVISOR)
        workers = selectors.organisation_role_holders(organisation, role.PEER_WORKER)
        self.fields["supervisor"].queryset = supervisors  # type: ignore[attr-defined]
        self.fields["worker"].queryset = workers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        supervisor, worker = cleaned.get("supervisor"), cleaned.get("worker")
        if supervisor is not None and supervisor == worker:
            self.add_error("worker", _("A person cannot supervise themselves."))
        return cleaned


class OrganisationSettingsForm(forms.Form):
    requires_two_factor = forms.BooleanField(
        label=_("Require two-factor sign-in for supervisors and organisation admins"),
        required=False,
        help_text=_(
            "Supervisors read other people's reflections and admins manage accounts, so a "
            "stolen password alone should not be enough. They are asked to set up an "
            "authenticator app at their next sign-in."
        ),
    )


class AuditFilterForm(forms.Form):
    """Filters for an organisation's audit trail, read from the query string."""

    action = forms.ChoiceField(
        label=_("What happened"),
        required=False,
        choices=[("", _("Everything")), *AuditEvent.Action.choices],
    )
    person = BoundedModelChoiceField(
        label=_("Person"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Everyone"),
        help_text=_("Events the person did, and events about them."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.organisation_people(organisation)  # type: ignore[attr-defined]
