"""Retention: per-organisation periods, a dry run that changes nothing, a real run that deletes
exactly what the dry run listed, audited with counts, on a daily schedule."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from appear_site.celery import app as celery_app
from datarights import retention
from datarights.models import RetentionPolicy
from datarights.tasks import apply_retention, purge_workshop_participants
from reflections import practice_tally
from reflections.models import PracticeTally, Reflection
from reflections.practice import month_start
from supervision.models import SupervisionRecord
from tests.datarights.support import DataRightsTestCase, submitted


def every_table() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table Django knows, as tuples of its column values."""
    return {
        model._meta.label: list(
            model._default_manager.order_by("pk").values_list(
                *[field.attname for field in model._meta.concrete_fields]
            )
        )
        for model in apps.get_models(include_auto_created=True)
    }


def listed(output: str) -> dict[tuple[str, str], list[int]]:
    found = {}
    for line in output.splitlines()[1:]:
        owner, kind, _kept, _count, *rest = line.split("\t")
        ids = [int(pk) for pk in re.findall(r"\d+", rest[0])] if rest else []
        found[(owner, kind)] = ids
    return found


class RetentionTests(DataRightsTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        p = cls.p
        now = timezone.now()
        RetentionPolicy.objects.create(organisation=p.riverside, reflection_days=365)
        cls.old = submitted(p, cls.version, session_date=timezone.localdate() - timedelta(days=800))
        Reflection.objects.filter(pk=cls.old.pk).update(submitted_at=now - timedelta(days=800))
        # Same age at Hillside, whose default keeps reflections six years.
        cls.hillside_old = submitted(p, cls.version, author=p.omar, organisation=p.hillside)
        Reflection.objects.filter(pk=cls.hillside_old.pk).update(
            submitted_at=now - timedelta(days=800)
        )
        cls.old_record = SupervisionRecord.objects.create(
            organisation=p.riverside,
            link=p.sam_alice,
            worker=p.alice,
            supervisor=p.sam,
            held_on=timezone.localdate() - timedelta(days=7 * 365),
        )
        cls.old_event = AuditEvent.objects.create(
            action=AuditEvent.Action.SIGN_IN,
            actor=p.alice,
            organisation=p.riverside,
            occurred_at=now - timedelta(days=7 * 365),
        )
        cls.old_unowned = AuditEvent.objects.create(
            action=AuditEvent.Action.SIGN_IN_FAILED, occurred_at=now - timedelta(days=7 * 365)
        )
        cls.recent_event = AuditEvent.objects.create(
            action=AuditEvent.Action.SIGN_IN,
            actor=p.alice,
            organisation=p.riverside,
            occurred_at=now - timedelta(days=3 * 365),
        )

    def dry_run(self) -> str:
        out = StringIO()
        call_command("apply_retention", "--dry-run", stdout=out)
        return out.getvalue()

    def test_the_dry_run_lists_per_organisation_and_kind_and_changes_no_table(self) -> None:
        before = every_table()
        output = self.dry_run()
        assert every_table() == before
        assert "dry run, nothing deleted" in output
        found = listed(output)
        assert found[("riverside", "reflections")] == [self.old.pk]
        assert found[("hillside", "reflections")] == []
        assert found[("riverside", "supervision_records")] == [self.old_record.pk]
        assert found[("riverside", "audit_events")] == [self.old_event.pk]
        assert found[("(no organisation)", "audit_events")] == [self.old_unowned.pk]

    def test_the_real_run_deletes_exactly_what_the_dry_run_listed_and_audits_the_counts(
        self,
    ) -> None:
        found = listed(self.dry_run())
        models = {
            "reflections": Reflection,
            "supervision_records": SupervisionRecord,
            "audit_events": AuditEvent,
        }
        before = {
            kind: set(model.objects.values_list("pk", flat=True)) for kind, model in models.items()
        }
        out = StringIO()
        call_command("apply_retention", stdout=out)
        assert listed(out.getvalue()) == found
        for kind, model in models.items():
            gone = before[kind] - set(model.objects.values_list("pk", flat=True))
            planned = {pk for (_owner, k), ids in found.items() if k == kind for pk in ids}
            assert gone == planned, kind
        event = AuditEvent.objects.get(
            action=AuditEvent.Action.RETENTION_APPLIED, organisation=self.p.riverside
        )
        assert event.detail == {
            "deleted": {"reflections": 1, "supervision_records": 1, "audit_events": 1}
        }
        assert self.recent_event.pk in AuditEvent.objects.values_list("pk", flat=True)

    def test_the_real_run_takes_the_deleted_reflections_out_of_my_practice(self) -> None:
        practice_tally.rebuild()
        old_month = month_start(self.old.session_date)
        assert PracticeTally.objects.filter(author=self.p.alice, month=old_month).exists()

        call_command("apply_retention", stdout=StringIO())

        assert not PracticeTally.objects.filter(author=self.p.alice, month=old_month).exists()
        assert PracticeTally.objects.filter(author=self.p.omar).exists()

    def test_audit_events_are_kept_two_years_whatever_the_stored_period(self) -> None:
        RetentionPolicy.objects.filter(organisation=self.p.riverside).update(audit_days=2 * 365)
        ids = {
            pk for item in retention.plan() if item.kind.key == "audit_events" for pk in item.ids
        }
        assert self.recent_event.pk in ids
        assert (
            retention.KINDS[2]
            .expired(self.p.riverside, timezone.now(), 10)
            .filter(pk=self.recent_event.pk)
            .exists()
        )
        young = AuditEvent.objects.create(
            action=AuditEvent.Action.SIGN_IN,
            organisation=self.p.riverside,
            occurred_at=timezone.now() - timedelta(days=400),
        )
        assert (
            not retention.KINDS[2]
            .expired(self.p.riverside, timezone.now(), 10)
            .filter(pk=young.pk)
            .exists()
        )

    def test_the_daily_task_is_scheduled_and_runs_retention(self) -> None:
        schedule = celery_app.conf.beat_schedule["apply-retention-daily"]
        assert schedule["task"] == "datarights.tasks.apply_retention"
        purge = celery_app.conf.beat_schedule["purge-workshop-participants-daily"]
        assert purge["task"] == "datarights.tasks.purge_workshop_participants"
        assert purge_workshop_participants.delay().get() == 0
        result = apply_retention.delay().get()
        assert result["deleted"] == 4
        assert not Reflection.objects.filter(pk=self.old.pk).exists()


class RetentionSettingsTests(DataRightsTestCase):
    url = reverse("datarights:retention", kwargs={"slug": "riverside"})

    def test_the_admin_sets_the_periods_and_the_change_is_audited(self) -> None:
        client = self.p.client_for(self.p.olive)
        assert "2190" in client.get(self.url).content.decode()
        response = client.post(
            self.url, {"reflection_days": "1000", "record_days": "3000", "audit_days": "800"}
        )
        assert response.status_code == 302
        policy = RetentionPolicy.objects.get(organisation=self.p.riverside)
        assert (policy.reflection_days, policy.record_days, policy.audit_days) == (1000, 3000, 800)
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.SETTINGS_CHANGED, target_type="datarights.retentionpolicy"
        ).exists()

    def test_bad_periods_are_refused_next_to_their_field_and_kept_as_typed(self) -> None:
        client = self.p.client_for(self.p.olive)
        response = client.post(
            self.url, {"reflection_days": "soon", "record_days": "9", "audit_days": "100"}
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Enter a number of days, such as 2190 for six years." in page
        assert "Keep it for at least 30 days." in page
        assert "Keep it for at least 730 days." in page
        assert 'value="soon"' in page
        assert not RetentionPolicy.objects.filter(organisation=self.p.riverside).exists()
