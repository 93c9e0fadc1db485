"""The home page: the landing page for visitors, a dashboard by role for signed-in people."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Membership
from tests.accounts.support import PersonasTestCase
from tests.base import make_member


def main(html: str) -> str:
    return html.split('<main id="main"')[1].split("</main>")[0]


def header(html: str) -> str:
    return html.split("<header")[1].split("</header>")[0]


class HomeTests(PersonasTestCase):
    url = reverse("home")

    def test_visitors_get_the_landing_page_with_sign_in(self) -> None:
        html = self.p.client_for(None).get(self.url).content.decode()
        assert "Reflect on your peer support practice" in html
        assert reverse("account_login") in main(html)

    def test_a_peer_worker_sees_their_supervisor(self) -> None:
        html = main(self.p.client_for(self.p.alice).get(self.url).content.decode())
        assert "Riverside Peer Support" in html
        assert "Your supervisor:" in html
        assert "Sam" in html
        assert "Organisation admin" not in html

    def test_a_supervisor_sees_who_they_supervise(self) -> None:
        html = main(self.p.client_for(self.p.sam).get(self.url).content.decode())
        assert "People you supervise" in html
        assert "Alice" in html
        assert "Bob" in html

    def test_an_unrelated_supervisor_sees_nobody(self) -> None:
        html = main(self.p.client_for(self.p.una).get(self.url).content.decode())
        assert "Nobody is linked to you for supervision yet." in html
        assert "Alice" not in html

    def test_a_trainer_sees_the_framework(self) -> None:
        html = main(self.p.client_for(self.p.tara).get(self.url).content.decode())
        assert "Explore the APPEAR framework with your group" in html

    def test_an_admin_sees_the_organisation_pages_in_the_dashboard_and_the_header(self) -> None:
        html = self.p.client_for(self.p.olive).get(self.url).content.decode()
        members = reverse("accounts:members", kwargs={"slug": "riverside"})
        assert members in main(html)
        assert members in header(html)

    def test_nobody_else_gets_the_organisation_link_in_the_header(self) -> None:
        for user in (self.p.alice, self.p.sam, self.p.tara, self.p.dee, self.p.omar):
            with self.subTest(user=user.username):
                html = self.p.client_for(user).get(self.url).content.decode()
                assert "/accounts/organisation/" not in header(html)

    def test_an_admin_of_two_organisations_sees_both_by_name(self) -> None:
        make_member(self.p.olive, self.p.hillside, Membership.Role.ORG_ADMIN)
        html = header(self.p.client_for(self.p.olive).get(self.url).content.decode())
        assert "Riverside Peer Support" in html
        assert "Hillside Recovery Service" in html

    def test_a_deactivated_member_is_told_they_have_no_organisation(self) -> None:
        html = main(self.p.client_for(self.p.dee).get(self.url).content.decode())
        assert "You are not an active member of any organisation" in html
        assert "Riverside" not in html

    def test_everyone_signed_in_finds_their_own_audit_page(self) -> None:
        html = self.p.client_for(self.p.bob).get(self.url).content.decode()
        assert reverse("accounts:my_audit") in html

    def test_the_dashboard_query_count_does_not_grow_with_links(self) -> None:
        """Nine queries: session, user, the framework version,
        the person's memberships for the dashboard, their current links with both people
        joined, what waits for a supervisor (records to sign, actions due, newly shared
        reflections; supervision/waiting.py), and the memberships again for the header.
        """
        client = self.p.client_for(self.p.sam)
        with self.assertNumQueries(9):
            client.get(self.url)
        for number in range(10):
            worker = make_member(
                type(self.p.alice).objects.create(username=f"w{number}"),
                self.p.riverside,
                "peer_worker",
            ).user
            self.p.sam_alice.__class__.objects.create(
                organisation=self.p.riverside, supervisor=self.p.sam, worker=worker
            )
        with self.assertNumQueries(9):
            response = client.get(self.url)
        assert "w9" in response.content.decode()
