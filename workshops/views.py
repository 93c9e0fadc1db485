"""Workshop pages: the trainer's (signed in) and the participants' (a code and a cookie).

Trainer views reach every object through workshops.access; participant views know only the
participant their signed cookie names, and only their own workshop's current vignette.
"""

from __future__ import annotations

import csv
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.audit import audit_record, client_ip
from accounts.http import AuthedRequest
from accounts.middleware import polling_view
from accounts.models import Organisation
from workshops import pdf, selectors, services
from workshops.access import (
    access_participant,
    access_vignette,
    access_workshop,
    participant_cookie_set,
    trainer_organisations,
    visible_vignettes,
)
from workshops.forms import AnswerForm, JoinForm, VignetteForm, WorkshopForm
from workshops.models import Workshop
from workshops.results import ItemResult, chain_label

# Wrong codes are limited per address; right ones are not, because a whole room often shares
# one public address (the venue's Wi-Fi) and the workshop's own limit bounds them.
JOIN_FAILURES_ALLOWED = 10
JOIN_FAILURE_WINDOW = 10 * 60
# Answer saves per participant per minute: far above any person's pace, far below a script's.
ANSWERS_PER_MINUTE = 20
# How often the room and the phones ask for news, in seconds.
POLL_SECONDS = 3
MOVED_ON = _lazy(
    "This answer was for a vignette the room is no longer on. Here is the current one; "
    "what you chose is kept below, so check it and save again."
)


def _organisation_or_404(request: AuthedRequest) -> Organisation:
    organisation = trainer_organisations(request.user).order_by("name").first()
    if organisation is None:
        raise Http404
    return organisation


def join_url(request: HttpRequest, code: str) -> str:
    """The join link at the address the trainer is using, which the room can reach too."""
    return request.build_absolute_uri(f"{reverse('join:join')}?code={code}")


def qr_svg(url: str) -> SafeString:
    """The join link as a QR code, drawn on the server as inline SVG (no script, no style)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=6, dark="#000", light="#fff", title=_("QR code for the join link")
    )
    # segno escapes the URL, the only data in its output, and writes no style attribute.
    return mark_safe(  # noqa: S308
        svg.replace(
            "<svg ", '<svg role="img" aria-label="' + _("QR code for the join link") + '" ', 1
        )
    )


# --------------------------------------------------------------------------------------------
# Trainer: workshops
# --------------------------------------------------------------------------------------------


@require_GET
@login_required
def workshop_list(request: AuthedRequest) -> HttpResponse:
    _organisation_or_404(request)
    return render(
        request,
        "workshops/list.html",
        {"workshops": list(selectors.workshop_list(user=request.user))},
    )


@require_http_methods(["GET", "POST"])
@login_required
def workshop_create(request: AuthedRequest) -> HttpResponse:
    organisation = _organisation_or_404(request)
    # Only the library and this organisation's own: a trainer of two organisations must not
    # carry one's private vignette into the other's workshop.
    vignettes = list(
        visible_vignettes(request.user)
        .filter(Q(organisation=None) | Q(organisation=organisation))
        .order_by("title")
    )
    form = WorkshopForm(
        request.POST or None, vignettes=vignettes, initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        workshop = services.workshop_create(
            organisation=organisation,
            trainer=request.user,
            title=form.cleaned_data["title"],
            day=form.cleaned_data["date"],
            mode=form.cleaned_data["mode"],
            vignettes=form.cleaned_data["vignettes"],
        )
        messages.success(request, _("Workshop created. Open it when the room is ready."))
        return redirect(workshop)
    return render(request, "workshops/create.html", {"form": form})


@require_GET
@login_required
def workshop_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = access_workshop(user=request.user, pk=pk)
    context = {
        "workshop": workshop,
        "items": selectors.workshop_items(workshop=workshop),
        "participants": list(workshop.participants.all()),
        "expires_at": services.code_expires_at(workshop),
    }
    if workshop.is_open and workshop.join_code:
        url = join_url(request, workshop.join_code)
        context["join_url"] = url
        context["qr"] = qr_svg(url)
    return render(request, "workshops/detail.html", context)


@require_POST
@login_required
def workshop_open(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = services.workshop_open(workshop=access_workshop(user=request.user, pk=pk))
    messages.success(
        request, _("The workshop is open. Its code is %(code)s.") % {"code": workshop.join_code}
    )
    return redirect(workshop)


@require_POST
@login_required
def workshop_close(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = services.workshop_close(workshop=access_workshop(user=request.user, pk=pk))
    messages.success(request, _("The workshop is closed; its code no longer works."))
    return redirect(workshop)


def _room_context(workshop: Workshop) -> dict[str, object]:
    item = selectors.current_item(workshop=workshop)
    result = None
    if item is not None:
        result = selectors.results_for(
            items=[item], boxes=selectors.framework_boxes(), with_evidence=workshop.revealed
        )[0]
    return {"workshop": workshop, "item": item, "result": result, "poll_seconds": POLL_SECONDS}


@require_GET
@login_required
def room(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = access_workshop(user=request.user, pk=pk)
    context = _room_context(workshop)
    context["item_count"] = workshop.items.count()
    if workshop.is_open and workshop.join_code:
        url = join_url(request, workshop.join_code)
        context["join_url"] = url
        context["qr"] = qr_svg(url)
    return render(request, "workshops/room.html", context)


@require_GET
@login_required
@never_cache
@polling_view
def room_live(request: AuthedRequest, pk: int) -> HttpResponse:
    """The room's live results, which the projected page asks for every few seconds."""
    workshop = access_workshop(user=request.user, pk=pk)
    return render(request, "workshops/partials/_room_live.html", _room_context(workshop))


@require_POST
@login_required
def room_move(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = access_workshop(user=request.user, pk=pk)
    step = 1 if request.POST.get("direction") == "next" else -1
    services.workshop_move(workshop=workshop, step=step)
    return redirect("workshops:room", pk=workshop.pk)


@require_POST
@login_required
def room_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = access_workshop(user=request.user, pk=pk)
    services.workshop_reveal(workshop=workshop, revealed=request.POST.get("show") == "1")
    return redirect(reverse("workshops:room", kwargs={"pk": workshop.pk}) + "#results")


def _all_results(workshop: Workshop) -> list[ItemResult]:
    return selectors.results_for(
        items=selectors.workshop_items(workshop=workshop),
        boxes=selectors.framework_boxes(),
        with_evidence=True,
    )


@require_GET
@login_required
def results(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = access_workshop(user=request.user, pk=pk)
    return render(
        request, "workshops/results.html", {"workshop": workshop, "results": _all_results(workshop)}
    )


@require_GET
@login_required
def results_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = access_workshop(user=request.user, pk=pk)
    data = pdf.results_pdf(workshop=workshop, results=_all_results(workshop))
    return pdf.pdf_response(
        pdf=data, filename=pdf.safe_filename("workshop-results", workshop.title)
    )


@require_GET
@login_required
def worksheets_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = access_workshop(user=request.user, pk=pk)
    data = pdf.worksheets_pdf(
        workshop=workshop,
        items=selectors.workshop_items(workshop=workshop),
        boxes=selectors.framework_boxes(),
    )
    return pdf.pdf_response(pdf=data, filename=pdf.safe_filename("worksheets", workshop.title))


@require_GET
@login_required
def cards_pdf(request: AuthedRequest) -> HttpResponse:
    _organisation_or_404(request)
    return pdf.pdf_response(pdf=pdf.cards_pdf(), filename="appear-framework-cards.pdf")


def _csv_cell(value: object) -> object:
    """Keep spreadsheet programs from running a title that starts like a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@require_GET
@login_required
def results_csv(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = access_workshop(user=request.user, pk=pk)
    rows = pdf.results_rows(_all_results(workshop))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    audit_record(
        action="workshop_results_exported",
        actor=request.user,
        request=request,
        organisation=workshop.organisation,
        target=workshop,
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{pdf.safe_filename("workshop-results", workshop.title)[:-4]}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------
# Trainer: vignettes
# --------------------------------------------------------------------------------------------


@require_GET
@login_required
def vignette_list(request: AuthedRequest) -> HttpResponse:
    _organisation_or_404(request)
    vignettes = list(
        visible_vignettes(request.user).select_related("organisation").order_by("title")
    )
    return render(request, "workshops/vignette_list.html", {"vignettes": vignettes})


@require_GET
@login_required
def vignette_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    vignette = access_vignette(user=request.user, pk=pk)
    boxes = selectors.framework_boxes()
    chains = [
        {
            "label": chain_label(boxes, c["context"], c["mechanism"], c["domain"]),
            "reason": c.get("reason", ""),
        }
        for c in vignette.intended_chains
    ]
    ratings = [
        (context.name, vignette.intended_ratings.get(context.key)) for context in boxes.contexts
    ]
    return render(
        request,
        "workshops/vignette_detail.html",
        {
            "vignette": vignette,
            "chains": chains,
            "ratings": ratings,
            "main_context": boxes.name("context", vignette.main_context),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def vignette_create(request: AuthedRequest) -> HttpResponse:
    organisation = _organisation_or_404(request)
    form = VignetteForm(request.POST or None, boxes=selectors.framework_boxes())
    if request.method == "POST" and form.is_valid():
        vignette = services.vignette_save(
            organisation=organisation, author=request.user, content=form.content()
        )
        messages.success(
            request, _("Vignette saved. Only your organisation's trainers can see it.")
        )
        return redirect(vignette)
    return render(request, "workshops/vignette_form.html", {"form": form, "vignette": None})


@require_http_methods(["GET", "POST"])
@login_required
def vignette_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    vignette = access_vignette(user=request.user, pk=pk, to_edit=True)
    boxes = selectors.framework_boxes()
    form = VignetteForm(
        request.POST or None, boxes=boxes, initial=VignetteForm.initial_from(vignette)
    )
    if request.method == "POST" and form.is_valid():
        assert vignette.organisation is not None  # access_vignette(to_edit=True) guarantees it
        saved = services.vignette_save(
            organisation=vignette.organisation,
            author=request.user,
            content=form.content(),
            key=vignette.key,
        )
        messages.success(request, _("Vignette saved as version %(v)d.") % {"v": saved.version})
        return redirect(saved)
    return render(request, "workshops/vignette_form.html", {"form": form, "vignette": vignette})


# --------------------------------------------------------------------------------------------
# Participants
# --------------------------------------------------------------------------------------------


def _join_failures_key(request: HttpRequest) -> str:
    return f"workshops:join-failures:{client_ip(request) or 'unknown'}"


@require_http_methods(["GET", "POST"])
@never_cache
def join(request: HttpRequest) -> HttpResponse:
    """Join a workshop with its code and a name of one's choosing: no account, a cookie."""
    if request.method == "GET":
        form = JoinForm(initial={"code": request.GET.get("code", "")[:20]})
        return render(request, "workshops/join.html", {"form": form})
    form = JoinForm(request.POST)
    key = _join_failures_key(request)
    if (cache.get(key) or 0) >= JOIN_FAILURES_ALLOWED:
        form.is_valid()
        form.add_error(
            None, _("Too many wrong codes from this network. Wait ten minutes, then try again.")
        )
        return render(request, "workshops/join.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "workshops/join.html", {"form": form}, status=400)
    try:
        participant = services.participant_join(
            code=form.cleaned_data["code"], display_name=form.cleaned_data["display_name"]
        )
    except services.JoinError as error:
        cache.add(key, 0, JOIN_FAILURE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, JOIN_FAILURE_WINDOW)
        form.add_error("code", str(error))
        return render(request, "workshops/join.html", {"form": form}, status=400)
    response = redirect("join:answer")
    participant_cookie_set(response, participant, secure=request.is_secure())
    return response


def _not_joined(request: HttpRequest) -> HttpResponse:
    # 403: this browser holds no participant cookie for an open workshop. The page says so
    # plainly and offers the join form; nothing of any workshop is shown.
    return render(request, "workshops/not_joined.html", status=403)


@require_http_methods(["GET", "POST"])
@never_cache
def answer(request: HttpRequest) -> HttpResponse:
    """The current vignette on a participant's phone, and their answer to it."""
    participant = access_participant(request)
    if participant is None:
        return _not_joined(request)
    workshop = participant.workshop
    item = selectors.current_item(workshop=workshop)
    if item is None:
        return _not_joined(request)
    boxes = selectors.framework_boxes()
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST, boxes=boxes)
        if form.is_valid() and form.cleaned_data["item"] != item.pk:
            # An old page, another workshop's vignette, or a forged number: never saved. The
            # form comes back on the current vignette with everything chosen still in it.
            data = request.POST.copy()
            data["item"] = str(item.pk)
            form = AnswerForm(data, boxes=boxes)
            form.is_valid()
            form.add_error(None, MOVED_ON)
            status = 409
        elif form.is_valid():
            rate_key = f"workshops:answers:{participant.pk}"
            cache.add(rate_key, 0, 60)
            if cache.incr(rate_key) > ANSWERS_PER_MINUTE:
                form.add_error(
                    None, _("That was a lot of saves in a minute. Wait a moment, then save again.")
                )
                status = 429
            else:
                try:
                    services.answer_save(
                        participant=participant,
                        item=item,
                        ratings=form.cleaned_data["ratings"],
                        chains=form.cleaned_data["chains"],
                        reasoning=form.cleaned_data["reasoning"],
                        contexts=boxes.context_keys,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                    status = 409
                else:
                    messages.success(
                        request, _("Saved. You can change your answer until the trainer moves on.")
                    )
                    return redirect("join:answer")
        else:
            status = 400
    else:
        existing = selectors.participant_answer(item=item, participant_id=participant.pk)
        initial: dict[str, object] = {"item": item.pk}
        if existing is not None:
            initial["reasoning"] = existing.reasoning
            for rating in existing.ratings.all():
                initial[f"rating_{rating.context}"] = rating.presence
            for chain in existing.chains.all():
                for part in ("context", "mechanism", "domain"):
                    initial[f"chain{chain.order}_{part}"] = getattr(chain, part)
        form = AnswerForm(initial=initial, boxes=boxes)
        form.answered = existing is not None  # type: ignore[attr-defined]
    return render(
        request,
        "workshops/answer.html",
        {
            "participant": participant,
            "workshop": workshop,
            "item": item,
            "item_count": workshop.items.count(),
            "form": form,
            "poll_seconds": POLL_SECONDS,
        },
        status=status,
    )


@require_GET
@never_cache
@vary_on_headers("HX-Request")
@polling_view
def follow(request: HttpRequest) -> HttpResponse:
    """Asked every few seconds by a phone: has the trainer moved on (or closed the room)?

    204 while nothing changed; otherwise htmx is told to load the answer page again.
    """
    participant = access_participant(request)
    seen = request.GET.get("position", "")
    if participant is not None and seen == str(participant.workshop.position):
        return HttpResponse(status=204)
    response = HttpResponse(status=204)
    response["HX-Redirect"] = reverse("join:answer")
    return response
