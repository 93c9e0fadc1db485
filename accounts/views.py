"""Organisation admin pages, invitation links and each person's own audit page.

Every view gets its objects from `accounts.access` first (a 404 for anyone without a right to
them), validates input with a form and writes through `accounts.services`. A service's
ValidationError goes back onto the form, so what was typed stays on the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access, selectors, services
from accounts.forms import (
    AuditFilterForm,
    InvitationAcceptForm,
    InvitationForm,
    OrganisationSettingsForm,
    RolesForm,
    SupervisionLinkForm,
)
from accounts.http import AuthedRequest
from accounts.models import Invitation, Membership, Organisation, User

AUDIT_PAGE_SIZE = 25
PAST_LINKS_PAGE_SIZE = 25


def _page(request: HttpRequest, items: QuerySet[Any], size: int) -> Page[Any]:
    return Paginator(items, size).get_page(request.GET.get("page"))


def _flash_error(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _admin_context(organisation: Organisation, section: str, **extra: Any) -> dict[str, Any]:
    return {"organisation": organisation, "section": section, **extra}


# Members


@require_GET
@login_required
def members(request: AuthedRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_for_admin(user=request.user, slug=slug)
    context = _admin_context(
        organisation,
        "members",
        memberships=selectors.organisation_members(organisation),
        pending_count=selectors.organisation_invitations_pending(organisation).count(),
    )
    return render(request, "accounts/organisation/members.html", context)


def _member_page(
    request: AuthedRequest, membership: Membership, roles_form: RolesForm | None = None
) -> HttpResponse:
    context = _admin_context(
        membership.organisation,
        "members",
        membership=membership,
        member=membership.user,
        roles_form=roles_form or RolesForm(initial={"roles": membership.roles}),
        links=selectors.member_links(membership),
    )
    return render(request, "accounts/organisation/member.html", context)


@require_GET
@login_required
def member(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    membership = access.access_membership_for_admin(user=request.user, slug=slug, pk=pk)
    return _member_page(request, membership)


@require_POST
@login_required
def member_roles(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    membership = access.access_membership_for_admin(user=request.user, slug=slug, pk=pk)
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            services.membership_update_roles(
                membership=membership,
                roles=form.cleaned_data["roles"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Roles saved for %(name)s.") % {"name": membership.user})
            return redirect("accounts:member", slug=slug, pk=pk)
    membership.refresh_from_db()
    return _member_page(request, membership, form)


@require_POST
@login_required
def member_deactivate(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    membership = access.access_membership_for_admin(user=request.user, slug=slug, pk=pk)
    try:
        services.membership_deactivate(membership=membership, by=request.user, request=request)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(
            request,
            _("%(name)s is deactivated: their access has ended and their data is kept.")
            % {"name": membership.user},
        )
    return redirect("accounts:member", slug=slug, pk=pk)


@require_POST
@login_required
def member_reactivate(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    membership = access.access_membership_for_admin(user=request.user, slug=slug, pk=pk)
    try:
        services.membership_reactivate(membership=membership, by=request.user, request=request)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, _("%(name)s is active again.") % {"name": membership.user})
    return redirect("accounts:member", slug=slug, pk=pk)


# Invitations


@require_http_methods(["GET", "POST"])
@login_required
def invitations(request: AuthedRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_for_admin(user=request.user, slug=slug)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_send(
                organisation=organisation,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                by=request.user,
                # The configured address, never the Host header the request came with.
                site_root=settings.SITE_URL.rstrip("/") + "/",
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("accounts:invitations", slug=slug)
    context = _admin_context(
        organisation,
        "invitations",
        form=form,
        pending=selectors.organisation_invitations_pending(organisation),
        closed=selectors.organisation_invitations_closed(organisation),
    )
    return render(request, "accounts/organisation/invitations.html", context)


@require_POST
@login_required
def invitation_revoke(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    invitation = access.access_invitation_for_admin(user=request.user, slug=slug, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user, request=request)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is revoked; its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("accounts:invitations", slug=slug)


def _invitation_gone(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    return render(
        request,
        "accounts/invitation_unavailable.html",
        {"invitation": invitation, "status": invitation.status},
        status=410,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page the invitation e-mail links to; open to anyone holding the link."""
    invitation = access.access_invitation_by_token(token=token)
    if not invitation.is_pending:
        return _invitation_gone(request, invitation)
    context: dict[str, Any] = {"invitation": invitation, "organisation": invitation.organisation}
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        if user.email.casefold() != invitation.email.casefold():
            return render(request, "accounts/invitation_signed_in.html", context)
        if request.method == "POST":
            try:
                services.invitation_accept_existing(
                    invitation=invitation, user=user, request=request
                )
            except ValidationError as error:
                context["errors"] = error.messages
            else:
                messages.success(
                    request,
                    _("You have joined %(organisation)s.")
                    % {"organisation": invitation.organisation},
                )
                return redirect("home")
        return render(request, "accounts/invitation_join.html", context)
    if selectors.user_by_email(invitation.email) is not None:
        context["login_url"] = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return render(request, "accounts/invitation_sign_in_first.html", context)
    form = InvitationAcceptForm(
        request.POST if request.method == "POST" else None, email=invitation.email
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
                request=request,
            )
        except ValidationError as error:
            if not Invitation.objects.pending().filter(pk=invitation.pk).exists():
                invitation.refresh_from_db()
                return _invitation_gone(request, invitation)
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your account is ready. Sign in with your user name and new password."),
            )
            return redirect("account_login")
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context)


# Supervision links


@require_http_methods(["GET", "POST"])
@login_required
def supervision(request: AuthedRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_for_admin(user=request.user, slug=slug)
    form = SupervisionLinkForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            link = services.supervision_link_create(
                organisation=organisation,
                supervisor=form.cleaned_data["supervisor"],
                worker=form.cleaned_data["worker"],
                starts_on=form.cleaned_data["starts_on"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(supervisor)s now supervises %(worker)s.")
                % {"supervisor": link.supervisor, "worker": link.worker},
            )
            return redirect("accounts:supervision", slug=slug)
    context = _admin_context(
        organisation,
        "supervision",
        form=form,
        current=selectors.organisation_links_current(organisation),
        past=_page(request, selectors.organisation_links_past(organisation), PAST_LINKS_PAGE_SIZE),
    )
    return render(request, "accounts/organisation/supervision.html", context)


@require_POST
@login_required
def supervision_end(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    link = access.access_supervision_link_for_admin(user=request.user, slug=slug, pk=pk)
    try:
        services.supervision_link_end(link=link, by=request.user, request=request)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(
            request,
            _("%(supervisor)s no longer supervises %(worker)s.")
            % {"supervisor": link.supervisor, "worker": link.worker},
        )
    return redirect("accounts:supervision", slug=slug)


# Settings and audit trail


@require_http_methods(["GET", "POST"])
@login_required
def organisation_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_for_admin(user=request.user, slug=slug)
    initial = {"requires_two_factor": organisation.requires_two_factor}
    form = OrganisationSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        services.organisation_update_settings(
            organisation=organisation,
            requires_two_factor=form.cleaned_data["requires_two_factor"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("Settings saved."))
        return redirect("accounts:organisation_settings", slug=slug)
    context = _admin_context(organisation, "settings", form=form)
    return render(request, "accounts/organisation/settings.html", context)


@require_GET
@login_required
def organisation_audit(request: AuthedRequest, slug: str) -> HttpResponse:
    organisation = access.access_organisation_for_admin(user=request.user, slug=slug)
    form = AuditFilterForm(request.GET, organisation=organisation)
    page = None
    if form.is_valid():
        events = selectors.organisation_audit_events(
            organisation,
            action=form.cleaned_data["action"] or None,
            person=form.cleaned_data["person"],
        )
        page = _page(request, events, AUDIT_PAGE_SIZE)
    filters = request.GET.copy()
    filters.pop("page", None)
    context = _admin_context(
        organisation, "audit", form=form, page=page, filter_query=filters.urlencode()
    )
    return render(request, "accounts/organisation/audit.html", context)


@require_GET
@login_required
def my_audit(request: AuthedRequest) -> HttpResponse:
    page = _page(request, selectors.audit_events_about(request.user), AUDIT_PAGE_SIZE)
    return render(request, "accounts/my_audit.html", {"page": page})
