"""Reflections keep pointing at the framework version they were written against."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.conf import settings
from django.test import TestCase
from django.urls import reverse

from framework.models import Context, FrameworkVersion
from framework.services import framework_data_read, framework_load
from reflections.models import Reflection
from tests.base import Personas, make_personas
from tests.reflections.flow_support import draft, step_data

OLD_SUMMARY_START = "The peer worker shows that they understand and validate the person"
NEW_SUMMARY = "A revised meaning of Accepting, loaded after the reflection was written."


def changed(data: dict[str, Any]) -> dict[str, Any]:
    """The project's data with a new label, a reworded context and a reworded mechanism."""
    data = copy.deepcopy(data)
    data["project"]["version_label"] = "2026.1"
    accepting = next(item for item in data["contexts"] if item["key"] == "accepting")
    accepting["summary"] = NEW_SUMMARY
    accepting["name"] = "Accepting (revised)"
    acceptable = next(m for m in data["mechanisms"] if m["key"] == "i_am_acceptable_or_worthwhile")
    acceptable["statement"] = "I am acceptable (revised wording)"
    return data


class FrameworkVersionPinningTests(TestCase):
    p: ClassVar[Personas]
    old: ClassVar[FrameworkVersion]
    data: ClassVar[dict[str, Any]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
        data = framework_data_read(settings.FRAMEWORK_DATA_FILE)
        cls.old = framework_load(data=data).version
        cls.data = data

    def setUp(self) -> None:
        self.client = self.p.client_for(self.p.alice)
        self.submitted = draft(
            author=self.p.alice, organisation=self.p.riverside, version=self.old, chains=1
        )
        self.client.post(
            reverse("reflections:submit", kwargs={"pk": self.submitted.pk}), {"revision": "1"}
        )
        self.old_draft = draft(author=self.p.alice, organisation=self.p.riverside, version=self.old)
        self.new = framework_load(data=changed(self.data)).version

    def test_a_new_version_became_current(self) -> None:
        assert self.new != self.old
        assert self.new.is_current
        assert self.new.label == "2026.1"

    def test_the_submitted_reflection_still_points_at_the_old_version(self) -> None:
        self.submitted.refresh_from_db()
        assert self.submitted.status == Reflection.Status.SUBMITTED
        assert self.submitted.framework_version == self.old

    def test_its_page_shows_the_old_wording_and_label(self) -> None:
        html = self.client.get(self.submitted.get_absolute_url()).content.decode()
        assert "version 2025.1" in html
        assert "2026.1" not in html
        assert '<h3 class="context-name">Accepting</h3>' in html
        assert "“I am acceptable or worthwhile”" in html
        assert "revised" not in html

    def test_continuing_an_old_draft_still_offers_that_versions_contexts(self) -> None:
        url = reverse("reflections:step", kwargs={"pk": self.old_draft.pk, "step": "contexts"})
        html = self.client.get(url).content.decode()
        assert OLD_SUMMARY_START in html
        assert NEW_SUMMARY not in html
        assert ">Accepting</legend>" in html
        url = reverse("reflections:step", kwargs={"pk": self.old_draft.pk, "step": "chains"})
        html = self.client.get(url).content.decode()
        old_accepting = Context.objects.get(version=self.old, key="accepting")
        new_accepting = Context.objects.get(version=self.new, key="accepting")
        assert f'name="chains-0-context" value="{old_accepting.pk}"' in html
        assert f'name="chains-0-context" value="{new_accepting.pk}"' not in html
        assert "Accepting (revised)" not in html

    def test_an_old_draft_refuses_the_new_versions_ids(self) -> None:
        new_accepting = Context.objects.get(version=self.new, key="accepting")
        url = reverse("reflections:step", kwargs={"pk": self.old_draft.pk, "step": "chains"})
        data = step_data("chains", self.old_draft) | {
            "chains-TOTAL_FORMS": "1",
            "chains-0-context": str(new_accepting.pk),
        }
        response = self.client.post(url, data)
        assert response.status_code == 200
        assert "Choose one of the options listed." in response.content.decode()

    def test_a_reflection_started_now_uses_the_new_version(self) -> None:
        self.client.post(reverse("reflections:start"))
        started = Reflection.objects.latest("id")
        assert started.framework_version == self.new
        url = reverse("reflections:step", kwargs={"pk": started.pk, "step": "contexts"})
        assert NEW_SUMMARY in self.client.get(url).content.decode()
