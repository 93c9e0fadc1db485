"""Supervision record pages: list, create, change, sign, lock, new version, action done."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from accounts.middleware import KEEP_UNSENT_COOKIE
from accounts.models import AuditEvent
from accounts.services import supervision_link_end
from supervision.models import RecordAction, SupervisionRecord
from supervision.records import services as record_services
from supervision.records.forms import MAX_ACTIONS
from tests.supervision.records_support import CONTEXT_NAMES, RecordsTestCase

HTMX = {"HX-Request": "true"}


class RecordViewTestCase(RecordsTestCase):
    def form_data(
        self, *, actions: list[dict[str, str]] | None = None, initial: int = 0, **fields: Any
    ) -> dict[str, Any]:
        """What the browser sends for the record form: every field, as typed."""
        rows = (
            actions
            if actions is not None
            else [{"text": "Try a closing ritual", "owner": "worker"}]
        )
        data: dict[str, Any] = {
            "held_on": timezone.localdate().isoformat(),
            "attendees": "Alice, Sam",
            "explored": "Endings, and how to leave room for feelings.",
            "actions-TOTAL_FORMS": str(len(rows)),
            "actions-INITIAL_FORMS": str(initial),
            "actions-MIN_NUM_FORMS": "0",
            "actions-MAX_NUM_FORMS": str(MAX_ACTIONS),
        }
        for context in self.contexts():
            data[f"check_{context.key}_rating"] = "2"
            data[f"check_{context.key}_note"] = f"About {context.name}"
        for index, row in enumerate(rows):
            for key, value in row.items():
                data[f"actions-{index}-{key}"] = value
        data.update(fields)
        return data

    def create_url(self) -> str:
        return reverse("supervision:record_create", kwargs={"link_id": self.p.sam_alice.pk})


class RecordListTests(RecordViewTestCase):
    def test_the_index_lists_the_persons_live_pairs_and_records(self) -> None:
        record = self.record()
        response = self.p.client_for(self.p.alice).get(reverse("supervision:records"))
        assert response.status_code == 200
        self.assertContains(response, "Supervised by Sam")
        self.assertContains(response, record.get_absolute_url())
        self.assertContains(response, self.create_url())

    def test_the_index_shows_nothing_of_other_peoples_records(self) -> None:
        record = self.record()
        response = self.p.client_for(self.p.una).get(reverse("supervision:records"))
        self.assertNotContains(response, record.get_absolute_url())
        self.assertContains(response, "No supervision records yet.")

    def test_the_index_runs_a_fixed_number_of_queries(self) -> None:
        """Five, whatever the number of records: the site's own three for any signed-in page
        (session, user and the memberships for the navigation), then the
        live links (1) and the records with their people (1)."""
        self.record()
        client = self.p.client_for(self.p.sam)
        with self.assertNumQueries(5):
            client.get(reverse("supervision:records"))
        for _index in range(5):
            self.record()
        with self.assertNumQueries(5):
            client.get(reverse("supervision:records"))

    def test_a_pairs_list_shows_every_version_with_its_state(self) -> None:
        locked = self.record(signed=True)
        newer = record_services.record_new_version(record=locked, by=self.p.sam)
        url = reverse("supervision:pair_records", kwargs={"link_id": self.p.sam_alice.pk})
        response = self.p.client_for(self.p.sam).get(url)
        self.assertContains(response, "Replaced by version 2")
        self.assertContains(response, newer.get_absolute_url())
        self.assertContains(response, "Not signed yet")


class RecordCreateViewTests(RecordViewTestCase):
    def test_the_check_names_who_answers_it_and_its_controls_are_the_flows(self) -> None:
        html = self.p.client_for(self.p.sam).get(self.create_url()).content.decode()
        assert "Alice answers these, about how this supervision felt to them" in html
        assert "For the worker:" not in html
        # The reflection flow's field partial: a fieldset with a legend around the radio
        # buttons, wrapped in the same "choices" box the flow's context ratings use.
        assert 'id="id_check_accepting_rating-field"' in html
        assert "<legend>Was supervision accepting for you?</legend>" in html
        assert '<div class="choices">' in html

    def test_the_form_offers_only_reflections_shared_with_this_supervisor(self) -> None:
        shared = self.varied_reflection(1)
        self.share(shared)
        unshared = self.varied_reflection(2)
        bobs = self.varied_reflection(3, author=self.p.bob)
        self.share(bobs, self.p.sam_bob)
        response = self.p.client_for(self.p.sam).get(self.create_url())
        assert response.status_code == 200
        self.assertContains(response, f'name="reflections" value="{shared.pk}"')
        self.assertNotContains(response, f'name="reflections" value="{unshared.pk}"')
        self.assertNotContains(response, f'name="reflections" value="{bobs.pk}"')
        for question in (
            "Was supervision accepting for you?",
            "Was supervision personalised for you?",
            "Was supervision empowering for you?",
            "Was supervision available for you?",
            "Was supervision reciprocal for you?",
        ):
            self.assertContains(response, question)

    def test_the_supervisor_saves_a_record_and_is_taken_to_it(self) -> None:
        shared = self.varied_reflection(1)
        self.share(shared)
        data = self.form_data(
            reflections=[str(shared.pk)],
            actions=[
                {"text": "Try a closing ritual", "owner": "worker", "due_on": "2030-01-31"},
                {"text": "Find a reading on endings", "owner": "supervisor"},
                {"text": "", "owner": "worker"},
            ],
        )
        response = self.p.client_for(self.p.sam).post(self.create_url(), data)
        record = SupervisionRecord.objects.get()
        self.assertRedirects(response, record.get_absolute_url(), fetch_redirect_response=False)
        assert record.held_on == timezone.localdate()
        assert record.explored == "Endings, and how to leave room for feelings."
        assert list(record.reflections.all()) == [shared]
        assert [(c.rating, c.note) for c in record.checks.all()] == [
            (2, f"About {name}") for name in CONTEXT_NAMES
        ]
        assert sorted(record.actions.values_list("text", "owner", "due_on")) == [
            ("Find a reading on endings", self.p.sam.pk, None),
            ("Try a closing ritual", self.p.alice.pk, date(2030, 1, 31)),
        ]

    def test_with_htmx_a_saved_record_answers_with_a_client_redirect(self) -> None:
        response = self.p.client_for(self.p.alice).post(
            self.create_url(), self.form_data(), headers=HTMX
        )
        record = SupervisionRecord.objects.get()
        assert response.status_code == 200
        assert response["HX-Redirect"] == record.get_absolute_url()

    def test_a_saved_record_confirms_the_browser_copy_of_what_was_typed(self) -> None:
        response = self.p.client_for(self.p.sam).post(
            self.create_url(), self.form_data(_keep_unsent="copy42"), headers=HTMX
        )
        assert response["HX-Redirect"] == SupervisionRecord.objects.get().get_absolute_url()
        assert response.cookies[KEEP_UNSENT_COOKIE].value == "copy42"

    def test_a_form_shown_again_is_marked_unsaved_and_gets_no_receipt(self) -> None:
        client = self.p.client_for(self.p.sam)
        blank = client.get(self.create_url())
        self.assertContains(blank, 'data-keep-unsent="record"')
        self.assertNotContains(blank, "data-keep-unsent-unsaved")
        for data in (
            self.form_data(held_on="nope", _keep_unsent="copy42"),
            self.form_data(add_action="1", _keep_unsent="copy42"),
        ):
            response = client.post(self.create_url(), data, headers=HTMX)
            self.assertContains(response, "data-keep-unsent-unsaved")
            assert KEEP_UNSENT_COOKIE not in response.cookies
        assert not SupervisionRecord.objects.exists()

    def test_bad_input_shows_field_errors_and_keeps_everything_typed(self) -> None:
        unshared = self.varied_reflection(2)
        data = self.form_data(
            held_on="31/02/2025",
            explored="<script>alert('x')</script> kept text",
            attendees="a" * 301,
            reflections=[str(unshared.pk), "not-a-number"],
            check_accepting_rating="7",
            actions=[{"text": "x" * 301, "owner": "someone", "due_on": "tomorrow"}],
        )
        response = self.p.client_for(self.p.sam).post(self.create_url(), data)
        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.errors) == {"held_on", "attendees", "reflections", "check_accepting_rating"}
        action_errors = response.context["actions"].forms[0].errors
        assert set(action_errors) == {"text", "owner", "due_on"}
        self.assertContains(response, "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; kept text")
        self.assertNotContains(response, "<script>alert")
        self.assertContains(response, "31/02/2025")
        self.assertContains(response, 'aria-invalid="true"')
        assert not SupervisionRecord.objects.exists()

    def test_a_date_ahead_or_a_missing_date_is_a_field_error(self) -> None:
        client = self.p.client_for(self.p.sam)
        ahead = (timezone.localdate() + timedelta(days=2)).isoformat()
        for value in (ahead, ""):
            response = client.post(self.create_url(), self.form_data(held_on=value))
            assert "held_on" in response.context["form"].errors
        assert not SupervisionRecord.objects.exists()

    def test_add_another_action_returns_the_form_with_one_more_row_and_no_errors(self) -> None:
        data = self.form_data(held_on="", add_action="1")
        response = self.p.client_for(self.p.sam).post(self.create_url(), data)
        assert response.status_code == 200
        assert response.context["actions"].total_form_count() == 2
        assert not response.context["form"].errors
        self.assertContains(response, "Try a closing ritual")
        self.assertContains(response, 'name="actions-1-text"')
        self.assertNotContains(response, 'aria-invalid="true"')
        assert not SupervisionRecord.objects.exists()

    def test_with_htmx_a_rejected_form_comes_back_as_the_form_partial(self) -> None:
        response = self.p.client_for(self.p.sam).post(
            self.create_url(), self.form_data(held_on="nope"), headers=HTMX
        )
        assert response.status_code == 200
        assert next(t.name for t in response.templates) == (
            "supervision/records/partials/_record_form.html"
        )
        self.assertNotContains(response, "<html")

    def test_wrong_method_is_405(self) -> None:
        response = self.p.client_for(self.p.sam).put(self.create_url())
        assert response.status_code == 405


class RecordEditViewTests(RecordViewTestCase):
    def edit_url(self, record: SupervisionRecord) -> str:
        return reverse("supervision:record_edit", kwargs={"pk": record.pk})

    def test_the_form_starts_with_the_records_content(self) -> None:
        record = self.record(actions=("Existing action",))
        response = self.p.client_for(self.p.alice).get(self.edit_url(record))
        assert response.status_code == 200
        self.assertContains(response, "Existing action")
        self.assertContains(response, "Endings, and how to say goodbye well.")
        self.assertContains(response, "Remove this action")

    def test_a_change_is_saved_and_an_action_can_be_removed(self) -> None:
        record = self.record(actions=("Keep", "Remove"))
        keep, remove = record.actions.order_by("text")[0], record.actions.order_by("text")[1]
        data = self.form_data(
            initial=2,
            explored="Changed in the edit.",
            actions=[
                {"action_id": str(keep.pk), "text": "Keep", "owner": "worker"},
                {"action_id": str(remove.pk), "text": "Remove", "owner": "worker", "DELETE": "on"},
                {"text": "", "owner": "worker"},
            ],
        )
        response = self.p.client_for(self.p.sam).post(self.edit_url(record), data)
        self.assertRedirects(response, record.get_absolute_url(), fetch_redirect_response=False)
        record.refresh_from_db()
        assert record.explored == "Changed in the edit."
        assert list(record.actions.values_list("pk", flat=True)) == [keep.pk]

    def test_a_signed_record_cannot_be_edited_and_a_post_changes_nothing(self) -> None:
        record = self.record(signed=True)
        before = SupervisionRecord.objects.values().get(pk=record.pk)
        actions_before = list(RecordAction.objects.filter(record=record).values())
        client = self.p.client_for(self.p.sam)

        page = client.get(self.edit_url(record))
        assert page.status_code == 409
        self.assertContains(page, "This record is signed and locked", status_code=409)

        response = client.post(self.edit_url(record), self.form_data(explored="Rewritten!"))
        assert response.status_code == 409
        self.assertContains(response, "Nothing was changed.", status_code=409)
        assert SupervisionRecord.objects.values().get(pk=record.pk) == before
        assert list(RecordAction.objects.filter(record=record).values()) == actions_before
        assert SupervisionRecord.objects.count() == 1

    def test_a_former_supervisor_cannot_open_the_edit_page(self) -> None:
        record = self.record()
        supervision_link_end(link=self.p.sam_alice, by=self.p.olive)
        assert self.p.client_for(self.p.sam).get(self.edit_url(record)).status_code == 404
        assert self.p.client_for(self.p.alice).get(self.edit_url(record)).status_code == 404


class RecordSignViewTests(RecordViewTestCase):
    def sign(self, record: SupervisionRecord, person: Any, **extra: Any) -> Any:
        url = reverse("supervision:record_sign", kwargs={"pk": record.pk})
        return self.p.client_for(person).post(url, **extra)

    def test_both_sign_and_the_record_is_locked(self) -> None:
        record = self.record()
        response = self.sign(record, self.p.alice)
        self.assertRedirects(response, record.get_absolute_url(), fetch_redirect_response=False)
        self.sign(record, self.p.sam)
        record.refresh_from_db()
        assert record.worker_signed_at is not None
        assert record.supervisor_signed_at is not None
        assert record.is_locked
        page = self.p.client_for(self.p.alice).get(record.get_absolute_url())
        self.assertContains(page, "Both of you have signed, so this record is locked.")
        self.assertNotContains(page, reverse("supervision:record_edit", kwargs={"pk": record.pk}))
        assert AuditEvent.objects.filter(action=record_services.RECORD_SIGNED).count() == 2

    def test_with_htmx_signing_returns_the_signatures_partial(self) -> None:
        record = self.record()
        response = self.sign(record, self.p.sam, headers=HTMX)
        assert response.status_code == 200
        assert response.templates[0].name == "supervision/records/partials/_signatures.html"
        self.assertContains(response, "You have signed.")
        self.assertNotContains(response, "<html")

    def test_with_htmx_the_signature_that_locks_the_record_reloads_the_page(self) -> None:
        record = self.record()
        self.sign(record, self.p.alice)
        response = self.sign(record, self.p.sam, headers=HTMX)
        assert response.status_code == 200
        assert response["HX-Refresh"] == "true"
        record.refresh_from_db()
        assert record.is_locked

    def test_signing_twice_is_explained_not_repeated(self) -> None:
        record = self.record()
        self.sign(record, self.p.sam)
        response = self.sign(record, self.p.sam, follow=True)
        self.assertContains(response, "You have already signed this record.")
        assert AuditEvent.objects.filter(action=record_services.RECORD_SIGNED).count() == 1

    def test_signing_needs_a_post(self) -> None:
        record = self.record()
        url = reverse("supervision:record_sign", kwargs={"pk": record.pk})
        assert self.p.client_for(self.p.sam).get(url).status_code == 405


class RecordVersionViewTests(RecordViewTestCase):
    def test_change_after_sign_off_makes_version_two_linked_from_both_pages(self) -> None:
        record = self.record(signed=True)
        url = reverse("supervision:record_new_version", kwargs={"pk": record.pk})
        response = self.p.client_for(self.p.sam).post(url)
        newer = SupervisionRecord.objects.get(previous=record)
        self.assertRedirects(
            response,
            reverse("supervision:record_edit", kwargs={"pk": newer.pk}),
            fetch_redirect_response=False,
        )
        assert newer.version == 2
        assert not newer.is_locked

        client = self.p.client_for(self.p.alice)
        old_page = client.get(record.get_absolute_url())
        self.assertContains(old_page, "The current wording is in version 2.")
        self.assertContains(old_page, newer.get_absolute_url())
        new_page = client.get(newer.get_absolute_url())
        self.assertContains(new_page, "This version replaces version 1")
        self.assertContains(new_page, record.get_absolute_url())

    def test_a_second_new_version_of_the_same_record_is_refused(self) -> None:
        record = self.record(signed=True)
        url = reverse("supervision:record_new_version", kwargs={"pk": record.pk})
        self.p.client_for(self.p.sam).post(url)
        response = self.p.client_for(self.p.alice).post(url, follow=True)
        self.assertContains(response, "A newer version of this record already exists.")
        assert SupervisionRecord.objects.count() == 2


class RecordDetailViewTests(RecordViewTestCase):
    def test_the_record_page_shows_the_content_and_signing_state(self) -> None:
        shared = self.varied_reflection(1)
        self.share(shared)
        record = self.record()
        record.reflections.set([shared])
        response = self.p.client_for(self.p.sam).get(record.get_absolute_url())
        assert response.status_code == 200
        for text in [*CONTEXT_NAMES, "Book a reflective session on endings", "Sign as supervisor"]:
            self.assertContains(response, text)
        self.assertContains(response, reverse("supervision:reflection", kwargs={"pk": shared.pk}))
        self.assertContains(response, reverse("supervision:record_pdf", kwargs={"pk": record.pk}))

    def test_the_record_page_runs_a_fixed_number_of_queries(self) -> None:
        """Nine, however many actions, checks or reflections it holds: the site's own three for
        any signed-in page, access (the record and the live-link check: 2), the record with its
        people and versions (1), and its checks, actions and discussed reflections (3)."""
        record = self.record(actions=("One",))
        client = self.p.client_for(self.p.sam)
        with self.assertNumQueries(9):
            client.get(record.get_absolute_url())
        for index in range(4):
            RecordAction.objects.create(record=record, text=f"More {index}", owner=self.p.sam)
        with self.assertNumQueries(9):
            client.get(record.get_absolute_url())

    def test_marking_an_action_done_works_on_a_signed_record(self) -> None:
        record = self.record(signed=True)
        action = record.actions.get()
        url = reverse(
            "supervision:record_action_done", kwargs={"pk": record.pk, "action_id": action.pk}
        )
        response = self.p.client_for(self.p.alice).post(url, {"done": "1"})
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.done_at is not None
        record.refresh_from_db()
        assert record.is_locked
