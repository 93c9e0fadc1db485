"""The privacy check: what it flags, what it leaves alone, and how a match reads."""

from __future__ import annotations

from datetime import date

import pytest

from reflections.privacy import (
    Kind,
    Text,
    match_key,
    nhs_number_is_valid,
    reflection_texts,
    scan,
    scan_text,
    unconfirmed,
)

TODAY = date(2025, 6, 1)


def found(text: str) -> list[tuple[Kind, str]]:
    return [
        (m.kind, m.text)
        for m in scan_text(Text("what_happened", "What happened", text), today=TODAY)
    ]


class TestNhsNumbers:
    def test_a_valid_nhs_number_is_flagged(self) -> None:
        assert found("Her NHS number is 943 476 5919.") == [(Kind.NHS_NUMBER, "943 476 5919")]

    def test_a_valid_nhs_number_is_flagged_dashed_or_run_together(self) -> None:
        assert found("ref 943-476-5919") == [(Kind.NHS_NUMBER, "943-476-5919")]
        assert found("ref 9434765919") == [(Kind.NHS_NUMBER, "9434765919")]

    def test_a_ten_digit_number_with_a_wrong_check_digit_is_not_flagged(self) -> None:
        assert found("The form said 943 476 5918 at the top.") == []
        assert found("Order 1234567890 came today.") == []

    def test_the_check_digit_rule(self) -> None:
        assert nhs_number_is_valid("9434765919")
        assert not nhs_number_is_valid("9434765918")
        # 11 - remainder = 10 is never a valid check digit, whatever the last digit is.
        assert not any(nhs_number_is_valid(f"000000006{digit}") for digit in "0123456789")
        assert not nhs_number_is_valid("94347659")

    def test_mixed_separators_are_not_an_nhs_number(self) -> None:
        assert found("943 476-5919") == []


class TestPhoneNumbers:
    @pytest.mark.parametrize(
        "number",
        [
            "07700 900123",
            "07700-900-123",
            "07700900123",
            "020 7946 0958",
            "0161 496 0000",
            "+44 7700 900123",
            "+44 (0)20 7946 0958",
            "(01632) 960983",
        ],
    )
    def test_a_uk_phone_number_is_flagged(self, number: str) -> None:
        assert found(f"Her number is {number}, she said.") == [(Kind.PHONE, number)]

    def test_numbers_that_are_not_uk_phone_numbers_are_left_alone(self) -> None:
        assert found("We talked for 45 minutes, from 10:30 to 11:15.") == []
        assert found("Room 0800 is on the first floor") == []
        assert found("0770 090") == []


def test_an_email_address_is_flagged() -> None:
    assert found("Email her at jo.bloggs+peer@example.co.uk later") == [
        (Kind.EMAIL, "jo.bloggs+peer@example.co.uk")
    ]


class TestNamesAfterTitles:
    def test_a_name_after_a_title_is_flagged(self) -> None:
        assert found("Mr Smith and Mrs O'Neill came, then Dr. Patel and Mx Lee.") == [
            (Kind.TITLED_NAME, "Mr Smith"),
            (Kind.TITLED_NAME, "Mrs O'Neill"),
            (Kind.TITLED_NAME, "Dr. Patel"),
            (Kind.TITLED_NAME, "Mx Lee"),
        ]

    def test_the_verb_miss_is_not_a_title(self) -> None:
        assert found("I will miss Tuesday's group") == []

    def test_a_title_before_a_lower_case_word_is_not_a_name(self) -> None:
        assert found("the Mr and Mrs thing") == []


class TestDatesOfBirth:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("DOB: 12/03/1985", "DOB: 12/03/1985"),
            ("date of birth 1985-03-12", "date of birth 1985-03-12"),
            ("she was born on 3 March 1990", "born on 3 March 1990"),
            ("born in 1985", "born in 1985"),
            ("his birthday is 4 July", "birthday is 4 July"),
        ],
    )
    def test_a_date_near_a_birth_word_is_flagged(self, text: str, expected: str) -> None:
        assert found(text) == [(Kind.DATE_OF_BIRTH, expected)]

    def test_a_full_date_with_an_adults_birth_year_is_flagged(self) -> None:
        assert found("Paperwork said 14/02/1979.") == [(Kind.DATE_OF_BIRTH, "14/02/1979")]
        assert found("Paperwork said 14 February 1979.") == [
            (Kind.DATE_OF_BIRTH, "14 February 1979")
        ]

    def test_recent_dates_and_impossible_dates_are_not(self) -> None:
        assert found("We met on 12/03/2025 and again on 2 May 2025.") == []
        assert found("31/02/1980") == []


class TestPostcodes:
    def test_a_uk_postcode_is_flagged(self) -> None:
        assert found("She lives near SW1A 1AA, or was it LS6 2QT?") == [
            (Kind.POSTCODE, "SW1A 1AA"),
            (Kind.POSTCODE, "LS6 2QT"),
        ]

    def test_ordinary_capitals_and_digits_are_not_postcodes(self) -> None:
        assert found("We met in room A1 on the 2nd floor, by the B12 vitamins poster.") == []


def test_ordinary_reflective_writing_flags_nothing() -> None:
    paragraph = (
        "We met at the community café at 10:30 and talked for about 45 minutes. J told me the "
        "last two weeks had been hard: she had missed three appointments and felt she was "
        "letting everyone down. I said it made sense to feel that way and shared a little of "
        "how I had felt in 2019 when I stopped going out. She said she might try the Tuesday "
        "art group again, the one in Room 2B. We agreed to meet on 12/06/2025 and I reminded "
        "her she could call the service line if things got worse. I noticed I wanted to fix "
        "things for her; next time I will ask more and suggest less. She scored her mood 4/10 "
        "at the start and 6/10 at the end. We walked 1.5 miles, about 3,000 steps, with 2 cups "
        "of tea on the way back. Her goal is to read 12 books this year; she is 34 and says it "
        "is never too late. Miss a week and it all slips, she said. I will raise the boundaries "
        "question with my supervisor on 3 July at 2pm."
    )
    assert scan([Text("what_happened", "What happened", paragraph)], today=TODAY) == []


def test_a_harmless_title_is_still_asked_about_so_the_worker_can_confirm_it() -> None:
    paragraph = "She laughed at the Mr Men mug and said it reminded her of her nephew."
    matches = scan([Text("what_happened", "What happened", paragraph)], today=TODAY)
    assert [(m.kind, m.text) for m in matches] == [(Kind.TITLED_NAME, "Mr Men")]


class TestMatches:
    def test_each_match_reports_field_text_kind_reason_and_context(self) -> None:
        text = "After the session, she gave me her mobile, 07700 900123, in case of a crisis."
        source = Text("went_well", "What went well", text, step="story", anchor="id_went_well")
        (match,) = scan_text(source, today=TODAY)
        assert match.field == "went_well"
        assert match.label == "What went well"
        assert match.text == "07700 900123"
        assert match.kind is Kind.PHONE
        assert "phone number" in match.reason
        assert match.before.endswith("her mobile, ")
        assert match.after.startswith(", in case")
        assert (match.step, match.anchor) == ("story", "id_went_well")

    def test_the_fingerprint_ignores_spacing_and_case_but_not_kind(self) -> None:
        assert match_key(Kind.TITLED_NAME, "Mr  Men") == match_key(Kind.TITLED_NAME, "mr men")
        assert match_key(Kind.TITLED_NAME, "Mr Men") != match_key(Kind.POSTCODE, "Mr Men")

    def test_confirmed_matches_are_left_out(self) -> None:
        matches = scan([Text("learning", "Learning", "Mr Men and Mr Smith")], today=TODAY)
        left = unconfirmed(matches, [match_key(Kind.TITLED_NAME, "Mr Men")])
        assert [m.text for m in left] == ["Mr Smith"]


def test_every_free_text_answer_of_a_reflection_is_checked() -> None:
    snapshot = {
        "person_label": "Mrs Jones",
        "what_happened": "a",
        "how_i_felt": "b",
        "went_well": "c",
        "was_hard": "d",
        "unintended_effects": "e",
        "learning": "f",
        "context_ratings": [{"context_key": "accepting", "context": "Accepting", "evidence": "g"}],
        "chains": [{"description": "h"}],
        "outcome_observations": [
            {"domain_key": "confidence", "domain": "Confidence", "observation": "i"}
        ],
        "actions": [{"text": "j"}],
    }
    texts = reflection_texts(snapshot)
    assert [t.text for t in texts] == ["Mrs Jones", *"abcdefghij"]
    anchors = {t.field: (t.step, t.anchor) for t in texts}
    assert anchors["person_label"] == ("session", "id_person_label")
    assert anchors["ctx-accepting-evidence"] == ("contexts", "id_ctx-accepting-evidence")
    assert anchors["chains-0-description"] == ("chains", "id_chains-0-description")
    assert anchors["outcome-confidence-observation"] == (
        "outcomes",
        "id_outcome-confidence-observation",
    )
    assert anchors["actions-0-text"] == ("next-steps", "id_actions-0-text")
    assert [m.text for m in scan(texts, today=TODAY)] == ["Mrs Jones"]
