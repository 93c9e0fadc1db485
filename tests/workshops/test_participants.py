"""Joining with a code and answering on a phone, and every kind of bad input on the way."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.workshops.support import CONTEXT_KEYS, WorkshopTestCase, answer_fields
from workshops import services
from workshops.access import PARTICIPANT_COOKIE
from workshops.models import Answer, Participant, Workshop

JOIN = "/join/"
ANSWER = "/join/answer/"
FOLLOW = "/join/answer/follow/"


class JoiningTests(WorkshopTestCase):
    def test_a_participant_joins_with_the_code_and_a_name_and_no_account(self) -> None:
        client = Client()
        code = self.workshop.join_code
        assert code is not None
        response = client.post(
            JOIN, {"code": f" {code[:3].lower()}-{code[3:]} ", "display_name": "  Ade  "}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("join:answer")
        participant = Participant.objects.get()
        assert (participant.workshop, participant.display_name) == (self.workshop, "Ade")
        cookie = response.cookies[PARTICIPANT_COOKIE]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"
        # The cookie carries a signed random token, not the row's number.
        assert cookie.value.split(":")[0] == participant.token != str(participant.pk)
        page = client.get(ANSWER)
        assert page.status_code == 200
        assert self.workshop.items.get(position=0).vignette.title in page.content.decode()

    def test_the_join_page_takes_the_code_from_the_qr_link(self) -> None:
        page = Client().get(f"{JOIN}?code={self.workshop.join_code}")
        assert f'value="{self.workshop.join_code}"' in page.content.decode()

    def assert_refused(self, response: object, message: str) -> None:
        assert response.status_code in (400, 429), response.status_code  # type: ignore[attr-defined]
        assert message in response.content.decode()  # type: ignore[attr-defined]
        assert PARTICIPANT_COOKIE not in response.cookies  # type: ignore[attr-defined]

    def test_a_wrong_code_is_refused_with_a_message(self) -> None:
        response = Client().post(JOIN, {"code": "ZZZZZZ", "display_name": "Ade"})
        self.assert_refused(response, "No open workshop has this code")
        response = Client().post(JOIN, {"code": "<script>", "display_name": "Ade"})
        self.assert_refused(response, "A workshop code is six letters and numbers")
        assert not Participant.objects.exists()

    def test_a_closed_workshops_code_no_longer_works(self) -> None:
        code = self.workshop.join_code
        services.workshop_close(workshop=self.workshop)
        response = Client().post(JOIN, {"code": code, "display_name": "Ade"})
        self.assert_refused(response, "No open workshop has this code")

    @override_settings(WORKSHOP_CODE_HOURS=2)
    def test_an_expired_code_is_refused(self) -> None:
        with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
            response = Client().post(JOIN, {"code": self.workshop.join_code, "display_name": "Ade"})
        self.assert_refused(response, "This code has expired")

    @override_settings(WORKSHOP_MAX_PARTICIPANTS=2)
    def test_a_full_workshop_takes_nobody_else(self) -> None:
        self.join(Client(), "Ade")
        self.join(Client(), "Bea")
        response = Client().post(JOIN, {"code": self.workshop.join_code, "display_name": "Cal"})
        self.assert_refused(response, "This workshop is full")
        assert Participant.objects.count() == 2

    def test_a_10_kb_display_name_is_refused_and_nothing_is_stored(self) -> None:
        response = Client().post(
            JOIN, {"code": self.workshop.join_code, "display_name": "x" * 10_240}
        )
        self.assert_refused(response, "Ensure this value has at most 40 characters")
        assert not Participant.objects.exists()
        # The code typed is kept in the form.
        assert f'value="{self.workshop.join_code}"' in response.content.decode()

    def test_a_name_of_only_invisible_characters_is_refused(self) -> None:
        response = Client().post(
            JOIN, {"code": self.workshop.join_code, "display_name": "\u200b\u2060 \u200b"}
        )
        self.assert_refused(response, "Type a name the room can know you by")

    def test_names_are_escaped_on_the_trainers_page(self) -> None:
        self.join(Client(), "<script>alert(1)</script>")
        page = self.p.client_for(self.p.tara).get(self.workshop.get_absolute_url()).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_wrong_codes_from_one_address_are_limited_but_right_ones_are_not(self) -> None:
        for _ in range(10):
            Client().post(JOIN, {"code": "ZZZZZZ", "display_name": "Guess"})
        response = Client().post(JOIN, {"code": self.workshop.join_code, "display_name": "Ade"})
        self.assert_refused(response, "Too many wrong codes from this network")
        assert response.status_code == 429
        other = Client(REMOTE_ADDR="10.0.0.9")
        assert (
            other.post(JOIN, {"code": self.workshop.join_code, "display_name": "Bea"}).status_code
            == 302
        )


class CookieTests(WorkshopTestCase):
    def test_a_forged_cookie_is_nobody(self) -> None:
        participant = self.join(Client())
        forged = Client()
        forged.cookies[PARTICIPANT_COOKIE] = participant.token  # unsigned
        page = forged.get(ANSWER)
        assert page.status_code == 403
        assert "You are not in an open workshop" in page.content.decode()
        item = self.workshop.items.get(position=0)
        assert forged.post(ANSWER, answer_fields(item.pk)).status_code == 403
        assert not Answer.objects.exists()

    def test_a_cookie_replayed_after_the_workshop_closed_shows_nothing(self) -> None:
        client = Client()
        self.join(client)
        services.workshop_close(workshop=self.workshop)
        page = client.get(ANSWER).content.decode()
        assert "You are not in an open workshop" in page
        assert self.workshop.items.get(position=0).vignette.title not in page

    def test_a_cookie_replayed_after_the_participant_was_deleted_shows_nothing(self) -> None:
        client = Client()
        self.join(client)
        Participant.objects.all().delete()
        assert "You are not in an open workshop" in client.get(ANSWER).content.decode()

    def test_a_cookie_older_than_a_day_is_refused(self) -> None:
        client = Client()
        self.join(client)
        with time_machine.travel(timezone.now() + timedelta(hours=25)):
            assert "You are not in an open workshop" in client.get(ANSWER).content.decode()


class AnsweringTests(WorkshopTestCase):
    def setUp(self) -> None:
        self.client = Client()
        self.participant = self.join(self.client)
        self.item = self.workshop.items.get(position=0)

    def test_an_answer_is_saved_and_can_be_changed_until_the_trainer_moves_on(self) -> None:
        response = self.client.post(
            ANSWER, answer_fields(self.item.pk, reasoning="She felt heard.")
        )
        assert response.status_code == 302
        answer = Answer.objects.get()
        assert {r.context: r.presence for r in answer.ratings.all()} == dict.fromkeys(
            CONTEXT_KEYS, 2
        )
        assert [(c.context, c.mechanism, c.domain) for c in answer.chains.all()] == [
            ("accepting", "i_am_acceptable_or_worthwhile", "self_acceptance")
        ]
        changed = answer_fields(self.item.pk, ratings=dict.fromkeys(CONTEXT_KEYS, 3))
        assert self.client.post(ANSWER, changed).status_code == 302
        assert Answer.objects.count() == 1
        assert set(Answer.objects.get().ratings.values_list("presence", flat=True)) == {3}
        # The phone shows the saved answer again.
        page = self.client.get(ANSWER).content.decode()
        assert "You have answered" in page

    def test_an_incomplete_answer_comes_back_with_messages_and_what_was_chosen(self) -> None:
        data = answer_fields(self.item.pk, chain2_context="empowering")
        del data["rating_reciprocal"]
        response = self.client.post(ANSWER, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert "Choose how present Reciprocal was." in page
        assert "Chain 2: choose a context, a mechanism and an outcome, or none." in page
        assert 'value="empowering" selected' in page
        assert not Answer.objects.exists()

    def test_a_key_from_nowhere_is_a_field_error_not_a_500(self) -> None:
        response = self.client.post(
            ANSWER, answer_fields(self.item.pk, chain1_mechanism="<x>", rating_accepting="9")
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()

    def test_after_the_trainer_moves_on_an_old_answer_is_not_saved_and_nothing_is_lost(
        self,
    ) -> None:
        services.workshop_move(workshop=self.workshop, step=1)
        response = self.client.post(ANSWER, answer_fields(self.item.pk, reasoning="kept"))
        assert response.status_code == 409
        page = response.content.decode()
        assert "no longer on" in page
        assert "kept" in page
        assert not Answer.objects.exists()

    def test_posting_to_another_workshops_vignette_saves_nothing_there(self) -> None:
        other = self.make_workshop(title="Hillside's", vignettes=self.library[3:4])
        other_item = other.items.get()
        response = self.client.post(ANSWER, answer_fields(other_item.pk))
        assert response.status_code == 409
        page = response.content.decode()
        assert other_item.vignette.title not in page
        assert not Answer.objects.exists()

    def test_answers_are_rate_limited_per_participant(self) -> None:
        for _ in range(20):
            assert self.client.post(ANSWER, answer_fields(self.item.pk)).status_code == 302
        response = self.client.post(ANSWER, answer_fields(self.item.pk))
        assert response.status_code == 429
        assert "a lot of saves in a minute" in response.content.decode()

    def test_nobody_sees_anyone_elses_answer(self) -> None:
        self.client.post(ANSWER, answer_fields(self.item.pk, reasoning="Only mine to see"))
        other = Client()
        self.join(other, "Bea")
        page = other.get(ANSWER).content.decode()
        assert "Only mine to see" not in page
        assert "You have answered" not in page

    def test_the_phone_follows_when_the_trainer_moves_on(self) -> None:
        assert self.client.get(FOLLOW, {"position": 0}).status_code == 204
        assert "HX-Redirect" not in self.client.get(FOLLOW, {"position": 0})
        services.workshop_move(workshop=self.workshop, step=1)
        response = self.client.get(FOLLOW, {"position": 0}, HTTP_HX_REQUEST="true")
        assert response["HX-Redirect"] == reverse("join:answer")
        second = Workshop.objects.get(pk=self.workshop.pk).items.get(position=1).vignette.title
        assert second in self.client.get(ANSWER).content.decode()

    def test_answering_takes_a_fixed_number_of_queries(self) -> None:
        """Cookie lookup with its workshop (1), current item with vignette (1), the framework's
        boxes (3), the item count (1), the participant's earlier answer (1) and, once there is
        one, its ratings and chains (2)."""
        with self.assertNumQueries(7):
            assert self.client.get(ANSWER).status_code == 200
        self.client.post(ANSWER, answer_fields(self.item.pk))
        with self.assertNumQueries(9):
            assert self.client.get(ANSWER).status_code == 200
