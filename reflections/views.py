"""Writing and reading one reflection: the guided steps, autosave, submit, amend, delete.

Every step is a real form that POSTs to its own URL and redirects to the next step, so the
flow works without JavaScript. With htmx the form swaps only the step region (`#flow`), the
response being the partial alone, and the URL follows. A step's save names the revision the
page was loaded at; a newer save from another tab is shown side by side, never overwritten.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Textarea
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import AuthedRequest, HtmxHttpRequest
from accounts.models import Organisation
from framework.selectors import current_version
from reflections import services, steps
from reflections.access import (
    Purpose,
    ReflectionStateError,
    access_reflection,
    organisations_to_write_in,
)
from reflections.flow_selectors import (
    chain_choices,
    reflection_rows,
    snapshot_for_display,
    unfinished_chains,
    version_contexts,
    version_domains,
)
from reflections.forms import (
    ACTION_FIELDS,
    CHAIN_FIELDS,
    ChainForm,
    ChainsBundle,
    ContextsBundle,
    NextStepsBundle,
    OutcomesBundle,
    QuickForm,
    SessionBundle,
    StepBundle,
    StoryBundle,
    UnintendedBundle,
    rearranged_rows,
    show_kept_answers,
    typed_but_invalid,
)
from reflections.models import Reflection, ReflectionRevision
from reflections.reading import Reader, read_reflection
from reflections.services import QUICK_FIELDS
from reflections.steps import Step

SEE_OTHER = 303


def _step_or_404(value: str) -> Step:
    try:
        return Step(value)
    except ValueError as error:
        raise Http404 from error


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bundle(
    step: Step,
    reflection: Reflection,
    data: Any = None,
    *,
    rows: list[dict[str, Any]] | None = None,
    fields: dict[str, Any] | None = None,
) -> StepBundle:
    """The step's forms, built from the reflection's own framework version."""
    version = reflection.framework_version
    if data is None:
        reflection = reflection_rows(reflection=reflection, step=step)
    if step is Step.SESSION:
        return SessionBundle(reflection=reflection, data=data)
    if step is Step.STORY:
        return StoryBundle(reflection=reflection, data=data)
    if step is Step.CONTEXTS:
        return ContextsBundle(
            reflection=reflection, contexts=version_contexts(version=version), data=data
        )
    if step is Step.CHAINS:
        return ChainsBundle(
            reflection=reflection,
            choices=chain_choices(version=version),
            data=data,
            rows=rows,
            options_url=reverse("reflections:chain_options", kwargs={"pk": reflection.pk}),
        )
    if step is Step.OUTCOMES:
        return OutcomesBundle(
            reflection=reflection, domains=version_domains(version=version), data=data
        )
    if step is Step.UNINTENDED:
        return UnintendedBundle(reflection=reflection, data=data)
    return NextStepsBundle(reflection=reflection, data=data, rows=rows, fields=fields)


def _step_url(reflection: Reflection, step: str) -> str:
    if step == steps.CHECK:
        return reverse("reflections:check", kwargs={"pk": reflection.pk})
    return reverse("reflections:step", kwargs={"pk": reflection.pk, "step": step})


def _progress(reflection: Reflection, current: str) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "number": steps.number(key),
            "title": steps.TITLES[key],
            "url": _step_url(reflection, key),
            "current": key == current,
        }
        for key in [*steps.ORDER, steps.CHECK]
    ]


def _flow_context(reflection: Reflection, current: str) -> dict[str, Any]:
    return {
        "reflection": reflection,
        "step": current,
        "step_number": steps.number(current),
        "step_count": steps.STEP_COUNT,
        "step_title": steps.TITLES[current],
        "progress": _progress(reflection, current),
    }


def _differences(mine: StepBundle, theirs: StepBundle) -> list[dict[str, str]]:
    """The answers that differ between this page's copy and the one saved elsewhere."""
    theirs_items = dict(theirs.describe())
    mine_items = dict(mine.describe())
    labels = list(dict.fromkeys([*mine_items, *theirs_items]))
    return [
        {"label": label, "theirs": theirs_items.get(label, ""), "mine": mine_items.get(label, "")}
        for label in labels
        if theirs_items.get(label, "") != mine_items.get(label, "")
    ]


def _watch_privacy(reflection: Reflection, forms: Any) -> None:
    """Have every free-text answer of `forms` checked for identifying details as it is typed.

    htmx posts the answer (the form's values, never the URL) to the same server check that
    runs before submitting, 1.5 s after the typing stops, and shows what it finds below it.
    """
    url = reverse("reflections:privacy_live", kwargs={"pk": reflection.pk})
    for form in forms:
        for name, field in form.fields.items():
            if not isinstance(field.widget, Textarea):
                continue
            field.privacy_live = True
            field.widget.attrs.update(
                {
                    "data-hx-post": url,
                    "data-hx-trigger": "input changed delay:1500ms",
                    "data-hx-target": f"#{form[name].auto_id}-privacy",
                    "data-hx-swap": "innerHTML",
                    "data-hx-push-url": "false",
                    "data-privacy-live": "",
                }
            )


def _render_step(
    request: AuthedRequest,
    reflection: Reflection,
    bundle: StepBundle,
    *,
    conflict: list[dict[str, str]] | None = None,
    errors: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    step = bundle.step
    _watch_privacy(reflection, bundle.forms)
    context = {
        **_flow_context(reflection, step),
        "bundle": bundle,
        "step_template": f"reflections/flow/steps/_{step}.html",
        "action_url": _step_url(reflection, step),
        "autosave_url": reverse("reflections:autosave", kwargs={"pk": reflection.pk, "step": step}),
        "previous": steps.preceding(step),
        "revision": reflection.revision,
        "conflict": conflict,
        "errors": errors
        if errors is not None
        else (bundle.error_summary() if bundle.is_bound or bundle.shows_kept_answers else []),
    }
    if step is Step.CONTEXTS:
        context["context_forms"] = getattr(bundle, "context_forms", [])
    template = "reflections/partials/_flow.html" if request.htmx else "reflections/flow/step.html"
    response = render(request, template, context)
    if request.htmx and request.method == "POST":
        # A re-rendered step stays at the same address: no new history entry.
        response["HX-Push-Url"] = "false"
    return response


def _leave_flow(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Go to a page outside the step region: a full page load, also under htmx."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _not_editable(request: AuthedRequest, reflection: Reflection) -> HttpResponse:
    messages.info(
        request,
        _("This reflection has been submitted. To change it, choose “Amend this reflection”."),
    )
    return _leave_flow(request, reflection.get_absolute_url())


@require_http_methods(["GET", "POST"])
@login_required
def start(request: AuthedRequest) -> HttpResponse:
    """Start a reflection: in the worker's organisation, or the one they choose."""
    organisations = organisations_to_write_in(user=request.user)
    if not organisations:
        return render(request, "reflections/flow/not_peer_worker.html", status=403)
    if current_version() is None:
        return render(request, "framework/not_loaded.html", status=503)
    error = ""
    # "quick": the one-page quick reflection; anything else, the full steps.
    path = "quick" if request.POST.get("path") == "quick" else "steps"
    if request.method == "POST":
        chosen: Organisation | None = organisations[0] if len(organisations) == 1 else None
        if len(organisations) > 1:
            wanted = _int(request.POST.get("organisation"))
            chosen = next((o for o in organisations if o.pk == wanted), None)
        if chosen is None:
            error = _("Choose the organisation this session was for.")
        else:
            reflection = services.reflection_start(by=request.user, organisation=chosen)
            if path == "quick":
                url = reverse("reflections:quick", kwargs={"pk": reflection.pk})
            else:
                url = _step_url(reflection, Step.SESSION)
            return HttpResponseRedirect(url, status=SEE_OTHER)
    drafts = Reflection.objects.filter(
        author=request.user,
        status=Reflection.Status.DRAFT,
        organisation__in=organisations,
    ).order_by("-updated_at")[:5]
    return render(
        request,
        "reflections/flow/start.html",
        {"organisations": organisations, "drafts": drafts, "error": error, "path": path},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """One step of the guided reflection: show it, or save it and go on."""
    current = _step_or_404(step)
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.EDIT)
    except ReflectionStateError as error:
        return _not_editable(request, error.reflection)
    if request.method == "GET":
        return _render_step(request, reflection, _bundle(current, reflection))

    data = request.POST
    go = data.get("go", "next")
    if current in (Step.CHAINS, Step.NEXT_STEPS) and (
        go in ("add", "suggest") or go.startswith("remove-")
    ):
        return _render_step(request, reflection, _rearranged(current, reflection, data, go))

    bundle = _bundle(current, reflection, data)
    if _int(data.get("revision")) != reflection.revision:
        conflict = _differences(bundle, _bundle(current, reflection))
        return _render_step(request, reflection, bundle, conflict=conflict)
    # Finishing later leaves even with an answer that is not valid yet: the valid answers
    # are saved and the others kept as typed, to come back with their messages.
    values = bundle.values() if bundle.is_valid() else (bundle.salvage() if go == "later" else None)
    if values is None:
        return _render_step(request, reflection, bundle)
    try:
        services.reflection_save_step(
            reflection=reflection,
            by=request.user,
            step=current,
            values=values,
            revision=reflection.revision,
        )
    except services.ConflictError as error:
        conflict = _differences(bundle, _bundle(current, error.server))
        return _render_step(request, error.server, bundle, conflict=conflict)
    except services.NotEditableError:
        return _not_editable(request, reflection)
    except ValidationError as error:
        return _render_step(
            request, reflection, bundle, errors=[("flow-form", m) for m in error.messages]
        )

    if go == "later":
        messages.success(request, _("Your draft is saved. You can carry on whenever you like."))
        return _leave_flow(request, reflection.get_absolute_url())
    previous = steps.preceding(current)
    if go == "stay":
        target: str = current
    elif go == "back" and previous is not None:
        target = previous
    else:
        target = steps.following(current)
    return HttpResponseRedirect(_step_url(reflection, target), status=SEE_OTHER)


def _rearranged(step: Step, reflection: Reflection, data: Any, go: str) -> StepBundle:
    """The posted rows with one added or removed, or re-ordered suggestions: not saved."""
    remove = _int(go.removeprefix("remove-")) if go.startswith("remove-") else None
    if step is Step.CHAINS:
        rows = rearranged_rows(
            data, steps.CHAIN_PREFIX, CHAIN_FIELDS, steps.MAX_CHAINS, add=go == "add", remove=remove
        )
        return _bundle(step, reflection, rows=rows)
    rows = rearranged_rows(
        data, steps.ACTION_PREFIX, ACTION_FIELDS, steps.MAX_ACTIONS, add=go == "add", remove=remove
    )
    fields = {name: data.get(name) for name in steps.STEP_FIELDS[step]}
    return _bundle(step, reflection, rows=rows, fields=fields)


def _conflict_fragment(
    request: AuthedRequest, reflection: Reflection, differences: list[dict[str, str]] | None
) -> HttpResponse:
    return render(
        request,
        "reflections/partials/_conflict.html",
        {"reflection": reflection, "conflict": differences, "revision": reflection.revision},
        status=409,
    )


@require_POST
@login_required
def autosave(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """Save the step as the worker types. JSON, with "saved" true or the field errors.

    Signed out, it redirects to sign in like every page (static/js/reflect.js asks fetch not
    to follow, and reads the redirect as "signed out"); 409 with the conflict fragment when
    another tab saved first, or the reflection was submitted meanwhile.
    """
    current = _step_or_404(step)
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.EDIT)
    except ReflectionStateError as error:
        return _conflict_fragment(request, error.reflection, None)
    bundle = _bundle(current, reflection, request.POST)
    if _int(request.POST.get("revision")) != reflection.revision:
        return _conflict_fragment(
            request, reflection, _differences(bundle, _bundle(current, reflection))
        )
    if not bundle.is_valid():
        # 200, like a re-rendered form: the save was understood and answered with field errors
        # (a 4xx would be logged by the browser as a failed request on every keystroke).
        return JsonResponse(
            {"saved": False, "errors": bundle.field_errors(), "summary": bundle.error_summary()}
        )
    try:
        result = services.reflection_save_step(
            reflection=reflection,
            by=request.user,
            step=current,
            values=bundle.values(),
            revision=reflection.revision,
        )
    except services.ConflictError as error:
        return _conflict_fragment(
            request, error.server, _differences(bundle, _bundle(current, error.server))
        )
    except services.NotEditableError:
        return _conflict_fragment(request, reflection, None)
    except ValidationError as error:
        return JsonResponse(
            {
                "saved": False,
                "errors": {"__all__": error.messages},
                "summary": [["flow-form", m] for m in error.messages],
            }
        )
    return JsonResponse(
        {
            "saved": True,
            "revision": result.reflection.revision,
            "saved_at": timezone.localtime().strftime("%H:%M"),
            "row_ids": result.row_ids,
        }
    )


@require_GET
@login_required
def chain_options(request: AuthedRequest, pk: int) -> HttpResponse:
    """A chain's mechanism and outcome choices, ordered for the context chosen (htmx)."""
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.EDIT)
    except ReflectionStateError as error:
        raise Http404 from error
    row = _int(request.GET.get("row"))
    if row is None or not 0 <= row < steps.MAX_CHAINS:
        raise Http404
    prefix = f"{steps.CHAIN_PREFIX}-{row}"
    raw = {name: request.GET.get(f"{prefix}-{name}", "") for name in CHAIN_FIELDS}
    form = ChainForm(
        initial=raw, prefix=prefix, choices=chain_choices(version=reflection.framework_version)
    )
    return render(request, "reflections/partials/_chain_options.html", {"form": form})


@require_GET
@login_required
@vary_on_headers("HX-Request")
def check(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every answer on one page, with a link back to change each, and the submit button."""
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.EDIT)
    except ReflectionStateError as error:
        return _not_editable(request, error.reflection)
    return _render_check(request, reflection)


def _render_check(
    request: AuthedRequest, reflection: Reflection, *, submit_error: str = ""
) -> HttpResponse:
    reading = read_reflection(reflection=reflection, reader=Reader.AUTHOR, history=False)
    context = {
        **_flow_context(reflection, steps.CHECK),
        "content": reading.content,
        "unfinished_chains": unfinished_chains(reflection=reflection),
        "submit_error": submit_error,
        "step_template": "reflections/flow/steps/_check.html",
        "revision": reflection.revision,
        "previous": Step.NEXT_STEPS,
        "change_links": True,
    }
    template = "reflections/partials/_flow.html" if request.htmx else "reflections/flow/step.html"
    return render(request, template, context, status=400 if submit_error else 200)


@require_POST
@login_required
def submit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Submit after the privacy check; from the privacy page, with the matches confirmed."""
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.EDIT)
    except ReflectionStateError as error:
        return _not_editable(request, error.reflection)
    was_amending = reflection.is_amending
    from_privacy_page = "confirming" in request.POST
    try:
        services.reflection_submit(
            reflection=reflection,
            by=request.user,
            revision=_int(request.POST.get("revision")) or -1,
            confirmed=request.POST.getlist("confirm"),
        )
    except services.PrivacyCheckError as error:
        if from_privacy_page:
            return _render_privacy(request, reflection, error.matches, incomplete=True)
        return redirect("reflections:privacy", pk=reflection.pk)
    except services.ConflictError:
        messages.warning(
            request,
            _(
                "This reflection changed in another tab or device. Please check it again before submitting."
            ),
        )
        return redirect("reflections:check", pk=reflection.pk)
    except services.NotEditableError:
        return _not_editable(request, reflection)
    except ValidationError as error:
        # Empty, or a chain unfinished: the check page again, the reason beside the button.
        return _render_check(request, reflection, submit_error=" ".join(error.messages))
    if was_amending:
        messages.success(
            request, _("Your changes are saved, and the earlier version is kept in its history.")
        )
    else:
        messages.success(request, _("Your reflection is submitted. Thank you for taking the time."))
    return redirect(_after_submit_url(reflection))


def _after_submit_url(reflection: Reflection) -> str:
    # The reflection's page with sharing first: the next thing to decide, in one place.
    return f"{reflection.get_absolute_url()}?submitted=1"


def _render_privacy(
    request: AuthedRequest, reflection: Reflection, matches: list[Any], *, incomplete: bool = False
) -> HttpResponse:
    return render(
        request,
        "reflections/flow/privacy.html",
        {
            "reflection": reflection,
            "matches": [
                {"match": match, "edit_url": f"{_step_url(reflection, match.step)}#{match.anchor}"}
                for match in matches
            ],
            "revision": reflection.revision,
            "incomplete": incomplete,
        },
        status=400 if incomplete else 200,
    )


@require_POST
@login_required
def privacy_live(request: AuthedRequest, pk: int) -> HttpResponse:
    """The privacy check on one answer while it is typed (htmx): what it finds, or nothing.

    The answer is named by htmx's HX-Trigger-Name header (or a "field" value) and read from
    the posted form; a name that is no input name is a 400, never a 500.
    """
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.EDIT)
    except ReflectionStateError as error:
        raise Http404 from error
    field = request.headers.get("HX-Trigger-Name") or request.POST.get("field", "")
    if not re.fullmatch(r"[\w-]{1,80}", field):
        return HttpResponse(status=400)
    matches = services.privacy_matches_in_text(
        reflection=reflection, field=field, text=request.POST.get(field, "")
    )
    return render(request, "reflections/partials/_privacy_live.html", {"matches": matches})


@require_GET
@login_required
def privacy(request: AuthedRequest, pk: int) -> HttpResponse:
    """What the privacy check found: for each, change it or confirm it identifies no one."""
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.EDIT)
    except ReflectionStateError as error:
        return _not_editable(request, error.reflection)
    matches = services.reflection_privacy_matches(reflection=reflection)
    if not matches:
        return redirect("reflections:check", pk=reflection.pk)
    return _render_privacy(request, reflection, matches)


@require_GET
@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The reflection, readable and printable, with its amendment history."""
    reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.VIEW)
    reading = read_reflection(reflection=reflection, reader=Reader.AUTHOR)
    return render(
        request,
        "reflections/detail.html",
        {
            "reflection": reflection,
            "content": reading.content,
            "revisions": reading.revisions,
            "version": reflection.framework_version,
            # Just submitted: sharing (supervision's panel) is offered first.
            "share_first": request.GET.get("submitted") == "1",
        },
    )


@require_GET
@login_required
def revision(request: AuthedRequest, pk: int, number: int) -> HttpResponse:
    """An earlier version of an amended reflection, as it was."""
    reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.VIEW)
    old = get_object_or_404(ReflectionRevision, reflection=reflection, revision=number)
    position = ReflectionRevision.objects.filter(
        reflection=reflection, revision__lte=number
    ).count()
    return render(
        request,
        "reflections/flow/revision.html",
        {
            "reflection": reflection,
            "old": old,
            "position": position,
            "content": snapshot_for_display(old.snapshot),
            "version": reflection.framework_version,
        },
    )


@require_POST
@login_required
def amend(request: AuthedRequest, pk: int) -> HttpResponse:
    """Reopen a submitted reflection for its author to change."""
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.AMEND)
    except ReflectionStateError as error:
        return redirect(error.reflection.get_absolute_url())
    try:
        services.reflection_amend(reflection=reflection, by=request.user)
    except (services.ConflictError, services.NotEditableError):
        # Another tab reopened (or saved) it between reading and claiming the revision: the
        # reflection's page says where it stands now. Seen under parallel use as a 500.
        return redirect(reflection.get_absolute_url())
    messages.info(
        request,
        _("Reopened. Change what you need, then submit it again from the last step."),
    )
    return redirect(_step_url(reflection, Step.SESSION))


@require_http_methods(["GET", "POST"])
@login_required
def discard_amendment(request: AuthedRequest, pk: int) -> HttpResponse:
    """Put a reopened reflection back as it was submitted, after asking."""
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.DISCARD_AMENDMENT)
    except ReflectionStateError as error:
        return redirect(error.reflection.get_absolute_url())
    if request.method == "POST":
        try:
            services.reflection_discard_amendment(reflection=reflection, by=request.user)
        except services.NotEditableError:
            # Submitted or discarded in another tab meanwhile: the reflection page says which.
            return redirect(reflection.get_absolute_url())
        messages.success(
            request, _("Your changes are discarded. The reflection is as you submitted it.")
        )
        return redirect(reflection.get_absolute_url())
    return render(request, "reflections/flow/discard_amendment.html", {"reflection": reflection})


@require_http_methods(["GET", "POST"])
@login_required
def delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """Delete a draft, after asking."""
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.DELETE)
    except ReflectionStateError as error:
        return redirect(error.reflection.get_absolute_url())
    if request.method == "POST":
        services.reflection_delete(reflection=reflection, by=request.user, request=request)
        messages.success(request, _("The draft is deleted."))
        return redirect("reflections:list")
    return render(request, "reflections/flow/delete.html", {"reflection": reflection})


# The quick reflection ----------------------------------------------------------------------


def _quick_forms(reflection: Reflection, data: Any = None) -> dict[str, Any]:
    """The quick page's forms: its own fields, the five ratings and the chains, one version."""
    version = reflection.framework_version
    if data is None:
        reflection_rows(reflection=reflection, step="quick")
    form = QuickForm(data=data, initial={name: getattr(reflection, name) for name in QUICK_FIELDS})
    if data is None:
        show_kept_answers(form, reflection.unsent_answers)
    return {
        "form": form,
        "contexts": ContextsBundle(
            reflection=reflection, contexts=version_contexts(version=version), data=data
        ),
        "chains": ChainsBundle(
            reflection=reflection,
            choices=chain_choices(version=version),
            data=data,
            options_url=reverse("reflections:chain_options", kwargs={"pk": reflection.pk}),
        ),
    }


def _render_quick(
    request: AuthedRequest,
    reflection: Reflection,
    forms: dict[str, Any],
    *,
    errors: list[tuple[str, str]] | None = None,
    revision: int | None = None,
    status: int = 200,
) -> HttpResponse:
    _watch_privacy(reflection, [forms["form"]])
    if errors is None:
        errors = []
        # Unbound, the form's errors are those of answers kept from a "finish later".
        for name, messages_ in forms["form"].errors.items():
            errors.extend((forms["form"][name].auto_id, str(m)) for m in messages_)
        if forms["form"].is_bound:
            errors += forms["contexts"].error_summary() + forms["chains"].error_summary()
    return render(
        request,
        "reflections/flow/quick.html",
        {
            "reflection": reflection,
            **forms,
            "context_forms": forms["contexts"].context_forms,
            "errors": errors,
            "revision": reflection.revision if revision is None else revision,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def quick(request: AuthedRequest, pk: int) -> HttpResponse:
    """The quick reflection: date, what happened, five ratings, one chain, learning; one page.

    Works as a plain form. It writes the same fields and rows as the steps (the ratings and
    chains through the same bundles), so "add more in the full steps" carries on from here.
    "Show suggestions" (without JavaScript) and an unfinished chain save like any answer.
    """
    try:
        reflection = access_reflection(user=request.user, pk=pk, purpose=Purpose.EDIT)
    except ReflectionStateError as error:
        return _not_editable(request, error.reflection)
    if request.method == "GET":
        return _render_quick(request, reflection, _quick_forms(reflection))

    data = request.POST
    go = data.get("go", "submit")
    forms = _quick_forms(reflection, data)
    if _int(data.get("revision")) != reflection.revision:
        message = _(
            "This reflection was changed in another tab or device since this page opened. Your "
            "answers on this page are shown: save again to keep them."
        )
        return _render_quick(
            request, reflection, forms, errors=[("quick-form", message)], status=409
        )
    form_ok, contexts_ok, chains_ok = (
        forms["form"].is_valid(),
        forms["contexts"].is_valid(),
        forms["chains"].is_valid(),
    )
    if not (form_ok and contexts_ok and chains_ok) and go != "later":
        return _render_quick(request, reflection, forms, status=400)
    # Finishing later always leaves: whatever is valid is saved (after is_valid(), cleaned_data
    # holds only the fields that passed), and an invalid answer is kept as typed.
    contexts = forms["contexts"].values() if contexts_ok else services.StepValues()
    chains = forms["chains"].values() if chains_ok else services.StepValues()
    values = services.StepValues(
        fields=dict(forms["form"].cleaned_data),
        ratings=contexts.ratings,
        chains=chains.chains,
        incomplete_chains=chains.incomplete_chains,
        unsent=typed_but_invalid(forms["form"]),
    )
    try:
        services.reflection_save_quick(
            reflection=reflection, by=request.user, values=values, revision=reflection.revision
        )
    except services.ConflictError:
        message = _("This reflection was changed elsewhere a moment ago. Please save again.")
        return _render_quick(request, reflection, forms, errors=[("quick-form", message)])
    except services.NotEditableError:
        return _not_editable(request, reflection)
    except ValidationError as error:
        errors = [("quick-form", m) for m in error.messages]
        return _render_quick(request, reflection, forms, errors=errors, status=400)

    if go == "later":
        messages.success(request, _("Your draft is saved. You can carry on whenever you like."))
        return redirect(reflection.get_absolute_url())
    if go == "more":
        return redirect("reflections:check", pk=reflection.pk)
    if go != "submit":
        # Enter in a text box ("stay"), or "show suggestions for this context" without
        # JavaScript: saved, and back to the page, the chain's options re-ordered.
        url = reverse("reflections:quick", kwargs={"pk": reflection.pk})
        anchor = "#chains-0-row" if go == "suggest" else ""
        return HttpResponseRedirect(f"{url}{anchor}", status=SEE_OTHER)
    return _submit_quick(request, reflection)


def _submit_quick(request: AuthedRequest, reflection: Reflection) -> HttpResponse:
    try:
        services.reflection_submit(reflection=reflection, by=request.user)
    except services.PrivacyCheckError:
        return redirect("reflections:privacy", pk=reflection.pk)
    except services.NotEditableError:
        return _not_editable(request, reflection)
    except ValidationError as error:
        forms = _quick_forms(reflection)
        errors = [("quick-submit", m) for m in error.messages]
        return _render_quick(request, reflection, forms, errors=errors, status=400)
    messages.success(request, _("Your reflection is submitted. Thank you for taking the time."))
    return redirect(_after_submit_url(reflection))
