"""Sharing, feedback and the supervisor's dashboard.

Every view obtains its objects through `supervision.sharing.access` first (a 404 for anyone without a
right to them), validates input with a form and writes through `supervision.sharing.services`. Pages
holding reflection content are never cached. htmx requests get the partial they swap;
without JavaScript the same forms post and redirect back. Form errors re-render with 200, the
convention used across the site.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthedRequest
from reflections.models import Reflection
from reflections.reading import Reader, read_reflection
from supervision.models import Share
from supervision.sharing import access, selectors, services
from supervision.sharing.forms import CommentForm, ShareReflectionForm, ShareSelectionForm

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _next_url(request: AuthedRequest, default: str) -> str:
    """The page a form came from (a same-site path only), else `default`.

    Only an absolute path counts: `redirect()` treats a bare word such as "account_logout" as
    a URL name to resolve, and a word that names nothing raised NoReverseMatch after the
    form's write was already saved.
    """
    candidate = request.POST.get("next", "")
    if (
        candidate.startswith("/")
        and not candidate.startswith("//")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default


def _share_controls(
    request: AuthedRequest, reflection: Reflection, form: ShareReflectionForm | None = None
) -> HttpResponse:
    context = {
        "reflection": reflection,
        "share_state": selectors.share_state(reflection=reflection),
        "share_form": form,
        # The page the control sits on, not this endpoint, so a later post without
        # JavaScript still returns there.
        "share_next": request.htmx.current_url_abs_path or "",
    }
    return render(request, "supervision/partials/_share_controls.html", context)


def _thread_context(
    request: AuthedRequest, reflection: Reflection, form: CommentForm | None = None
) -> dict[str, Any]:
    feedback = selectors.feedback_thread(reflection=reflection, user=request.user)
    return {
        "reflection": reflection,
        "feedback": feedback,
        "comment_form": form,
        "comment_form_slot": feedback.slot_for(form.parent_id) if form is not None else None,
    }


# --------------------------------------------------------------------------------------------
# The worker: bring to supervision
# --------------------------------------------------------------------------------------------


def _share_form(request: AuthedRequest, data: Any = None) -> ShareSelectionForm:
    shareable = selectors.shareable_reflections(worker=request.user)
    return ShareSelectionForm(
        data,
        reflections=shareable,
        flagged=shareable.filter(bring_to_supervision=True),
        supervisors=selectors.current_supervisors(worker=request.user),
    )


def _share_page(
    request: AuthedRequest, form: ShareSelectionForm, page_number: str | None
) -> HttpResponse:
    page = selectors.share_page(worker=request.user, page_number=page_number)
    # Ticked boxes stay ticked when the form comes back with an error; before any post,
    # every current supervisor is ticked.
    selected = {str(value) for value in form["reflections"].value() or []}
    supervisors_ticked = (
        {str(value) for value in form["supervisors"].value() or []}
        if form.is_bound
        else {str(person.pk) for person in page.supervisors}
    )
    return render(
        request,
        "supervision/sharing/share.html",
        {
            "form": form,
            "share_page": page,
            "selected": selected,
            "supervisors_ticked": supervisors_ticked,
        },
    )


@require_GET
@login_required
@never_cache
def share(request: AuthedRequest) -> HttpResponse:
    """The worker's "Bring to supervision" page."""
    access.access_peer_worker(user=request.user)
    return _share_page(request, _share_form(request), request.GET.get("page"))


@require_POST
@login_required
def share_create(request: AuthedRequest) -> HttpResponse:
    """Share the selected reflections, or every flagged one, with the chosen supervisors."""
    access.access_peer_worker(user=request.user)
    form = _share_form(request, request.POST)
    if not form.is_valid():
        return _share_page(request, form, request.POST.get("page"))
    try:
        created = services.share_create(
            reflections=form.cleaned_data["reflections"],
            supervisors=form.cleaned_data["supervisors"],
            by=request.user,
            request=request,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _share_page(request, form, request.POST.get("page"))
    if created:
        count = len({share.reflection_id for share in created})
        messages.success(
            request,
            ngettext("Shared %(count)d reflection.", "Shared %(count)d reflections.", count)
            % {"count": count},
        )
    else:
        messages.info(request, _("Those reflections were already shared."))
    return redirect(_next_url(request, reverse("supervision:share")))


@require_GET
@login_required
@never_cache
@vary_on_headers("HX-Request")
def reflection_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    """Sharing and feedback on one of the author's own reflections.

    The reflection page (reflections) loads this panel with htmx, so reflections never
    imports supervision; without JavaScript its link opens the same panel as a page.
    """
    reflection = access.access_own_reflection_for_sharing(user=request.user, pk=pk)
    # The thread is shown to its author here, so its comments stop being new to them.
    services.comments_mark_seen(reflection=reflection, by=request.user)
    context = {
        **_thread_context(request, reflection),
        "share_state": selectors.share_state(reflection=reflection),
        # The page the panel sits on, so a later post without JavaScript returns there.
        "share_next": (request.htmx.current_url_abs_path if request.htmx else None)
        or request.get_full_path(),
    }
    if request.htmx:
        return render(request, "supervision/partials/_reflection_panel.html", context)
    return render(request, "supervision/sharing/panel.html", context)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def reflection_share(request: AuthedRequest, pk: int) -> HttpResponse:
    """Share one reflection from its own page (the share control)."""
    reflection = access.access_own_reflection_for_sharing(user=request.user, pk=pk)
    supervisors = selectors.current_supervisors(worker=request.user)
    form = ShareReflectionForm(request.POST, supervisors=supervisors)
    if form.is_valid():
        try:
            services.share_create(
                reflections=[reflection],
                supervisors=form.cleaned_data["supervisors"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
    if request.htmx:
        return _share_controls(request, reflection, form if form.errors else None)
    if form.errors:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    else:
        messages.success(request, _("Shared with your supervisor."))
    return redirect(_next_url(request, reverse("supervision:share")))


@require_POST
@login_required
@vary_on_headers("HX-Request")
def share_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    """Withdraw a share: the supervisor cannot open the reflection any more."""
    share_obj: Share = access.access_own_share(user=request.user, pk=pk)
    services.share_withdraw(share=share_obj, by=request.user, request=request)
    if request.htmx:
        return _share_controls(request, share_obj.reflection)
    messages.success(
        request,
        _("Withdrawn: %(name)s can no longer see it.")
        % {"name": share_obj.supervisor.get_display_name()},
    )
    return redirect(_next_url(request, reverse("supervision:share")))


# --------------------------------------------------------------------------------------------
# The supervisor: dashboard, supervisee, reading a shared reflection
# --------------------------------------------------------------------------------------------


@require_GET
@login_required
@never_cache
def dashboard(request: AuthedRequest) -> HttpResponse:
    """The supervisor's current supervisees, what they shared and their open actions."""
    supervisor = access.access_supervisor(user=request.user)
    summaries = selectors.supervisor_dashboard(supervisor=supervisor)
    services.reflections_shown_record(
        viewer=request.user,
        shown=[
            services.Shown(
                worker=summary.worker,
                organisation=summary.link.organisation,
                reflection_ids=summary.reflection_ids_shown,
            )
            for summary in summaries
        ],
        page="dashboard",
        request=request,
    )
    return render(request, "supervision/dashboard.html", {"summaries": summaries})


@require_GET
@login_required
@never_cache
def worker(request: AuthedRequest, user_id: int) -> HttpResponse:
    """One supervisee: their open shares, open actions and practice at a glance."""
    link = access.access_supervisee(user=request.user, user_id=user_id)
    summary = selectors.supervisee_summary(link=link)
    services.reflections_shown_record(
        viewer=request.user,
        shown=[
            services.Shown(
                worker=link.worker,
                organisation=link.organisation,
                reflection_ids=summary.reflection_ids_shown,
            )
        ],
        page="supervisee",
        request=request,
    )
    return render(request, "supervision/sharing/worker.html", {"summary": summary})


@require_GET
@login_required
@never_cache
def reflection(request: AuthedRequest, pk: int) -> HttpResponse:
    """The supervisor reads a reflection shared with them; every read is audited."""
    shared = access.access_shared_reflection(user=request.user, pk=pk)
    share_obj = access.access_open_share(user=request.user, reflection=shared)
    services.reflection_view_record(reflection=shared, viewer=request.user, request=request)
    services.share_mark_opened(share=share_obj, by=request.user)
    reading = read_reflection(reflection=shared, reader=Reader.AS_SHARED)
    context = {
        **_thread_context(request, shared),
        "share": share_obj,
        "content": reading.content,
    }
    return render(request, "supervision/sharing/reflection.html", context)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def discussed(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark a shared reflection as discussed in supervision, or (discussed=0) undo that."""
    shared = access.access_shared_reflection(user=request.user, pk=pk)
    share_obj = access.access_open_share(user=request.user, reflection=shared)
    discussed = request.POST.get("discussed", "1") != "0"
    share_obj = services.share_mark_discussed(share=share_obj, by=request.user, discussed=discussed)
    if request.htmx:
        return render(
            request,
            "supervision/partials/_share_discussed.html",
            {"share": share_obj, "reflection": shared},
        )
    messages.success(
        request, _("Marked as discussed.") if discussed else _("Marked as not yet discussed.")
    )
    return redirect("supervision:reflection", pk=shared.pk)


# --------------------------------------------------------------------------------------------
# Feedback: both people
# --------------------------------------------------------------------------------------------


@require_POST
@login_required
@vary_on_headers("HX-Request")
def comment_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Post a comment or a reply on a shared reflection (its author or its supervisor)."""
    target = access.access_reflection_for_feedback(user=request.user, pk=pk)
    form = CommentForm(request.POST, reflection=target)
    if form.is_valid():
        try:
            services.comment_create(
                reflection=target,
                author=request.user,
                body=form.cleaned_data["body"],
                parent=form.cleaned_data["parent"],
            )
        except ValidationError as error:
            form.add_error(None, error)
    if form.is_valid():
        # An author replying sees the whole thread again, others' latest comments included.
        services.comments_mark_seen(reflection=target, by=request.user)
        if request.htmx:
            return render(
                request,
                "supervision/partials/_comment_thread.html",
                _thread_context(request, target),
            )
        messages.success(request, _("Comment sent."))
        return redirect(f"{_thread_page_url(request, target)}#comments")
    context = _thread_context(request, target, form)
    if request.htmx:
        return render(request, "supervision/partials/_comment_thread.html", context)
    context["back_url"] = _thread_page_url(request, target)
    return render(request, "supervision/sharing/comment_errors.html", context)


def _thread_page_url(request: AuthedRequest, target: Reflection) -> str:
    """Where each party reads the thread: the author on their panel, a supervisor on their page."""
    if target.author_id == request.user.pk:
        return reverse("supervision:reflection_panel", kwargs={"pk": target.pk})
    return reverse("supervision:reflection", kwargs={"pk": target.pk})
