"""Supervision records and printable summaries: thin views over access, forms and services.

Every object comes through supervision.records.access (or the reflection access layers); every
write through supervision.records.services; every PDF through supervision.pdf, and every
export is audited as REFLECTION_EXPORTED with the worker as its subject.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from accounts.audit import audit_record
from accounts.http import AuthedRequest
from accounts.models import AuditEvent, Organisation, SupervisionLink, User
from framework.selectors import current_version
from reflections.access import Purpose, access_reflection
from reflections.reading import Reader, ReflectionReading, read_reflection
from supervision import pdf
from supervision.models import SupervisionRecord
from supervision.records import selectors as record_selectors
from supervision.records import services as record_services
from supervision.records.access import (
    RecordPurpose,
    access_brief,
    access_link_for_records,
    access_record,
)
from supervision.records.brief import (
    Brief,
    SinceLastSupervision,
    build_brief,
    default_period,
    since_last_supervision,
)
from supervision.records.forms import BriefPeriodForm, RecordForms, record_forms
from supervision.sharing import services
from supervision.sharing.access import access_shared_reflection

FORM_PARTIAL = "supervision/records/partials/_record_form.html"
SIGNATURES_PARTIAL = "supervision/records/partials/_signatures.html"


def _audit_export(
    request: AuthedRequest,
    *,
    organisation: Organisation,
    worker: User,
    target: Any,
    kind: str,
    **detail: Any,
) -> None:
    audit_record(
        action=AuditEvent.Action.REFLECTION_EXPORTED,
        actor=request.user,
        request=request,
        organisation=organisation,
        subject=worker,
        target=target,
        export=kind,
        **detail,
    )


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@require_GET
@login_required
def record_index(request: AuthedRequest) -> HttpResponse:
    """Every record the person may open, and the pairs they may write a record for."""
    return render(
        request,
        "supervision/records/index.html",
        {
            "links": record_selectors.my_live_links(user=request.user),
            "records": record_selectors.my_records(user=request.user),
        },
    )


@require_GET
@login_required
def pair_records(request: AuthedRequest, link_id: int) -> HttpResponse:
    link = access_link_for_records(user=request.user, link_id=link_id)
    records = record_selectors.pair_records(worker=link.worker, supervisor=link.supervisor)
    return render(
        request,
        "supervision/records/pair.html",
        {"link": link, "records": records, "is_supervisor": request.user.pk == link.supervisor_id},
    )


def _forms_for(
    *,
    data: QueryDict | None,
    link: SupervisionLink,
    record: SupervisionRecord | None,
    add_action: bool = False,
) -> RecordForms:
    initial = None
    if record is None:
        initial = {
            "held_on": timezone.localdate(),
            "attendees": ", ".join(
                person.get_display_name() for person in (link.worker, link.supervisor)
            ),
        }
    return record_forms(
        data=data,
        worker=link.worker,
        supervisor=link.supervisor,
        contexts=record_selectors.check_contexts(record=record),
        reflections=record_selectors.discussable_reflections(
            worker=link.worker, supervisor=link.supervisor
        ),
        record=record,
        initial=initial,
        add_action=add_action,
    )


def _render_form(
    request: AuthedRequest,
    *,
    forms: RecordForms,
    link: SupervisionLink,
    record: SupervisionRecord | None,
    action_url: str,
    status: int = 200,
) -> HttpResponse:
    context = {
        "forms": forms,
        "form": forms.form,
        "actions": forms.actions,
        "link": link,
        "record": record,
        "action_url": action_url,
    }
    template = FORM_PARTIAL if request.htmx else "supervision/records/form.html"
    return render(request, template, context, status=status)


def _saved(request: AuthedRequest, record: SupervisionRecord) -> HttpResponse:
    url = record.get_absolute_url()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _apply_errors(forms: RecordForms, error: ValidationError) -> None:
    """Show a service's refusal next to the field it concerns (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            target = field if field in forms.form.fields else None
            forms.form.add_error(target, problems)
    else:
        forms.form.add_error(None, error)


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def record_create(request: AuthedRequest, link_id: int) -> HttpResponse:
    link = access_link_for_records(user=request.user, link_id=link_id)
    return _record_form_page(
        request,
        link=link,
        record=None,
        action_url=reverse("supervision:record_create", kwargs={"link_id": link.pk}),
        save=lambda forms: record_services.record_create(
            link=link,
            by=request.user,
            content=forms.content(worker=link.worker, supervisor=link.supervisor),
        ),
        saved_message=_("The supervision record was saved. Both of you can now sign it."),
    )


def _record_form_page(
    request: AuthedRequest,
    *,
    link: SupervisionLink,
    record: SupervisionRecord | None,
    action_url: str,
    save: Callable[[RecordForms], SupervisionRecord],
    saved_message: str,
) -> HttpResponse:
    """The record form of both a new record and a change: shown, grown by one action, saved.

    A refusal from the service is shown next to the field it concerns, keeping what was typed;
    a record that became locked meanwhile (both signed in another tab) says so instead.
    """

    def form_again(forms: RecordForms) -> HttpResponse:
        return _render_form(request, forms=forms, link=link, record=record, action_url=action_url)

    if request.method != "POST":
        return form_again(_forms_for(data=None, link=link, record=record))
    add_action = "add_action" in request.POST
    forms = _forms_for(data=request.POST, link=link, record=record, add_action=add_action)
    if add_action or not forms.is_valid():
        return form_again(forms)
    try:
        saved = save(forms)
    except ValidationError as error:
        if record is not None and getattr(error, "code", None) == "locked":
            return _locked(request, record)
        _apply_errors(forms, error)
        return form_again(forms)
    messages.success(request, saved_message)
    return _saved(request, saved)


def _detail_record(pk: int) -> SupervisionRecord:
    return record_selectors.records_with_detail(SupervisionRecord.objects.filter(pk=pk)).get()


def _locked(request: AuthedRequest, record: SupervisionRecord) -> HttpResponse:
    """A signed record cannot change: say so plainly, with the way to make a new version."""
    return render(request, "supervision/records/locked.html", {"record": record}, status=409)


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def record_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    access_record(user=request.user, pk=pk, purpose=RecordPurpose.CHANGE)
    record = _detail_record(pk)
    if record.is_locked:
        return _locked(request, record)
    link = record.link
    link.worker, link.supervisor = record.worker, record.supervisor

    def save(forms: RecordForms) -> SupervisionRecord:
        record_services.record_update(
            record=record,
            by=request.user,
            content=forms.content(worker=record.worker, supervisor=record.supervisor),
        )
        return record

    return _record_form_page(
        request,
        link=link,
        record=record,
        action_url=reverse("supervision:record_edit", kwargs={"pk": record.pk}),
        save=save,
        saved_message=_("The changes were saved. Both of you need to sign again."),
    )


def _detail_context(request: AuthedRequest, record: SupervisionRecord) -> dict[str, Any]:
    is_supervisor = request.user.pk == record.supervisor_id
    return {
        "record": record,
        "is_supervisor": is_supervisor,
        "is_worker": request.user.pk == record.worker_id,
        "my_signature": record.supervisor_signed_at if is_supervisor else record.worker_signed_at,
        "can_change": request.user.pk == record.supervisor_id
        or _worker_may_change(request, record),
    }


def _worker_may_change(request: AuthedRequest, record: SupervisionRecord) -> bool:
    try:
        access_record(user=request.user, pk=record.pk, purpose=RecordPurpose.CHANGE)
    except Http404:
        return False
    return True


@require_GET
@login_required
def record_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    access_record(user=request.user, pk=pk, purpose=RecordPurpose.VIEW)
    record = _detail_record(pk)
    return render(request, "supervision/records/detail.html", _detail_context(request, record))


@require_POST
@login_required
@vary_on_headers("HX-Request")
def record_sign(request: AuthedRequest, pk: int) -> HttpResponse:
    access_record(user=request.user, pk=pk, purpose=RecordPurpose.CHANGE)
    record = _detail_record(pk)
    try:
        record_services.record_sign(record=record, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if record.is_locked:
            messages.success(
                request, _("Signed. Both of you have signed, so the record is locked.")
            )
        else:
            messages.success(request, _("Signed. The record is locked once both of you sign."))
    if request.htmx and record.is_locked:
        # Locking changes more of the page than the sign-off region (no more "Change" button).
        return HttpResponseClientRefresh()
    if request.htmx:
        return render(request, SIGNATURES_PARTIAL, _detail_context(request, record))
    return redirect(record.get_absolute_url())


@require_POST
@login_required
def record_new_version(request: AuthedRequest, pk: int) -> HttpResponse:
    access_record(user=request.user, pk=pk, purpose=RecordPurpose.CHANGE)
    record = _detail_record(pk)
    try:
        copy = record_services.record_new_version(record=record, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        newer = getattr(record, "next_version", None) if record.is_locked else None
        return redirect((newer or record).get_absolute_url())
    messages.success(
        request,
        _(
            "Version %(version)d was started from the signed record. Make your changes, then both sign it."
        )
        % {"version": copy.version},
    )
    return redirect(reverse("supervision:record_edit", kwargs={"pk": copy.pk}))


@require_POST
@login_required
def record_action_done(request: AuthedRequest, pk: int, action_id: int) -> HttpResponse:
    access_record(user=request.user, pk=pk, purpose=RecordPurpose.CHANGE)
    action = record_selectors.record_action(record_id=pk, pk=action_id)
    if action is None:
        raise Http404
    record_services.record_action_set_done(
        action=action, by=request.user, done=request.POST.get("done") == "1"
    )
    return redirect(reverse("supervision:record", kwargs={"pk": pk}) + f"#action-{action.pk}")


@require_GET
@login_required
def record_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    access_record(user=request.user, pk=pk, purpose=RecordPurpose.VIEW)
    record = _detail_record(pk)
    document = pdf.render_pdf(
        template_name="supervision/pdf/record.html",
        context={"record": record, "version": current_version()},
    )
    _audit_export(
        request,
        organisation=record.organisation,
        worker=record.worker,
        target=record,
        kind="supervision_record",
    )
    filename = pdf.safe_filename(
        "supervision-record", record.worker.get_display_name(), record.held_on, f"v{record.version}"
    )
    return pdf.pdf_response(pdf=document, filename=filename)


# --------------------------------------------------------------------------------------------
# The brief
# --------------------------------------------------------------------------------------------


def _period_form(request: AuthedRequest, default: tuple[date, date]) -> BriefPeriodForm:
    if "from" in request.GET or "to" in request.GET:
        return BriefPeriodForm(request.GET)
    start, end = default
    return BriefPeriodForm({"from": start.isoformat(), "to": end.isoformat()})


def _period_text(start: date, end: date) -> str:
    return _("%(start)s to %(end)s") % {
        "start": date_format(start, "j F Y"),
        "end": date_format(end, "j F Y"),
    }


def _brief_context(brief: Brief, since: SinceLastSupervision) -> dict[str, Any]:
    return {
        "brief": brief,
        "since": since,
        "period_text": _period_text(brief.start, brief.end),
        "version": brief.version,
    }


@require_GET
@login_required
def brief(request: AuthedRequest, user_id: int) -> HttpResponse:
    audience = access_brief(user=request.user, worker_id=user_id)
    version = current_version()
    if version is None:
        return render(request, "framework/not_loaded.html", status=503)
    since = since_last_supervision(audience=audience)
    form = _period_form(request, default_period(audience=audience, since=since))
    context: dict[str, Any] = {"form": form, "worker": audience.worker}
    if not form.is_valid():
        return render(request, "supervision/records/brief.html", context, status=400)
    start, end = form.period
    result = build_brief(audience=audience, start=start, end=end, version=version)
    services.reflections_shown_record(
        viewer=request.user,
        shown=[
            services.Shown(
                worker=audience.worker,
                organisation=audience.links[0].organisation,
                reflection_ids=result.reflection_ids,
            )
        ]
        if audience.links
        else [],
        page="brief",
        request=request,
    )
    context.update(_brief_context(result, since))
    context["pdf_url"] = (
        reverse("supervision:brief_pdf", kwargs={"user_id": audience.worker.pk})
        + "?"
        + form_query(start, end)
    )
    return render(request, "supervision/records/brief.html", context)


def form_query(start: date, end: date) -> str:
    query = QueryDict(mutable=True)
    query["from"] = start.isoformat()
    query["to"] = end.isoformat()
    return query.urlencode()


@require_GET
@login_required
def brief_pdf(request: AuthedRequest, user_id: int) -> HttpResponse:
    audience = access_brief(user=request.user, worker_id=user_id)
    version = current_version()
    if version is None:
        return render(request, "framework/not_loaded.html", status=503)
    since = since_last_supervision(audience=audience)
    form = _period_form(request, default_period(audience=audience, since=since))
    if not form.is_valid():
        # The preview page shows the problem next to the period fields.
        return render(
            request,
            "supervision/records/brief.html",
            {"form": form, "worker": audience.worker},
            status=400,
        )
    start, end = form.period
    result = build_brief(audience=audience, start=start, end=end, version=version)
    html = pdf.render_html(
        template_name="supervision/pdf/brief.html", context=_brief_context(result, since)
    )
    # After access (above) and before the audit (below), which every download writes.
    document = pdf.html_to_pdf_cached(html, reader_id=request.user.pk, kind="brief")
    _audit_export(
        request,
        organisation=audience.links[0].organisation,
        worker=audience.worker,
        target=audience.worker,
        kind="supervision_brief",
        start=start.isoformat(),
        end=end.isoformat(),
        reflections=result.total,
    )
    filename = pdf.safe_filename(
        "supervision-brief", audience.worker.get_display_name(), start, end
    )
    return pdf.pdf_response(pdf=document, filename=filename)


# --------------------------------------------------------------------------------------------
# One reflection
# --------------------------------------------------------------------------------------------


def _reading_for_export(request: AuthedRequest, pk: int) -> ReflectionReading:
    """The author's own reflection as it stands, or one shared with this supervisor as shared.

    Http404 for anyone else. A supervisor's copy is the last submitted version while the
    author is amending it (reflections.reading).
    """
    try:
        own = access_reflection(user=request.user, pk=pk, purpose=Purpose.VIEW)
    except Http404:
        shared = access_shared_reflection(user=request.user, pk=pk)
        return read_reflection(reflection=shared, reader=Reader.AS_SHARED)
    return read_reflection(reflection=own, reader=Reader.AUTHOR, history=False)


@require_GET
@login_required
def reflection_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    reading = _reading_for_export(request, pk)
    reflection = reading.reflection
    document = pdf.render_pdf(
        template_name="supervision/pdf/reflection.html",
        context={
            "reflection": reflection,
            "content": reading.content,
            "as_shared_copy": reading.is_last_submitted_copy,
            "version": reflection.framework_version,
        },
    )
    _audit_export(
        request,
        organisation=reflection.organisation,
        worker=reflection.author,
        target=reflection,
        kind="reflection",
    )
    # No person label: a file name ends up in download lists, sync folders and e-mails.
    filename = pdf.safe_filename("reflection", reading.content["session_date"])
    return pdf.pdf_response(pdf=document, filename=filename)
