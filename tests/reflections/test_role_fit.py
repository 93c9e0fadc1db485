"""Pages for a role a person does not hold explain themselves instead of inviting them in."""

from __future__ import annotations

from typing import ClassVar

from django.test import TestCase
from django.urls import reverse

from accounts.models import User
from tests.base import Personas, make_personas
from tests.reflections.practice_helpers import load_framework

PAGES = ("reflections:list", "reflections:practice")


class PeerWorkerPagesForOtherRolesTests(TestCase):
    people: ClassVar[Personas]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        load_framework()

    def html(self, user: User, name: str) -> str:
        response = self.people.client_for(user).get(reverse(name))
        assert response.status_code == 200
        return str(response.content.decode())

    def test_a_trainer_is_told_the_page_is_for_peer_workers_and_pointed_to_the_explorer(
        self,
    ) -> None:
        for name in PAGES:
            html = self.html(self.people.tara, name)
            assert "This page is for peer workers" in html, name
            assert "No reflections yet" not in html, name
            assert "Your practice map fills in" not in html, name
            assert reverse("framework:overview") + '">The framework explorer' in html, name

    def test_a_supervisor_and_an_admin_are_pointed_to_their_own_pages(self) -> None:
        for name in PAGES:
            assert reverse("supervision:dashboard") in self.html(self.people.sam, name)
            assert reverse("accounts:members", kwargs={"slug": "riverside"}) in self.html(
                self.people.olive, name
            )

    def test_a_peer_worker_gets_the_page_itself(self) -> None:
        for name in PAGES:
            assert "This page is for peer workers" not in self.html(self.people.alice, name)
