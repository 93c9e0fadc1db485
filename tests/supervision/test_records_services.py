"""Supervision record services: create, change, sign, lock and make a new version."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from supervision.models import RecordAction, SupervisionCheck, SupervisionRecord
from supervision.records import services
from supervision.records.services import ActionInput, CheckInput, RecordContent
from tests.supervision.records_support import RecordsTestCase


class RecordServiceTestCase(RecordsTestCase):
    def content(self, **overrides: object) -> RecordContent:
        fields: dict[str, object] = {
            "held_on": timezone.localdate(),
            "attendees": "Alice, Sam",
            "explored": "How to end sessions well.",
            "reflections": [],
            "checks": [
                CheckInput(context=context, rating=position % 4, note=f"note {position}")
                for position, context in enumerate(self.contexts())
            ],
            "actions": [
                ActionInput(
                    text="Read the endings guide",
                    owner=self.p.alice,
                    due_on=timezone.localdate() + timedelta(days=7),
                )
            ],
        }
        fields.update(overrides)
        return RecordContent(**fields)  # type: ignore[arg-type]


class RecordCreateTests(RecordServiceTestCase):
    def test_the_supervisor_creates_a_record_with_checks_actions_and_shared_reflections(
        self,
    ) -> None:
        shared = self.full_reflection()
        self.share(shared)
        record = services.record_create(
            link=self.p.sam_alice, by=self.p.sam, content=self.content(reflections=[shared])
        )
        record.refresh_from_db()
        assert (record.worker, record.supervisor, record.organisation) == (
            self.p.alice,
            self.p.sam,
            self.p.riverside,
        )
        assert record.version == 1
        assert record.previous is None
        assert list(record.reflections.all()) == [shared]
        assert [(c.context.key, c.rating) for c in record.checks.order_by("context__order")] == [
            ("accepting", 0),
            ("personalised_practice", 1),
            ("empowering", 2),
            ("available", 3),
            ("reciprocal", 0),
        ]
        assert list(record.actions.values_list("text", "owner")) == [
            ("Read the endings guide", self.p.alice.pk)
        ]
        assert record.worker_signed_at is None
        assert record.supervisor_signed_at is None

    def test_the_worker_may_write_the_record_too(self) -> None:
        record = services.record_create(
            link=self.p.sam_alice, by=self.p.alice, content=self.content()
        )
        assert record.pk is not None

    def test_nobody_else_may_write_a_record_for_the_pair(self) -> None:
        with self.assertRaises(ValidationError):
            services.record_create(link=self.p.sam_alice, by=self.p.una, content=self.content())
        assert not SupervisionRecord.objects.exists()

    def test_an_unshared_reflection_cannot_be_named_as_discussed(self) -> None:
        unshared = self.full_reflection()
        with self.assertRaises(ValidationError) as raised:
            services.record_create(
                link=self.p.sam_alice, by=self.p.sam, content=self.content(reflections=[unshared])
            )
        assert "reflections" in raised.exception.message_dict
        assert not SupervisionRecord.objects.exists(), "the whole record is rolled back"

    def test_a_withdrawn_share_or_another_persons_reflection_is_refused(self) -> None:
        withdrawn = self.full_reflection()
        self.share(withdrawn, withdrawn_at=timezone.now())
        bobs = self.full_reflection(self.p.bob)
        self.share(bobs, self.p.sam_bob)
        for reflection in (withdrawn, bobs):
            with self.assertRaises(ValidationError):
                services.record_create(
                    link=self.p.sam_alice,
                    by=self.p.sam,
                    content=self.content(reflections=[reflection]),
                )
        assert not SupervisionRecord.objects.exists()

    def test_an_action_belongs_to_the_worker_or_the_supervisor(self) -> None:
        stranger = ActionInput(text="Someone else's", owner=self.p.una, due_on=None)
        with self.assertRaises(ValidationError):
            services.record_create(
                link=self.p.sam_alice, by=self.p.sam, content=self.content(actions=[stranger])
            )
        assert not RecordAction.objects.exists()

    def test_text_over_the_limit_is_refused_by_the_models_own_rules(self) -> None:
        with self.assertRaises(ValidationError):
            services.record_create(
                link=self.p.sam_alice, by=self.p.sam, content=self.content(explored="x" * 4001)
            )


class RecordUpdateTests(RecordServiceTestCase):
    def test_a_change_replaces_content_keeps_named_actions_and_clears_a_signature(self) -> None:
        record = self.record(actions=("Keep me", "Drop me"))
        keep, _drop = record.actions.order_by("text")
        keep.done_at = timezone.now()
        keep.save()
        record.worker_signed_at = timezone.now()
        record.save()
        services.record_update(
            record=record,
            by=self.p.sam,
            content=self.content(
                explored="Changed.",
                actions=[
                    ActionInput(
                        text="Keep me, reworded", owner=self.p.sam, due_on=None, pk=keep.pk
                    ),
                    ActionInput(text="A new one", owner=self.p.alice, due_on=None),
                ],
            ),
        )
        record.refresh_from_db()
        assert record.explored == "Changed."
        assert record.worker_signed_at is None, "a signature covers only the wording signed"
        actions = {action.text: action for action in record.actions.all()}
        assert set(actions) == {"Keep me, reworded", "A new one"}
        assert actions["Keep me, reworded"].pk == keep.pk
        assert actions["Keep me, reworded"].done_at is not None
        assert actions["Keep me, reworded"].owner == self.p.sam
        assert SupervisionCheck.objects.filter(record=record).count() == 5

    def test_an_action_id_of_another_record_is_treated_as_a_new_action(self) -> None:
        other = self.record(actions=("Other record's action",))
        foreign = other.actions.get()
        record = self.record(actions=())
        services.record_update(
            record=record,
            by=self.p.alice,
            content=self.content(
                actions=[ActionInput(text="Mine", owner=self.p.alice, due_on=None, pk=foreign.pk)]
            ),
        )
        foreign.refresh_from_db()
        assert foreign.text == "Other record's action"
        assert foreign.record == other
        assert list(record.actions.values_list("text", flat=True)) == ["Mine"]

    def test_a_locked_record_never_changes(self) -> None:
        record = self.record(signed=True)
        before = (record.explored, record.updated_at, list(record.actions.values_list("text")))
        with self.assertRaises(ValidationError) as raised:
            services.record_update(
                record=record, by=self.p.sam, content=self.content(explored="Sneaky edit")
            )
        assert raised.exception.code == "locked"
        record.refresh_from_db()
        assert (
            record.explored,
            record.updated_at,
            list(record.actions.values_list("text")),
        ) == before
        assert record.is_locked


class RecordSignTests(RecordServiceTestCase):
    def test_each_person_signs_with_a_time_stamp_and_an_audit_line(self) -> None:
        record = self.record()
        signed_at = timezone.now().replace(microsecond=0) + timedelta(hours=1)
        with time_machine.travel(signed_at, tick=False):
            services.record_sign(record=record, by=self.p.alice)
        record.refresh_from_db()
        assert record.worker_signed_at == signed_at
        assert record.supervisor_signed_at is None
        assert not record.is_locked
        event = AuditEvent.objects.get(action=services.RECORD_SIGNED)
        assert (event.actor, event.subject, event.organisation) == (
            self.p.alice,
            self.p.alice,
            self.p.riverside,
        )
        assert event.target_id == str(record.pk)
        assert event.detail == {"signed_as": "worker", "version": 1, "locked": False}

    def test_the_second_signature_locks_the_record(self) -> None:
        record = self.record()
        services.record_sign(record=record, by=self.p.alice)
        services.record_sign(record=record, by=self.p.sam)
        record.refresh_from_db()
        assert record.is_locked
        assert AuditEvent.objects.filter(action=services.RECORD_SIGNED).count() == 2
        assert AuditEvent.objects.filter(detail__locked=True).count() == 1

    def test_signing_twice_or_as_someone_else_is_refused(self) -> None:
        record = self.record()
        services.record_sign(record=record, by=self.p.sam)
        first = SupervisionRecord.objects.get(pk=record.pk).supervisor_signed_at
        with self.assertRaises(ValidationError):
            services.record_sign(record=record, by=self.p.sam)
        with self.assertRaises(ValidationError):
            services.record_sign(record=record, by=self.p.una)
        assert SupervisionRecord.objects.get(pk=record.pk).supervisor_signed_at == first
        assert AuditEvent.objects.filter(action=services.RECORD_SIGNED).count() == 1


class RecordNewVersionTests(RecordServiceTestCase):
    def test_a_change_after_sign_off_makes_a_linked_unsigned_copy(self) -> None:
        shared = self.full_reflection()
        self.share(shared)
        record = self.record(signed=True, actions=("First", "Second"))
        record.reflections.set([shared])
        record.actions.filter(text="First").update(done_at=timezone.now())

        copy = services.record_new_version(record=record, by=self.p.alice)

        copy.refresh_from_db()
        record.refresh_from_db()
        assert copy.pk != record.pk
        assert copy.version == 2
        assert copy.previous == record
        assert record.next_version == copy
        assert (copy.held_on, copy.attendees, copy.explored) == (
            record.held_on,
            record.attendees,
            record.explored,
        )
        assert list(copy.reflections.all()) == [shared]
        assert [(c.context_id, c.rating, c.note) for c in copy.checks.all()] == [
            (c.context_id, c.rating, c.note) for c in record.checks.all()
        ]
        assert sorted(
            (a.text, a.owner_id, a.due_on, a.done_at is not None) for a in copy.actions.all()
        ) == sorted(
            (a.text, a.owner_id, a.due_on, a.done_at is not None) for a in record.actions.all()
        )
        assert copy.worker_signed_at is None
        assert copy.supervisor_signed_at is None
        assert record.is_locked, "the signed version is kept exactly as it was"
        event = AuditEvent.objects.get(action=services.RECORD_VERSIONED)
        assert event.detail == {"started_by": "worker", "replaces": record.pk, "version": 2}

    def test_only_a_locked_record_gets_a_new_version_and_only_once(self) -> None:
        unsigned = self.record()
        with self.assertRaises(ValidationError):
            services.record_new_version(record=unsigned, by=self.p.sam)
        locked = self.record(signed=True)
        services.record_new_version(record=locked, by=self.p.sam)
        with self.assertRaises(ValidationError) as raised:
            services.record_new_version(record=locked, by=self.p.alice)
        assert raised.exception.code == "exists"
        assert SupervisionRecord.objects.filter(previous=locked).count() == 1


class RecordActionDoneTests(RecordServiceTestCase):
    def test_an_action_of_a_signed_record_can_be_marked_done_and_open_again(self) -> None:
        record = self.record(signed=True)
        action = record.actions.get()
        services.record_action_set_done(action=action, by=self.p.alice, done=True)
        action.refresh_from_db()
        assert action.done_at is not None
        services.record_action_set_done(action=action, by=self.p.sam, done=False)
        action.refresh_from_db()
        assert action.done_at is None
        with self.assertRaises(ValidationError):
            services.record_action_set_done(action=action, by=self.p.una, done=True)
