"""The trainer's side: creating, opening and closing a workshop, the room, results and CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from tests.workshops.support import WorkshopTestCase, answer_fields
from workshops import services
from workshops.models import Answer, Workshop


class WorkshopLifeTests(WorkshopTestCase):
    def test_a_trainer_creates_a_workshop_with_vignettes_in_order(self) -> None:
        client = self.p.client_for(self.p.tara)
        chosen = [self.library[4], self.library[1]]
        response = client.post(
            reverse("workshops:create"),
            {
                "title": "Tuesday group",
                "date": timezone.localdate().isoformat(),
                "mode": "table",
                "vignette_1": chosen[0].pk,
                "vignette_2": chosen[1].pk,
            },
        )
        workshop = Workshop.objects.get(title="Tuesday group")
        assert response.status_code == 302
        assert response["Location"] == workshop.get_absolute_url()
        assert (workshop.organisation, workshop.trainer, workshop.mode, workshop.status) == (
            self.p.riverside,
            self.p.tara,
            "table",
            "ready",
        )
        assert [item.vignette for item in workshop.items.all()] == chosen
        assert workshop.join_code is None

    def test_a_workshop_without_vignettes_or_with_one_twice_is_refused_with_a_message(self) -> None:
        client = self.p.client_for(self.p.tara)
        base = {"title": "T", "date": timezone.localdate().isoformat(), "mode": "individual"}
        page = client.post(reverse("workshops:create"), base).content.decode()
        assert "This field is required" in page
        twice = {**base, "vignette_1": self.library[0].pk, "vignette_2": self.library[0].pk}
        page = client.post(reverse("workshops:create"), twice).content.decode()
        assert "Each vignette can appear only once" in page
        assert not Workshop.objects.filter(title="T").exists()

    def test_opening_gives_a_six_character_code_and_a_qr_code_and_closing_ends_it(self) -> None:
        client = self.p.client_for(self.p.tara)
        workshop = self.make_workshop(title="Later", vignettes=self.library[:1], open_it=False)
        client.post(reverse("workshops:open", kwargs={"pk": workshop.pk}))
        workshop.refresh_from_db()
        assert workshop.status == "open"
        assert len(workshop.join_code or "") == 6
        assert set(workshop.join_code or "") <= set(services.CODE_ALPHABET)
        page = client.get(workshop.get_absolute_url()).content.decode()
        assert workshop.join_code in page
        assert '<svg role="img" aria-label="QR code for the join link"' in page
        assert f"/join/?code={workshop.join_code}" in page
        client.post(reverse("workshops:close", kwargs={"pk": workshop.pk}))
        workshop.refresh_from_db()
        assert (workshop.status, workshop.join_code) == ("closed", None)
        assert workshop.closed_at is not None

    def test_codes_are_drawn_from_a_large_space(self) -> None:
        codes = {services.new_join_code() for _ in range(500)}
        assert len(codes) == 500
        assert len(services.CODE_ALPHABET) ** services.CODE_LENGTH > 500_000_000

    def test_moving_on_and_revealing_from_the_room(self) -> None:
        client = self.p.client_for(self.p.tara)
        move = reverse("workshops:room_move", kwargs={"pk": self.workshop.pk})
        reveal = reverse("workshops:room_reveal", kwargs={"pk": self.workshop.pk})
        client.post(reveal, {"show": "1"})
        assert Workshop.objects.get(pk=self.workshop.pk).revealed
        client.post(move, {"direction": "next"})
        workshop = Workshop.objects.get(pk=self.workshop.pk)
        assert (workshop.position, workshop.revealed) == (1, False)
        for _ in range(5):
            client.post(move, {"direction": "next"})
        assert Workshop.objects.get(pk=self.workshop.pk).position == 2  # stops at the last
        client.post(move, {"direction": "previous"})
        assert Workshop.objects.get(pk=self.workshop.pk).position == 1


class RoomTests(WorkshopTestCase):
    def live(self) -> str:
        client = self.p.client_for(self.p.tara)
        response = client.get(
            reverse("workshops:room_live", kwargs={"pk": self.workshop.pk}), HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        return response.content.decode()

    def test_the_room_shows_the_count_heat_map_map_and_agreement(self) -> None:
        item = self.workshop.items.get(position=0)
        for name, value in (("Ade", 3), ("Bea", 3), ("Cal", 2)):
            client = Client()
            self.join(client, name)
            ratings = {
                "accepting": value,
                "personalised_practice": 0,
                "empowering": 1,
                "available": 2,
                "reciprocal": 0,
            }
            client.post("/join/answer/", answer_fields(item.pk, ratings=ratings))
        page = self.live()
        assert 'data-answer-count="3"' in page
        assert "Agreement (Krippendorff's alpha)" in page
        assert "Based on 3 answers." in page
        assert "The room&#x27;s map for" in page
        assert "Accepting → I am acceptable → Self-acceptance" in page
        assert "3 / 3 (100%)" in page
        # Not revealed yet: no intended mapping.
        assert "intended mapping" not in page.lower()
        services.workshop_reveal(workshop=self.workshop, revealed=True)
        page = self.live()
        assert "The author's intended mapping" in page
        assert "Studies in the paper" in page

    def test_the_room_and_phones_poll_with_htmx(self) -> None:
        client = self.p.client_for(self.p.tara)
        room = client.get(
            reverse("workshops:room", kwargs={"pk": self.workshop.pk})
        ).content.decode()
        assert 'data-hx-trigger="every 3s"' in room
        assert 'data-room-key="n"' in room
        assert "js/workshop-room.js" in room
        phone = Client()
        self.join(phone)
        assert (
            'data-hx-get="/join/answer/follow/?position=0"'
            in phone.get("/join/answer/").content.decode()
        )

    def assert_room_queries(self, answers: int) -> None:
        self.fill_answers(self.workshop, answers)
        client = self.p.client_for(self.p.tara)
        url = reverse("workshops:room_live", kwargs={"pk": self.workshop.pk})
        client.get(url)
        # Session (1), user (1), the workshop through the trainer's organisations (1), the current item with its vignette (1), the framework's
        # boxes (3), ratings (1), chains (1): the same with 3 answers as with 40.
        with self.assertNumQueries(9):
            response = client.get(url, HTTP_HX_REQUEST="true")
        assert f'data-answer-count="{answers}"' in response.content.decode()

    def test_a_room_refresh_takes_nine_queries_with_3_answers(self) -> None:
        self.assert_room_queries(3)

    def test_a_room_refresh_takes_nine_queries_with_40_answers(self) -> None:
        self.assert_room_queries(40)

    def test_the_results_csv_holds_aggregates_only_and_is_audited(self) -> None:
        client = Client()
        self.join(client, "Secret Name")
        client.post(
            "/join/answer/",
            answer_fields(self.workshop.items.get(position=0).pk, reasoning="private words"),
        )
        trainer = self.p.client_for(self.p.tara)
        response = trainer.get(reverse("workshops:results_csv", kwargs={"pk": self.workshop.pk}))
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode()
        assert "Secret Name" not in text
        assert "private words" not in text
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:4] == ["vignette", "part", "what", "answers"]
        first = self.workshop.items.get(position=0).vignette.title
        assert [first, "rating", "Accepting", "1", "0", "0", "1", "0"] == rows[1][:8]
        assert AuditEvent.objects.filter(
            action="workshop_results_exported", actor=self.p.tara
        ).exists()

    def test_a_vignette_title_that_looks_like_a_formula_is_defused_in_the_csv(self) -> None:
        from workshops.views import _csv_cell

        assert _csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
        assert _csv_cell("Two stops") == "Two stops"


class RetentionTests(WorkshopTestCase):
    def test_participants_are_deleted_after_the_set_days_and_the_results_stay(self) -> None:
        from datetime import timedelta
        from io import StringIO

        import time_machine
        from django.core.management import call_command

        client = Client()
        self.join(client, "Ade")
        item = self.workshop.items.get(position=0)
        client.post("/join/answer/", answer_fields(item.pk, reasoning="my words"))
        services.workshop_close(workshop=self.workshop)
        out = StringIO()
        with time_machine.travel(timezone.now() + timedelta(days=29)):
            call_command("purge_workshop_participants", stdout=out)
        assert "Deleted 0" in out.getvalue()
        with time_machine.travel(timezone.now() + timedelta(days=31)):
            call_command("purge_workshop_participants", stdout=out)
        assert "Deleted 1" in out.getvalue()
        assert not self.workshop.participants.exists()
        answer = Answer.objects.get()
        assert (answer.participant, answer.reasoning) == (None, "")
        assert answer.ratings.count() == 5
        page = self.p.client_for(self.p.tara).get(
            reverse("workshops:results", kwargs={"pk": self.workshop.pk})
        )
        assert "Based on 1 answer." in page.content.decode()
        assert Workshop.objects.get(pk=self.workshop.pk).participants_deleted_at is not None

    def test_an_open_workshop_keeps_its_participants(self) -> None:
        self.join(Client(), "Ade")
        assert (
            services.participants_purge(now=timezone.now() + timezone.timedelta(days=90), days=30)
            == 0
        )


class TableModeTests(WorkshopTestCase):
    def test_in_table_mode_the_room_counts_tables_and_the_phone_says_to_answer_together(
        self,
    ) -> None:
        Workshop.objects.filter(pk=self.workshop.pk).update(mode="table")
        phone = Client()
        self.join(phone, "Table 3")
        assert "Your table answers together" in phone.get("/join/answer/").content.decode()
        phone.post("/join/answer/", answer_fields(self.workshop.items.get(position=0).pk))
        page = (
            self.p.client_for(self.p.tara)
            .get(reverse("workshops:room_live", kwargs={"pk": self.workshop.pk}))
            .content.decode()
        )
        assert "<strong>1</strong> table has answered" in page


class ResultsQueryTests(WorkshopTestCase):
    def test_the_results_page_takes_the_same_queries_for_any_number_of_answers(self) -> None:
        """Session and user (2), the workshop (1), its items with vignettes (1),
        the framework's boxes (3), ratings (1), chains (1), the paper's evidence (1) and the
        navigation's memberships (1), for all three vignettes at once."""
        client = self.p.client_for(self.p.tara)
        url = reverse("workshops:results", kwargs={"pk": self.workshop.pk})
        client.get(url)
        with self.assertNumQueries(11):
            client.get(url)
        self.fill_answers(self.workshop, 12)
        services.workshop_move(workshop=self.workshop, step=1)
        self.fill_answers(self.workshop, 5, seed=9)
        with self.assertNumQueries(11):
            page = client.get(url).content.decode()
        assert "Based on 12 answers." in page
        assert "Based on 5 answers." in page


@override_settings(SESSION_IDLE_TIMEOUT=30 * 60)
class ProjectedRoomIdleTests(WorkshopTestCase):
    """A projected room refreshes itself; only the trainer's own requests keep them signed in."""

    def test_a_room_left_polling_signs_out_after_the_idle_time(self) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            client = self.p.client_for(self.p.tara)
            room = client.get(reverse("workshops:room", kwargs={"pk": self.workshop.pk}))
            assert room.status_code == 200
        live = reverse("workshops:room_live", kwargs={"pk": self.workshop.pk})
        for minute in range(1, 30):
            with time_machine.travel(start + timedelta(minutes=minute), tick=False):
                assert client.get(live, HTTP_HX_REQUEST="true").status_code == 200

        with time_machine.travel(start + timedelta(minutes=30), tick=False):
            response = client.get(live, HTTP_HX_REQUEST="true")

        assert response.headers["HX-Redirect"].startswith("/accounts/login/")
        assert "_auth_user_id" not in client.session

    def test_moving_to_the_next_vignette_counts_as_activity(self) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            client = self.p.client_for(self.p.tara)
        with time_machine.travel(start + timedelta(minutes=20), tick=False):
            client.post(
                reverse("workshops:room_move", kwargs={"pk": self.workshop.pk}),
                {"direction": "next"},
            )

        with time_machine.travel(start + timedelta(minutes=40), tick=False):
            response = client.get(reverse("workshops:room", kwargs={"pk": self.workshop.pk}))

        assert response.status_code == 200
