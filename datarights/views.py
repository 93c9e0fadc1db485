"""Data-rights pages: a person's export, import and erasure; the admin's failed tasks.

Thin views: objects through datarights.access (or accounts.access for admin pages), writes
through datarights.services, reads through datarights.selectors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts import access as account_access
from accounts.http import AuthedRequest
from accounts.middleware import polling_view
from datarights import erasure, importer, retention, selectors, services
from datarights.access import access_export
from datarights.forms import EraseMemberForm, EraseSelfForm, ImportForm, RetentionForm
from reflections.access import organisations_to_write_in

STATUS_PARTIAL = "datarights/partials/_export_status.html"
FAILED_PAGE_SIZE = 25


@require_GET
@login_required
@never_cache
def export_page(request: AuthedRequest) -> HttpResponse:
    latest = selectors.latest_export(user=request.user)
    return render(request, "datarights/export.html", {"export": latest})


@require_POST
@login_required
def export_create(request: AuthedRequest) -> HttpResponse:
    services.export_request(user=request.user, request=request)
    messages.success(
        request,
        _(
            "Your export is being made. This page shows how far it has got, and you will get "
            "an e-mail when it is ready."
        ),
    )
    return redirect(reverse("datarights:export"))


@require_GET
@login_required
@never_cache
@vary_on_headers("HX-Request")
@polling_view
def export_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress of one export: the partial for htmx polling, else the whole page."""
    item = access_export(user=request.user, pk=pk)
    if request.htmx:
        return render(request, STATUS_PARTIAL, {"export": item})
    return redirect(reverse("datarights:export"))


@require_POST
@login_required
def export_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    item = access_export(user=request.user, pk=pk)
    try:
        path = services.export_hand_over(item=item, by=request.user, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(reverse("datarights:export"))
    # The file is opened, then removed at once (the open handle still reads it), and streamed:
    # the link works once, and a large ZIP is never held in memory whole.
    handle = path.open("rb")
    services.export_discard_file(item=item)
    filename = f"appear-reflect-export-{item.requested_at:%Y-%m-%d}.zip"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def failed_tasks(request: AuthedRequest, slug: str) -> HttpResponse:
    organisation = account_access.access_organisation_for_admin(user=request.user, slug=slug)
    page = Paginator(
        selectors.organisation_failed_tasks(organisation_id=organisation.pk), FAILED_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "datarights/failed_tasks.html",
        {"organisation": organisation, "section": "failed_tasks", "page": page},
    )


# Erasure


@require_http_methods(["GET", "POST"])
@login_required
def erase(request: AuthedRequest) -> HttpResponse:
    """The person's own erasure: what will happen, then their password to confirm."""
    form = EraseSelfForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.erasure_request(user=request.user, by=request.user, request=request)
        logout(request)
        messages.success(
            request,
            _("Your account is being erased. You have been signed out; this takes a minute."),
        )
        return redirect(reverse("home"))
    plan = erasure.erasure_plan(user=request.user)
    return render(request, "datarights/erase.html", {"form": form, "plan": plan})


@require_http_methods(["GET", "POST"])
@login_required
def member_erase(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """An organisation admin erases a leaving member, after seeing what will happen."""
    membership = account_access.access_membership_for_admin(user=request.user, slug=slug, pk=pk)
    if membership.user_id == request.user.pk:
        raise Http404
    form = EraseMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erasure_request(
                user=membership.user,
                by=request.user,
                organisation=membership.organisation,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s's account is being erased.")
                % {"name": membership.user.get_display_name()},
            )
            return redirect(reverse("accounts:members", kwargs={"slug": slug}))
    context = {
        "organisation": membership.organisation,
        "section": "members",
        "membership": membership,
        "member": membership.user,
        "form": form,
        "plan": erasure.erasure_plan(user=membership.user),
    }
    return render(request, "datarights/member_erase.html", context)


# Import


@require_http_methods(["GET", "POST"])
@login_required
def import_page(request: AuthedRequest) -> HttpResponse:
    """Bring an export ZIP from another organisation in, as the worker's own private reflections."""
    organisations = organisations_to_write_in(user=request.user)
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and organisations and form.is_valid():
        try:
            record = importer.import_upload(
                upload=form.cleaned_data["archive"],
                user=request.user,
                organisation=form.cleaned_data["organisation"],
            )
        except importer.ImportRefused as refusal:
            form.add_error("archive", str(refusal))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s reflection was imported. It is yours alone: nobody else sees it.",
                    "%(count)s reflections were imported. They are yours alone: nobody else "
                    "sees them.",
                    record.reflections,
                )
                % {"count": record.reflections},
            )
            return redirect(reverse("reflections:list"))
    context = {
        "form": form,
        "organisations": organisations,
        "imports": selectors.imports_of(user=request.user),
    }
    return render(request, "datarights/import.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def retention_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    """How long the organisation keeps each kind of material, set by its admin."""
    organisation = account_access.access_organisation_for_admin(user=request.user, slug=slug)
    policy = retention.policy_for(organisation)
    form = RetentionForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        services.retention_update(
            organisation=organisation, by=request.user, values=form.cleaned_data, request=request
        )
        messages.success(request, _("Retention periods saved."))
        return redirect(reverse("datarights:retention", kwargs={"slug": slug}))
    context = {"organisation": organisation, "section": "retention", "form": form}
    return render(request, "datarights/retention.html", context)
