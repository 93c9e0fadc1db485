"""Every page that shows a reflection's content to someone else audits it (finding 2).

The supervisor's dashboard, a supervisee's page and the on-screen brief show person labels,
chains and learning lines. Each view writes one audit event per worker shown, naming the
reflections on the page, with the worker as subject so it appears on their "who has looked at
my material" page. A page that shows nobody's reflections writes nothing.
"""

from __future__ import annotations

from django.urls import reverse

from accounts.models import AuditEvent
from tests.supervision.sharing_support import SECRET_TEXTS, SharingTestCase

VIEWED = AuditEvent.Action.REFLECTION_VIEWED


class ReadAuditTests(SharingTestCase):
    def viewed(self) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action=VIEWED).order_by("subject_id", "pk"))

    def test_the_dashboard_audits_each_supervisee_whose_reflections_it_shows(self) -> None:
        alice_first = self.share(self.full_reflection()).reflection
        alice_second = self.share(self.full_reflection()).reflection
        bob_one = self.share(self.full_reflection(self.p.bob), link=self.p.sam_bob).reflection
        response = self.p.client_for(self.p.sam).get(reverse("supervision:dashboard"))
        assert response.status_code == 200
        events = self.viewed()
        assert [(event.subject, event.actor) for event in events] == [
            (self.p.alice, self.p.sam),
            (self.p.bob, self.p.sam),
        ]
        assert sorted(events[0].detail["reflections"]) == sorted([alice_first.pk, alice_second.pk])
        assert events[0].detail["page"] == "dashboard"
        assert events[1].detail["reflections"] == [bob_one.pk]
        assert events[0].organisation == self.p.riverside

    def test_a_dashboard_without_shares_audits_nothing(self) -> None:
        self.p.client_for(self.p.sam).get(reverse("supervision:dashboard"))
        assert self.viewed() == []

    def test_each_view_of_the_dashboard_is_one_more_event(self) -> None:
        self.share(self.full_reflection())
        client = self.p.client_for(self.p.sam)
        client.get(reverse("supervision:dashboard"))
        client.get(reverse("supervision:dashboard"))
        assert len(self.viewed()) == 2

    def test_a_supervisees_page_audits_the_reflections_it_shows(self) -> None:
        shared = self.share(self.full_reflection()).reflection
        self.full_reflection()  # not shared: not on the page, not named
        url = reverse("supervision:worker", kwargs={"user_id": self.p.alice.pk})
        assert self.p.client_for(self.p.sam).get(url).status_code == 200
        [event] = self.viewed()
        assert (event.subject, event.actor) == (self.p.alice, self.p.sam)
        assert event.detail == {"page": "supervisee", "reflections": [shared.pk]}

    def test_the_on_screen_brief_audits_the_reflections_it_draws_from(self) -> None:
        shared = self.share(self.full_reflection()).reflection
        url = reverse("supervision:brief", kwargs={"user_id": self.p.alice.pk})
        assert self.p.client_for(self.p.sam).get(url).status_code == 200
        [event] = self.viewed()
        assert (event.subject, event.actor) == (self.p.alice, self.p.sam)
        assert event.detail == {"page": "brief", "reflections": [shared.pk]}

    def test_the_events_appear_on_the_workers_own_audit_page(self) -> None:
        self.share(self.full_reflection())
        self.p.client_for(self.p.sam).get(reverse("supervision:dashboard"))
        html = self.p.client_for(self.p.alice).get(reverse("accounts:my_audit")).content.decode()
        assert "Viewed a reflection" in html
        assert "Sam" in html

    def test_no_event_holds_reflection_text(self) -> None:
        self.share(self.full_reflection())
        client = self.p.client_for(self.p.sam)
        client.get(reverse("supervision:dashboard"))
        client.get(reverse("supervision:worker", kwargs={"user_id": self.p.alice.pk}))
        client.get(reverse("supervision:brief", kwargs={"user_id": self.p.alice.pk}))
        events = self.viewed()
        assert len(events) == 3
        details = str([event.detail for event in events])
        assert all(text not in details for text in SECRET_TEXTS.values())
        assert all(set(event.detail) == {"page", "reflections"} for event in events)
