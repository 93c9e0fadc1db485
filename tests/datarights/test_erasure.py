"""Erasure: shown first, confirmed, run in the background, and complete.

The completeness test walks every model Django knows (so apps added later are covered
without changing it) and looks for the erased person's id in every column that points at a
person, and for their names, address and distinctive text in every text column.
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditEvent, Invitation, Membership, User
from datarights import erasure
from datarights.models import Erasure, FailedTask
from reflections.models import Reflection
from supervision.models import Comment, RecordAction, SupervisionRecord
from tests.base import PASSWORD, make_user
from tests.datarights.support import ALICE_TEXT, DataRightsTestCase, submitted
from workshops.models import Workshop

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def rows_pointing_at(user_id: int) -> list[str]:
    """Every row of every table with a foreign key to the person, as 'model.field: count'."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                count = model._default_manager.filter(**{field.attname: user_id}).count()
                if count:
                    found.append(f"{model._meta.label}.{field.name}: {count}")
    return found


def rows_mentioning(needles: list[str]) -> list[str]:
    """Every text column (JSON included) of every table holding any of `needles` as a word.

    "sam" must not match "same": the database finds candidates, a word-boundary match decides.
    """
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS) or field.is_relation:
                continue
            queryset: Any = model._default_manager.annotate(
                _text=Cast(field.attname, models.TextField())
            )
            for needle in needles:
                word = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.IGNORECASE)
                for value in queryset.filter(_text__icontains=needle).values_list(
                    "_text", flat=True
                ):
                    if word.search(value):
                        found.append(
                            f"{model._meta.label}.{field.name} holds {needle!r}: {value!r}"
                        )
    return found


class ErasureTests(DataRightsTestCase):
    def erase_alice_herself(self) -> None:
        client = self.p.client_for(self.p.alice)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(
                reverse("datarights:erase"), {"password": PASSWORD, "confirm": "on"}
            )
        assert response.status_code == 302

    def leave_traces_of_alice(self) -> None:
        """What a real account accumulates: a draft, a session, audit rows, an invitation."""
        p = self.p
        submitted(p, self.version, what_happened=f"Draft {ALICE_TEXT}").__class__.objects.filter(
            what_happened=f"Draft {ALICE_TEXT}"
        ).update(status=Reflection.Status.DRAFT)
        audit_record(
            action=AuditEvent.Action.REFLECTION_VIEWED,
            actor=p.sam,
            organisation=p.riverside,
            subject=p.alice,
            target=self.first,
        )
        audit_record(action=AuditEvent.Action.SIGN_IN, actor=p.alice, organisation=p.riverside)
        audit_record(
            action=AuditEvent.Action.LINK_CREATED,
            actor=p.olive,
            organisation=p.riverside,
            subject=p.bob,
            supervisor=p.alice.pk,
        )
        Invitation.objects.create(
            organisation=p.riverside,
            email=p.alice.email,
            token_hash="a" * 64,
            invited_by=p.olive,
            expires_at=self.first.created_at,
        )
        FailedTask.objects.create(
            task_name="x", summary=f"E-mail “Hi” to {p.alice.email}", error="SMTPError"
        )
        self.p.client_for(self.p.alice).get(reverse("home"))
        # Sam wrote a comment on Alice's reflection; Bob's reflection has a comment by Alice.
        bobs = Reflection.objects.get(author=p.bob)
        question = Comment.objects.create(reflection=bobs, author=p.sam, body="Hm?")
        Comment.objects.create(reflection=bobs, author=p.alice, parent=question, body="Yes")
        top = Comment.objects.create(reflection=bobs, author=p.alice, body="A note")
        Comment.objects.create(reflection=bobs, author=p.bob, parent=top, body="Bob's answer")

    def test_the_page_shows_what_will_be_deleted_and_kept_before_anything_happens(self) -> None:
        response = self.p.client_for(self.p.alice).get(reverse("datarights:erase"))
        page = response.content.decode()
        assert "2 submitted reflections" in page
        assert "1 supervision record signed by the other person" in page
        assert "former member" in page
        assert User.objects.filter(pk=self.p.alice.pk, is_active=True).exists()

    def test_a_wrong_password_or_no_confirmation_erases_nothing_and_says_why(self) -> None:
        client = self.p.client_for(self.p.alice)
        response = client.post(reverse("datarights:erase"), {"password": "nope"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "That is not your password." in page
        assert "Tick the box to confirm that you understand." in page
        assert not Erasure.objects.exists()
        assert User.objects.get(pk=self.p.alice.pk).is_active

    def test_erasure_leaves_no_row_and_no_text_of_the_person_outside_the_documented_exceptions(
        self,
    ) -> None:
        self.leave_traces_of_alice()
        alice = self.p.alice
        needles = [alice.username, alice.email, ALICE_TEXT]
        assert rows_pointing_at(alice.pk) != []
        assert rows_mentioning(needles) != []
        self.erase_alice_herself()
        assert rows_pointing_at(alice.pk) == []
        assert rows_mentioning(needles) == []
        assert not User.objects.filter(pk=alice.pk).exists()
        assert not Session.objects.exists() or all(
            session.get_decoded().get("_auth_user_id") != str(alice.pk)
            for session in Session.objects.all()
        )

    def test_a_record_the_supervisor_signed_is_kept_with_the_person_as_former_member(
        self,
    ) -> None:
        self.erase_alice_herself()
        record = SupervisionRecord.objects.get(pk=self.record.pk)
        assert record.worker.get_display_name() == "former member"
        assert not record.worker.is_active
        assert not record.worker.has_usable_password()
        assert record.supervisor == self.p.sam
        assert record.attendees == "former member, Sam"
        assert record.reflections.count() == 0
        assert RecordAction.objects.get(record=record).owner == record.worker

    def test_others_replies_to_the_persons_comments_stay_and_their_own_go(self) -> None:
        self.leave_traces_of_alice()
        self.erase_alice_herself()
        bobs = Reflection.objects.get(author=self.p.bob)
        assert sorted(Comment.objects.filter(reflection=bobs).values_list("body", "parent")) == [
            ("Bob's answer", None),
            ("Hm?", None),
        ]

    def test_the_audit_trail_keeps_that_an_erasure_happened_and_not_what(self) -> None:
        self.leave_traces_of_alice()
        self.erase_alice_herself()
        event = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_ERASED)
        assert (event.actor, event.subject, event.target_type, event.target_id) == (
            None,
            None,
            "",
            "",
        )
        assert event.detail == {"requested_by": "the_person"}
        link_event = AuditEvent.objects.get(action=AuditEvent.Action.LINK_CREATED)
        assert link_event.detail == {"supervisor": None}
        assert link_event.subject == self.p.bob

    def test_other_peoples_material_is_untouched(self) -> None:
        before = (
            Reflection.objects.filter(author=self.p.bob).count(),
            Membership.objects.exclude(user=self.p.alice).count(),
        )
        self.erase_alice_herself()
        assert before == (
            Reflection.objects.filter(author=self.p.bob).count(),
            Membership.objects.exclude(user=self.p.alice).count(),
        )


class AdminErasureTests(DataRightsTestCase):
    def url(self, user: User) -> str:
        membership = Membership.objects.get(user=user, organisation=self.p.riverside)
        return reverse("datarights:member_erase", args=["riverside", membership.pk])

    def test_an_admin_sees_the_plan_then_erases_a_leaving_member_in_the_background(self) -> None:
        client = self.p.client_for(self.p.olive)
        page = client.get(self.url(self.p.alice)).content.decode()
        assert "Erase Alice's account" in page
        assert "2 submitted reflections" in page
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(self.url(self.p.alice), {"confirm": "on"})
        assert response.status_code == 302
        assert not User.objects.filter(pk=self.p.alice.pk).exists()
        event = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_ERASED)
        assert (event.actor, event.organisation) == (self.p.olive, self.p.riverside)
        assert event.detail == {"requested_by": "organisation_admin"}

    def test_an_admin_cannot_erase_someone_who_also_belongs_to_another_organisation(self) -> None:
        Membership.objects.create(user=self.p.alice, organisation=self.p.hillside)
        client = self.p.client_for(self.p.olive)
        response = client.post(self.url(self.p.alice), {"confirm": "on"})
        assert response.status_code == 200
        assert "also belongs to another organisation" in response.content.decode()
        assert not Erasure.objects.exists()
        assert User.objects.get(pk=self.p.alice.pk).is_active

    def test_an_admin_of_another_organisation_or_a_supervisor_gets_a_404(self) -> None:
        omar_admin = make_user("hadmin")
        Membership.objects.create(user=omar_admin, organisation=self.p.hillside, is_org_admin=True)
        for person in (omar_admin, self.p.sam, self.p.alice):
            assert self.p.client_for(person).get(self.url(self.p.bob)).status_code == 404


class SupervisorErasureTests(DataRightsTestCase):
    def test_erasing_a_supervisor_keeps_the_record_the_worker_signed_and_nothing_else_of_theirs(
        self,
    ) -> None:
        sam = self.p.sam
        unsigned = SupervisionRecord.objects.create(
            organisation=self.p.riverside,
            link=self.p.sam_bob,
            worker=self.p.bob,
            supervisor=sam,
            held_on=self.record.held_on,
            explored="Sam's draft notes",
            supervisor_signed_at=self.record.supervisor_signed_at,
        )
        erasure.account_erase(user_id=sam.pk)
        assert rows_pointing_at(sam.pk) == []
        assert rows_mentioning([sam.username, sam.email]) == []
        kept = SupervisionRecord.objects.get(pk=self.record.pk)
        assert kept.supervisor.get_display_name() == "former member"
        assert kept.worker == self.p.alice
        assert kept.link.ended_at is not None
        assert not SupervisionRecord.objects.filter(pk=unsigned.pk).exists()
        assert Reflection.objects.filter(author=self.p.alice).count() == 2
        assert not Comment.objects.filter(body="What helped most?").exists()


class TrainerErasureTests(DataRightsTestCase):
    def test_a_workshop_the_person_ran_stays_with_former_member_as_its_trainer(self) -> None:
        workshop = Workshop.objects.create(
            organisation=self.p.riverside,
            trainer=self.p.tara,
            title="APPEAR for new starters",
            date=self.record.held_on,
        )
        erasure.account_erase(user_id=self.p.tara.pk)
        workshop.refresh_from_db()
        assert workshop.trainer.get_display_name() == "former member"
        assert rows_pointing_at(self.p.tara.pk) == []
        assert rows_mentioning([self.p.tara.username, self.p.tara.email]) == []
