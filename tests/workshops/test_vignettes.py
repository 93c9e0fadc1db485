"""The vignette library: the data file, loading it, and trainers' own vignettes."""

from __future__ import annotations

import copy
import tempfile
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from framework.models import Context, Mechanism, OutcomeDomain, Tension
from tests.workshops.support import CONTEXT_KEYS, WorkshopTestCase
from workshops import services
from workshops.models import Vignette

ENTRIES = services.vignette_data_read(settings.VIGNETTE_DATA_FILE)


def test_the_library_has_at_least_ten_vignettes_of_150_to_300_words() -> None:
    assert len(ENTRIES) >= 10
    for entry in ENTRIES:
        words = len(entry["text"].split())
        assert 150 <= words <= 300, (entry["key"], words)


def test_every_context_is_the_main_theme_at_least_once() -> None:
    assert {entry["main_context"] for entry in ENTRIES} == set(CONTEXT_KEYS)


def test_the_papers_tensions_and_things_going_wrong_are_covered() -> None:
    tensions = {key for entry in ENTRIES for key in entry["tensions"]}
    assert {
        "availability_vs_boundaries",
        "lived_experience_whose_need",
        "effectiveness_as_progressiveness",
    } <= tensions
    # Power and equality is the Empowering factor "sharing power or aiming for equality".
    assert any(
        "power" in " ".join(entry["questions"]) and "equal" in " ".join(entry["questions"])
        for entry in ENTRIES
        if entry["main_context"] == "empowering"
    )
    assert sum(entry["went_wrong"] for entry in ENTRIES) >= 2


def test_the_settings_include_ward_community_home_visit_and_phone_or_online() -> None:
    assert {"ward", "community", "home_visit", "phone_online"} <= {e["setting"] for e in ENTRIES}


def test_each_vignette_has_a_full_intended_mapping_and_two_or_three_questions() -> None:
    for entry in ENTRIES:
        assert set(entry["intended"]["ratings"]) == set(CONTEXT_KEYS), entry["key"]
        assert all(0 <= value <= 3 for value in entry["intended"]["ratings"].values())
        chains = entry["intended"]["chains"]
        assert 1 <= len(chains) <= 3, entry["key"]
        assert all(chain["reason"].strip() for chain in chains)
        assert 2 <= len(entry["questions"]) <= 3, entry["key"]


@pytest.mark.django_db
def test_every_key_in_the_library_names_something_in_the_framework(
    framework_version: object,
) -> None:
    contexts = set(Context.objects.values_list("key", flat=True))
    mechanisms = set(Mechanism.objects.values_list("key", flat=True))
    domains = set(OutcomeDomain.objects.values_list("key", flat=True))
    tensions = set(Tension.objects.values_list("key", flat=True))
    for entry in ENTRIES:
        assert entry["main_context"] in contexts
        assert set(entry["tensions"]) <= tensions, entry["key"]
        for chain in entry["intended"]["chains"]:
            assert chain["context"] in contexts
            assert chain["mechanism"] in mechanisms
            assert chain["domain"] in domains


class LoadingTests(WorkshopTestCase):
    def test_loading_the_same_file_again_changes_nothing(self) -> None:
        before = Vignette.objects.count()
        out = StringIO()
        call_command("load_vignettes", stdout=out)
        assert Vignette.objects.count() == before == len(ENTRIES)
        assert f"0 new or changed, {len(ENTRIES)} unchanged" in out.getvalue()

    def test_a_changed_vignette_becomes_a_new_version_and_the_old_one_is_kept(self) -> None:
        entries = copy.deepcopy(ENTRIES)
        entries[0]["title"] = "The second chair (revised)"
        report = services.vignettes_load(entries=entries)
        assert (report.created, report.unchanged) == (1, len(ENTRIES) - 1)
        versions = Vignette.objects.filter(organisation=None, key=entries[0]["key"]).order_by(
            "version"
        )
        assert [(v.version, v.is_current, v.title) for v in versions] == [
            (1, False, ENTRIES[0]["title"]),
            (2, True, "The second chair (revised)"),
        ]
        # The workshop made from version 1 still shows version 1.
        assert self.workshop.items.filter(vignette__version=1).exists()

    def test_a_broken_data_file_is_a_clear_command_error(self) -> None:
        from django.core.management.base import CommandError

        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as broken:
            broken.write('vignettes:\n  - key: "x"\n')
            broken.flush()
            with pytest.raises(CommandError, match="missing or misnames"):
                call_command("load_vignettes", broken.name, stdout=StringIO())


OWN_TEXT = " ".join(["The worker listened and the person spoke about their week."] * 8)


def own_vignette_form(**extra: str) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Our ward's first meeting",
        "setting": "ward",
        "main_context": "accepting",
        "text": OWN_TEXT,
        "questions": "What helped?\nWhat would you do next?",
        "chain1_context": "accepting",
        "chain1_mechanism": "i_am_acceptable_or_worthwhile",
        "chain1_domain": "self_acceptance",
        "chain1_reason": "Being heard made the person feel acceptable.",
    }
    data.update({f"rating_{key}": 1 for key in CONTEXT_KEYS})
    data.update(extra)
    return data


class OwnVignetteTests(WorkshopTestCase):
    def test_a_trainer_writes_a_vignette_that_only_their_organisation_sees(self) -> None:
        client = self.p.client_for(self.p.tara)
        response = client.post(reverse("workshops:vignette_create"), own_vignette_form())
        vignette = Vignette.objects.get(organisation=self.p.riverside)
        assert response.status_code == 302
        assert response["Location"] == vignette.get_absolute_url()
        assert vignette.author == self.p.tara
        assert vignette.version == 1
        assert (
            vignette.intended_chains[0]["reason"] == "Being heard made the person feel acceptable."
        )
        assert client.get(vignette.get_absolute_url()).status_code == 200
        for outsider in (self.p.omar, self.p.alice, self.p.sam):
            assert self.p.client_for(outsider).get(vignette.get_absolute_url()).status_code == 404

    def test_editing_makes_a_new_version_and_keeps_the_old(self) -> None:
        client = self.p.client_for(self.p.tara)
        client.post(reverse("workshops:vignette_create"), own_vignette_form())
        first = Vignette.objects.get(organisation=self.p.riverside)
        response = client.post(
            reverse("workshops:vignette_edit", kwargs={"pk": first.pk}),
            own_vignette_form(title="Our ward's first meeting, again"),
        )
        assert response.status_code == 302
        versions = list(Vignette.objects.filter(key=first.key).order_by("version"))
        assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
        # An old version and the shipped library cannot be edited.
        assert (
            client.get(reverse("workshops:vignette_edit", kwargs={"pk": first.pk})).status_code
            == 404
        )
        library = self.library[0]
        assert (
            client.get(reverse("workshops:vignette_edit", kwargs={"pk": library.pk})).status_code
            == 404
        )

    def test_a_half_written_vignette_comes_back_with_messages_and_everything_typed(self) -> None:
        client = self.p.client_for(self.p.tara)
        response = client.post(
            reverse("workshops:vignette_create"),
            own_vignette_form(text="Too short.", chain2_context="empowering"),
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "The account has 2 words" in page
        assert "Chain 2: fill in all four parts, or none." in page
        assert "Our ward&#x27;s first meeting" in page
        assert not Vignette.objects.filter(organisation=self.p.riverside).exists()
