"""The organisation's audit trail and each person's "who has looked at my material" page."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from tests.accounts.support import PersonasTestCase

Action = AuditEvent.Action
MACHINE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}")


class OrganisationAuditTests(PersonasTestCase):
    url = reverse("accounts:organisation_audit", kwargs={"slug": "riverside"})

    def record(self, count: int, action: str = Action.REFLECTION_VIEWED, **extra: object) -> None:
        for _ in range(count):
            audit_record(
                action=action,
                actor=self.p.sam,
                organisation=self.p.riverside,
                subject=self.p.alice,
                **extra,  # type: ignore[arg-type]
            )

    def test_the_admin_reads_their_organisations_trail_newest_first(self) -> None:
        client = self.p.client_for(self.p.olive)
        self.record(1, Action.LINK_CREATED)
        self.record(1, Action.REFLECTION_VIEWED)
        audit_record(
            action=Action.LINK_CREATED,
            actor=self.p.hana,
            organisation=self.p.hillside,
            subject=self.p.omar,
        )
        response = client.get(self.url)
        assert response.status_code == 200
        # Signing the client in may itself be audited; that is not what this test is about.
        actions = [
            e.action for e in response.context["page"].object_list if e.action != Action.SIGN_IN
        ]
        assert actions == [Action.REFLECTION_VIEWED, Action.LINK_CREATED]
        assert "Omar" not in response.content.decode().split("<main")[1]

    def test_each_time_is_also_given_in_a_valid_machine_readable_form(self) -> None:
        self.record(3)
        html = self.p.client_for(self.p.olive).get(self.url).content.decode()
        stamps = re.findall(r'<time datetime="([^"]*)"', html)
        assert len(stamps) >= 3
        # HTML allows at most three digits of a second; Python's isoformat gives six.
        assert all(MACHINE_TIME.fullmatch(stamp) for stamp in stamps), stamps

    def test_sign_ins_without_an_organisation_are_included_for_members_only(self) -> None:
        audit_record(action=Action.SIGN_IN_FAILED, actor=None, subject=self.p.alice)
        audit_record(action=Action.SIGN_IN_FAILED, actor=None, subject=self.p.omar)
        response = self.p.client_for(self.p.olive).get(self.url, {"action": Action.SIGN_IN_FAILED})
        subjects = [event.subject for event in response.context["page"].object_list]
        assert subjects == [self.p.alice]

    def test_filtering_by_action(self) -> None:
        self.record(2, Action.LINK_CREATED)
        self.record(3, Action.REFLECTION_VIEWED)
        response = self.p.client_for(self.p.olive).get(self.url, {"action": Action.LINK_CREATED})
        assert response.context["page"].paginator.count == 2

    def test_filtering_by_person_matches_what_they_did_and_what_concerns_them(self) -> None:
        self.record(2)
        audit_record(
            action=Action.ROLES_CHANGED,
            actor=self.p.olive,
            organisation=self.p.riverside,
            subject=self.p.bob,
        )
        client = self.p.client_for(self.p.olive)
        assert (
            client.get(self.url, {"person": self.p.alice.pk}).context["page"].paginator.count == 2
        )
        assert client.get(self.url, {"person": self.p.sam.pk}).context["page"].paginator.count == 2
        assert client.get(self.url, {"person": self.p.bob.pk}).context["page"].paginator.count == 1

    def test_a_person_from_another_organisation_or_nonsense_is_a_field_error(self) -> None:
        client = self.p.client_for(self.p.olive)
        for query in ({"person": self.p.omar.pk}, {"person": "<script>"}, {"action": "x" * 500}):
            with self.subTest(query=query):
                response = client.get(self.url, query)
                assert response.status_code == 200
                assert response.context["page"] is None
                assert 'class="error-summary"' in response.content.decode()

    def test_pages_hold_25_events_and_keep_the_filter(self) -> None:
        self.record(30)
        client = self.p.client_for(self.p.olive)
        first = client.get(self.url, {"action": Action.REFLECTION_VIEWED})
        assert len(first.context["page"].object_list) == 25
        assert "?action=reflection_viewed&amp;page=2" in first.content.decode()
        query: dict[str, str | int] = {"action": Action.REFLECTION_VIEWED, "page": 2}
        second = client.get(self.url, query)
        assert len(second.context["page"].object_list) == 5

    def test_the_query_count_does_not_grow_with_events(self) -> None:
        """Eight queries with 3 or 30 events: session, user, the organisation access check, the person filter's check of the chosen person, the
        paginator's count, the header's navigation memberships, the people listed in the person
        filter, and the page of events with actor and subject joined.
        """
        client = self.p.client_for(self.p.olive)
        query = {"person": self.p.alice.pk}
        self.record(3)
        with self.assertNumQueries(8):
            client.get(self.url, query)
        self.record(27)
        with self.assertNumQueries(8):
            response = client.get(self.url, query)
        assert response.context["page"].paginator.count == 30

    def test_non_admins_get_a_404(self) -> None:
        for user in (self.p.alice, self.p.sam, self.p.tara, self.p.dee, self.p.omar):
            with self.subTest(user=user.username):
                assert self.p.client_for(user).get(self.url).status_code == 404

    def test_post_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.olive).post(self.url).status_code == 405


class MyAuditTests(PersonasTestCase):
    url = reverse("accounts:my_audit")

    def test_a_person_sees_what_others_did_about_them_but_not_their_own_actions(self) -> None:
        audit_record(
            action=Action.REFLECTION_VIEWED,
            actor=self.p.sam,
            organisation=self.p.riverside,
            subject=self.p.alice,
        )
        audit_record(action=Action.SIGN_IN_FAILED, actor=None, subject=self.p.alice)
        audit_record(action=Action.SIGN_IN, actor=self.p.alice, subject=self.p.alice)
        audit_record(
            action=Action.REFLECTION_VIEWED,
            actor=self.p.sam,
            organisation=self.p.riverside,
            subject=self.p.bob,
        )
        response = self.p.client_for(self.p.alice).get(self.url)
        assert response.status_code == 200
        actions = [event.action for event in response.context["page"].object_list]
        assert actions == [Action.SIGN_IN_FAILED, Action.REFLECTION_VIEWED]
        html = response.content.decode()
        assert "Sam" in html
        assert "Nobody signed in" in html

    def test_nothing_yet_says_so(self) -> None:
        response = self.p.client_for(self.p.bob).get(self.url)
        assert "Nobody else has looked at your material yet." in response.content.decode()

    def test_the_page_is_paginated_and_its_query_count_does_not_grow(self) -> None:
        """Five queries with 3 or 30 events: session, user, the paginator's count, the header's navigation memberships and the page of events with
        actor and organisation joined.
        """
        client = self.p.client_for(self.p.alice)
        for _ in range(3):
            audit_record(
                action=Action.REFLECTION_VIEWED,
                actor=self.p.sam,
                organisation=self.p.riverside,
                subject=self.p.alice,
            )
        with self.assertNumQueries(5):
            client.get(self.url)
        for _ in range(27):
            audit_record(
                action=Action.REFLECTION_VIEWED,
                actor=self.p.sam,
                organisation=self.p.riverside,
                subject=self.p.alice,
            )
        with self.assertNumQueries(5):
            response = client.get(self.url)
        assert len(response.context["page"].object_list) == 25
        assert len(client.get(self.url, {"page": 2}).context["page"].object_list) == 5

    def test_visitors_are_sent_to_sign_in(self) -> None:
        response = self.p.client_for(None).get(self.url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={self.url}"

    def test_post_is_not_allowed(self) -> None:
        assert self.p.client_for(self.p.alice).post(self.url).status_code == 405


class AuditDescriptionTests(PersonasTestCase):
    """Each line of the trail says what happened: what was exported, whom an invitation went to."""

    url = reverse("accounts:organisation_audit", kwargs={"slug": "riverside"})

    def test_exports_and_invitations_are_named_on_the_trail(self) -> None:
        sam, alice, riverside = self.p.sam, self.p.alice, self.p.riverside
        for kind in ("reflection", "supervision_record"):
            audit_record(
                action=Action.REFLECTION_EXPORTED,
                actor=sam,
                organisation=riverside,
                subject=alice,
                export=kind,
            )
        audit_record(
            action=Action.REFLECTION_EXPORTED,
            actor=sam,
            organisation=riverside,
            subject=alice,
            export="supervision_brief",
            start="2026-09-01",
            end="2026-12-01",
            reflections=4,
        )
        audit_record(
            action=Action.INVITATION_SENT,
            actor=self.p.olive,
            organisation=self.p.riverside,
            email="newcomer@example.org",
        )
        html = self.p.client_for(self.p.olive).get(self.url).content.decode()
        for words in (
            "Exported a reflection as a PDF",
            "Exported a supervision record as a PDF",
            "Exported a supervision brief (4 reflections, 2026-09-01 to 2026-12-01)",
            "Sent an invitation to newcomer@example.org",
        ):
            assert words in html, words

    def test_other_events_keep_their_plain_name(self) -> None:
        event = AuditEvent(action=Action.SIGN_IN, detail={"email": "x@example.org"})
        assert event.description == "Signed in"


class AuditPeriodAndCsvTests(PersonasTestCase):
    url = reverse("accounts:organisation_audit", kwargs={"slug": "riverside"})
    csv_url = reverse("accounts:organisation_audit_csv", kwargs={"slug": "riverside"})

    def setUp(self) -> None:
        now = timezone.now()
        for days, action in ((40, Action.LINK_CREATED), (10, Action.ROLES_CHANGED)):
            with time_machine.travel(now - timedelta(days=days), tick=False):
                audit_record(action=action, actor=self.p.olive, organisation=self.p.riverside)
        self.client_ = self.p.client_for(self.p.olive)

    def period(self, start: int, end: int) -> str:
        today = timezone.localdate()
        return (
            f"start={(today - timedelta(days=start)).isoformat()}"
            f"&end={(today - timedelta(days=end)).isoformat()}"
        )

    def test_the_trail_shows_only_the_days_asked_for(self) -> None:
        html = self.client_.get(f"{self.url}?{self.period(20, 0)}").content.decode()
        assert "<td>Changed roles</td>" in html
        assert "<td>Created a supervision link</td>" not in html

    def test_a_period_ending_before_it_starts_is_a_field_error_not_a_500(self) -> None:
        response = self.client_.get(f"{self.url}?{self.period(0, 20)}")
        assert response.status_code == 200
        self.assertContains(response, "The end of the period must not be before its start.")
        for query in ("start=2026-02-30", "end=1899-01-01", "start=<script>"):
            response = self.client_.get(f"{self.url}?{query}")
            assert response.status_code == 200, query
            assert response.context["page"] is None, query

    def test_the_csv_holds_the_filtered_events_and_its_export_is_audited(self) -> None:
        response = self.client_.get(f"{self.csv_url}?{self.period(20, 0)}")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="audit-riverside.csv"'
        assert "no-store" in response["Cache-Control"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["when", "what", "action", "who", "about", "ip_address"]
        actions = [row[2] for row in rows[1:]]
        assert Action.ROLES_CHANGED in actions
        assert Action.LINK_CREATED not in actions, "older than the period"
        export = AuditEvent.objects.get(action=Action.REFLECTION_EXPORTED)
        assert (export.actor, export.organisation) == (self.p.olive, self.p.riverside)
        assert export.detail["export"] == "audit_trail"
        assert export.detail["rows"] == len(actions)
        assert export.description == "Exported the audit trail as CSV"

    def test_a_cell_that_looks_like_a_formula_stays_text(self) -> None:
        User.objects.filter(pk=self.p.olive.pk).update(display_name="=SUM(A1)")
        rows = list(csv.reader(io.StringIO(self.client_.get(self.csv_url).content.decode())))
        assert rows[1][3] == "'=SUM(A1)"
        assert not any(cell.startswith("=") for row in rows for cell in row)

    def test_a_bad_period_gives_the_trail_page_with_the_error(self) -> None:
        response = self.client_.get(f"{self.csv_url}?start=2026-02-30")
        assert response.status_code == 400
        self.assertContains(response, "Enter a date", status_code=400)
        assert not AuditEvent.objects.filter(action=Action.REFLECTION_EXPORTED).exists()
