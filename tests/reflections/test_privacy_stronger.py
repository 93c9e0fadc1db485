"""The stronger privacy check (issue 11): first names, addresses, wards, lower-case titles,
ages, with a table of cases both ways, and first names a worker has confirmed not raised again."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from reflections.models import Reflection
from reflections.privacy import Kind, Text, given_names, match_key, scan_text
from reflections.services import reflection_privacy_matches
from tests.reflections.flow_support import OneDraftTestCase, draft, step_url

TODAY = date(2025, 6, 1)


def found(text: str) -> list[tuple[Kind, str]]:
    return [
        (m.kind, m.text)
        for m in scan_text(Text("what_happened", "What happened", text), today=TODAY)
    ]


FLAGGED: list[tuple[str, Kind, str]] = [
    ("Dave came in early today.", Kind.GIVEN_NAME, "Dave"),
    ("I sat with Karen for an hour.", Kind.GIVEN_NAME, "Karen"),
    ("We talked about how Mohammed's week had gone.", Kind.GIVEN_NAME, "Mohammed"),
    ("Afterwards Siobhan rang the office.", Kind.GIVEN_NAME, "Siobhan"),
    ("He said his sister Priya visits on Sundays.", Kind.GIVEN_NAME, "Priya"),
    ("We met with Will and talked it through.", Kind.GIVEN_NAME, "Will"),
    ("I think Grace was more settled.", Kind.GIVEN_NAME, "Grace"),
    ("Her friend Hope came along too.", Kind.GIVEN_NAME, "Hope"),
    ("She lives at 14 Mill Lane now.", Kind.ADDRESS, "14 Mill Lane"),
    ("He moved to 3a Station Road last month.", Kind.ADDRESS, "3a Station Road"),
    ("the flat at 221 baker street", Kind.ADDRESS, "221 baker street"),
    ("We walked from 7 Church Close.", Kind.ADDRESS, "7 Church Close"),
    ("She was on Ward 7 at St James's until Friday.", Kind.PLACE, "Ward 7 at St James's"),
    ("He is back on Ward 12B.", Kind.PLACE, "Ward 12B"),
    ("She stayed on Willow Ward.", Kind.PLACE, "Willow Ward"),
    ("They were discharged from St Thomas' Hospital.", Kind.PLACE, "St Thomas' Hospital"),
    (
        "He had an appointment at Royal Hallamshire Hospital.",
        Kind.PLACE,
        "Royal Hallamshire Hospital",
    ),
    ("I talked to mrs jones about it.", Kind.TITLED_NAME, "mrs jones"),
    ("mr patel waved from the door", Kind.TITLED_NAME, "mr patel"),
    ("We saw Mrs Jones in the corridor.", Kind.TITLED_NAME, "Mrs Jones"),
    ("He is aged 41 and lives alone.", Kind.AGE, "aged 41"),
    ("A 63-year-old man joined the group.", Kind.AGE, "63-year-old"),
    ("She is 29 years old.", Kind.AGE, "29 years old"),
    ("Call me on 07700 900123.", Kind.PHONE, "07700 900123"),
    ("Her postcode is LS1 4AP.", Kind.POSTCODE, "LS1 4AP"),
]

NOT_FLAGGED: list[str] = [
    "I went to the shop.",
    "We meet again in May.",
    "May 5 was a better day.",
    "By the end of May things had settled.",
    "We talked about hope for the future.",
    "Hope for the future matters to them.",
    "Will you come back next week, I asked.",
    "Grace under pressure is hard to find.",
    "I will mark it in the diary.",
    "Mark the date and come back.",
    "They felt accepted and I felt available.",
    "The Accepting context felt strong today.",
    "We had 3 good days in a row.",
    "I had 2 long walks this week.",
    "The ward was noisy and busy.",
    "I'll miss Tuesday's group.",
    "They spoke of the age they were when it began.",
    "We laughed about being 40-something.",
    "Sat in the park for half an hour.",
    "It was a joy to see them smile.",
    "Last June was a hard month for them.",
    "A frank talk about money.",
]


@pytest.mark.parametrize(("text", "kind", "match"), FLAGGED)
def test_identifying_details_are_flagged(text: str, kind: Kind, match: str) -> None:
    assert (kind, match) in found(text)


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_ordinary_reflective_writing_is_left_alone(text: str) -> None:
    assert found(text) == []


def test_the_table_holds_at_least_forty_cases_both_ways() -> None:
    assert len(FLAGGED) + len(NOT_FLAGGED) >= 40
    assert len(FLAGGED) >= 15
    assert len(NOT_FLAGGED) >= 15


def test_the_shipped_names_list_is_a_few_hundred_common_names_and_marks_everyday_words() -> None:
    names, words = given_names()
    assert len(names) >= 300
    assert {"Dave", "Karen", "Mohammed", "Priya", "Siobhan"} <= names
    assert {"May", "Hope", "Will", "Mark", "Grace"} <= words
    assert words <= names


class LiveCheckTests(OneDraftTestCase):
    """The warning while typing goes through the same server check as before submitting."""

    def live(self, text: str, **headers: str) -> Any:
        url = reverse("reflections:privacy_live", kwargs={"pk": self.reflection.pk})
        return self.client.post(
            url,
            {"what_happened": text, "revision": "1"},
            headers={"HX-Request": "true", "HX-Trigger-Name": "what_happened", **headers},
        )

    def test_a_name_typed_is_named_back_and_nothing_is_saved(self) -> None:
        response = self.live("Dave came in and we talked.")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Could this identify someone?" in html
        assert "“Dave”: a first name" in html
        self.reflection.refresh_from_db()
        assert (self.reflection.what_happened, self.reflection.revision) == ("", 1)

    def test_ordinary_writing_answers_with_nothing(self) -> None:
        response = self.live("We talked about hope for the future.")
        assert response.status_code == 200
        assert response.content.decode().strip() == ""

    def test_a_field_name_that_is_no_input_name_is_a_400(self) -> None:
        response = self.live("Dave", **{"HX-Trigger-Name": "what_happened<script>"})
        assert response.status_code == 400

    def test_the_step_page_asks_for_the_check_while_typing_without_the_text_in_the_url(
        self,
    ) -> None:
        html = self.client.get(step_url(self.reflection, "story")).content.decode()
        url = reverse("reflections:privacy_live", kwargs={"pk": self.reflection.pk})
        assert f'data-hx-post="{url}"' in html
        assert 'data-hx-trigger="input changed delay:1500ms"' in html
        assert 'id="id_what_happened-privacy" aria-live="polite"' in html

    def test_a_first_name_confirmed_in_another_reflection_is_not_raised_again(self) -> None:
        """ "Will" confirmed as no name once is not asked about again, here or in typing."""
        confirmed = draft(
            author=self.p.alice,
            organisation=self.p.riverside,
            version=self.version,
            what_happened="We met with Will.",
        )
        confirmed.privacy_confirmed = [match_key(Kind.GIVEN_NAME, "Will")]
        confirmed.save()
        assert "Will" not in self.live("Then Will and I walked.").content.decode()
        Reflection.objects.filter(pk=self.reflection.pk).update(
            what_happened="Then Will and I walked. Dave joined."
        )
        self.reflection.refresh_from_db()
        found_now = reflection_privacy_matches(reflection=self.reflection)
        assert [match.text for match in found_now] == ["Dave"]

    def test_a_confirmation_by_someone_else_counts_for_nothing(self) -> None:
        other = draft(author=self.p.bob, organisation=self.p.riverside, version=self.version)
        other.privacy_confirmed = [match_key(Kind.GIVEN_NAME, "Will")]
        other.save()
        assert "“Will”" in self.live("Then Will and I walked.").content.decode()
