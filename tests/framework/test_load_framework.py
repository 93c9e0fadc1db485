"""The `load_framework` command and the `framework_load` service."""

from __future__ import annotations

import copy
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import TestCase

from framework.models import (
    Context,
    Factor,
    FrameworkVersion,
    Link,
    Mechanism,
    MechanismGroup,
    Outcome,
    OutcomeDomain,
    Reference,
    Tension,
)
from framework.services import framework_data_read, framework_load

PAPER_FACTOR_COUNTS = {
    "understanding_and_validation": 16,
    "compassion_and_non_judgement": 14,
    "relaxed_or_comfortable": 13,
    "explicitly_valuing_the_person": 7,
    "understanding_the_individual_in_recovery": 8,
    "supporting_individual_needs": 11,
    "facilitating_agency_and_control": 15,
    "encouraging_recovery_supporting_activity": 7,
    "sharing_power_aiming_for_equality": 5,
    "trustworthiness": 11,
    "flexible_availability": 9,
    "emotional_presence": 7,
    "sharing_lived_experience": 18,
    "role_modelling_recovery": 13,
    "mutuality": 11,
}
PAPER_CONTEXT_COUNTS = {
    "accepting": 18,
    "personalised_practice": 14,
    "empowering": 18,
    "available": 13,
    "reciprocal": 19,
}


def table_snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Every framework row as plain tuples, to compare the database before and after."""
    return {
        model.__name__: sorted(model.objects.values_list(), key=repr)  # type: ignore[attr-defined]
        for model in (
            FrameworkVersion,
            Context,
            Factor,
            Mechanism,
            Outcome,
            Link,
            Reference,
            Tension,
        )
    }


class TestLoadingTheProjectData(TestCase):
    def setUp(self) -> None:
        out = StringIO()
        call_command("load_framework", stdout=out)
        self.output = out.getvalue()
        self.version = FrameworkVersion.objects.get()

    def test_it_reports_a_new_version_and_makes_it_current(self) -> None:
        assert "new version" in self.output
        assert self.version.is_current
        assert self.version.label == "2025.1"

    def test_it_holds_the_five_contexts_in_appear_order(self) -> None:
        contexts = list(self.version.contexts.order_by("order"))
        assert [c.name for c in contexts] == [
            "Accepting",
            "Personalised Practice",
            "Empowering",
            "Available",
            "Reciprocal",
        ]
        assert "".join(c.acronym_part for c in contexts) == "APPEAR"
        assert {c.key: c.papers_coded for c in contexts} == PAPER_CONTEXT_COUNTS

    def test_it_holds_fifteen_factors_with_the_papers_counts(self) -> None:
        factors = Factor.objects.filter(context__version=self.version)
        assert {f.key: f.papers_coded for f in factors} == PAPER_FACTOR_COUNTS

    def test_it_holds_six_mechanisms_in_four_groups(self) -> None:
        assert MechanismGroup.objects.filter(version=self.version).count() == 4
        groups = {m.key: m.group.key for m in self.version.mechanisms.select_related("group")}
        assert len(groups) == 6
        assert sorted(set(groups.values())) == ["mentalisation", "others", "relationships", "self"]

    def test_it_holds_the_six_outcome_domains(self) -> None:
        domains = OutcomeDomain.objects.filter(version=self.version).order_by("number")
        assert [d.name for d in domains] == [
            "Self-acceptance",
            "Confidence",
            "Hopefulness",
            "Self-expression",
            "Relationships",
            "Knowledge and skills",
        ]
        assert Outcome.objects.filter(domain__version=self.version).count() == 8

    def test_it_holds_every_cited_link_with_its_citations(self) -> None:
        links = Link.objects.filter(version=self.version)
        assert links.count() == 27
        per_context = {key: links.filter(context__key=key).count() for key in PAPER_CONTEXT_COUNTS}
        assert per_context == {
            "accepting": 12,
            "personalised_practice": 3,
            "empowering": 6,
            "available": 3,
            "reciprocal": 3,
        }
        first = links.get(code="cmoc-01")
        assert sorted(first.citations.values_list("number", flat=True)) == [25, 26, 27, 28, 29]
        assert first.study_count == 5
        assert first.quote_reference is not None
        assert first.quote_reference.number == 25
        cited = Reference.objects.filter(version=self.version, links__isnull=False).distinct()
        assert cited.count() == 20

    def test_running_it_twice_leaves_the_database_unchanged(self) -> None:
        before = table_snapshot()
        out = StringIO()
        call_command("load_framework", stdout=out)
        assert "nothing changed" in out.getvalue()
        assert table_snapshot() == before


class TestLoadingAChangedFile(TestCase):
    def test_a_changed_file_becomes_a_second_version_and_the_first_stays_intact(self) -> None:
        data = framework_data_read(settings.FRAMEWORK_DATA_FILE)
        first = framework_load(data=data).version
        first_snapshot = table_snapshot()
        first_contexts = list(first.contexts.values_list("key", "name", "summary"))

        changed = copy.deepcopy(data)
        changed["project"]["version_label"] = "2026.1"
        changed["contexts"][0]["summary"] = "A reworded meaning for Accepting."
        second = framework_load(data=changed)

        assert second.created
        first.refresh_from_db()
        assert not first.is_current
        assert second.version.is_current
        assert FrameworkVersion.objects.count() == 2
        assert list(first.contexts.values_list("key", "name", "summary")) == first_contexts
        assert (
            second.version.contexts.get(key="accepting").summary
            == "A reworded meaning for Accepting."
        )
        assert Link.objects.filter(version=first).count() == len(first_snapshot["Link"])

    def test_reloading_an_older_file_makes_its_version_current_again_without_copying_it(
        self,
    ) -> None:
        data = framework_data_read(settings.FRAMEWORK_DATA_FILE)
        first = framework_load(data=data).version
        changed = copy.deepcopy(data)
        changed["project"]["version_label"] = "2026.1"
        framework_load(data=changed)

        again = framework_load(data=data)

        assert not again.created
        assert again.version.pk == first.pk
        assert FrameworkVersion.objects.get(is_current=True).pk == first.pk
        assert FrameworkVersion.objects.count() == 2


@pytest.mark.django_db
def test_a_file_that_is_not_framework_data_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"hello": "world"}))
    with pytest.raises(CommandError, match="not an APPEAR framework data file"):
        call_command("load_framework", str(bad))
    assert FrameworkVersion.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_framework", str(tmp_path / "missing.yaml"))
