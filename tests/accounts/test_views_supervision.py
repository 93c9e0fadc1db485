"""The organisation admin's supervision links page: create, list current and past, end."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.models import AuditEvent, SupervisionLink, User
from tests.accounts.support import PersonasTestCase
from tests.base import make_member

Action = AuditEvent.Action


class SupervisionPageTests(PersonasTestCase):
    url = reverse("accounts:supervision", kwargs={"slug": "riverside"})

    def form(self, supervisor: User, worker: User, **changes: object) -> dict[str, object]:
        return {
            "supervisor": supervisor.pk,
            "worker": worker.pk,
            "starts_on": timezone.localdate().isoformat(),
            **changes,
        }

    def test_the_admin_sees_current_links_and_the_pickers_hold_only_eligible_people(self) -> None:
        response = self.p.client_for(self.p.olive).get(self.url)
        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.fields["supervisor"].queryset) == {self.p.sam, self.p.una}
        assert set(form.fields["worker"].queryset) == {self.p.alice, self.p.bob}
        html = response.content.decode()
        assert 'End link<span class="visually-hidden"> between Sam and Alice' in html

    def test_the_admin_links_a_supervisor_to_a_worker(self) -> None:
        response = self.p.client_for(self.p.olive).post(
            self.url, self.form(self.p.una, self.p.alice)
        )
        assert response.status_code == 302
        link = SupervisionLink.objects.get(supervisor=self.p.una)
        assert link.worker == self.p.alice
        assert link.organisation == self.p.riverside
        assert access.is_supervisor_of(self.p.una, self.p.alice)
        assert AuditEvent.objects.filter(action=Action.LINK_CREATED).count() == 1

    def test_another_organisations_people_are_field_errors(self) -> None:
        response = self.p.client_for(self.p.olive).post(
            self.url, self.form(self.p.hana, self.p.omar)
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="id_supervisor_error"' in html
        assert 'id="id_worker_error"' in html
        assert not SupervisionLink.objects.filter(supervisor=self.p.hana).exists()

    def test_bad_input_gives_field_errors_not_a_crash(self) -> None:
        client = self.p.client_for(self.p.olive)
        cases = [
            {},
            self.form(self.p.sam, self.p.alice),
            self.form(self.p.una, self.p.alice, starts_on="31/02/2025"),
            self.form(self.p.una, self.p.alice, starts_on="9" * 300),
            {"supervisor": "<script>", "worker": "1 OR 1=1", "starts_on": ""},
            self.form(self.p.una, self.p.dee),
            self.form(self.p.tara, self.p.alice),
        ]
        for data in cases:
            with self.subTest(data=data):
                response = client.post(self.url, data)
                assert response.status_code == 200
                assert 'class="error-summary"' in response.content.decode()
        assert SupervisionLink.objects.count() == 2

    def test_the_same_person_on_both_sides_is_a_field_error(self) -> None:
        make_member(self.p.tara, self.p.hillside, "peer_worker")
        both = User.objects.create(username="both")
        make_member(both, self.p.riverside, "peer_worker", "supervisor")
        response = self.p.client_for(self.p.olive).post(self.url, self.form(both, both))
        assert response.status_code == 200
        assert "cannot supervise themselves" in response.content.decode()

    def test_ending_a_link_moves_it_to_past_and_ends_access(self) -> None:
        client = self.p.client_for(self.p.olive)
        end = reverse(
            "accounts:supervision_end", kwargs={"slug": "riverside", "pk": self.p.sam_alice.pk}
        )
        response = client.post(end)
        assert response.status_code == 302
        self.p.sam_alice.refresh_from_db()
        assert self.p.sam_alice.ended_at is not None
        assert not access.is_supervisor_of(self.p.sam, self.p.alice)
        page = client.get(self.url)
        assert list(page.context["past"].object_list) == [self.p.sam_alice]
        assert list(page.context["current"]) == [self.p.sam_bob]

    def test_ending_another_organisations_link_is_a_404(self) -> None:
        link = SupervisionLink.objects.create(
            organisation=self.p.hillside, supervisor=self.p.hana, worker=self.p.omar
        )
        end = reverse("accounts:supervision_end", kwargs={"slug": "riverside", "pk": link.pk})
        assert self.p.client_for(self.p.olive).post(end).status_code == 404
        link.refresh_from_db()
        assert link.ended_at is None

    def test_non_admins_get_a_404(self) -> None:
        end = reverse(
            "accounts:supervision_end", kwargs={"slug": "riverside", "pk": self.p.sam_alice.pk}
        )
        for user in (self.p.alice, self.p.sam, self.p.una, self.p.omar):
            with self.subTest(user=user.username):
                client = self.p.client_for(user)
                assert client.get(self.url).status_code == 404
                assert client.post(end).status_code == 404
        self.p.sam_alice.refresh_from_db()
        assert self.p.sam_alice.ended_at is None

    def test_get_on_end_is_not_allowed(self) -> None:
        end = reverse(
            "accounts:supervision_end", kwargs={"slug": "riverside", "pk": self.p.sam_alice.pk}
        )
        assert self.p.client_for(self.p.olive).get(end).status_code == 405

    def test_past_links_are_paginated(self) -> None:
        now = timezone.now()
        for _ in range(30):
            SupervisionLink.objects.create(
                organisation=self.p.riverside,
                supervisor=self.p.una,
                worker=self.p.bob,
                ended_at=now,
            )
        client = self.p.client_for(self.p.olive)
        first = client.get(self.url)
        assert len(first.context["past"].object_list) == 25
        second = client.get(self.url, {"page": 2})
        assert len(second.context["past"].object_list) == 5
        assert client.get(self.url, {"page": "banana"}).status_code == 200
