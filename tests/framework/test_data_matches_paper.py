"""The project's framework data file checked against the paper's own text.

The paper (CC BY 4.0) is kept beside the data in framework/data/ so these checks run offline.
Each test is a claim the data makes that the paper must bear out.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
from django.conf import settings

from framework.services import framework_data_read

PAPER_PATH = settings.FRAMEWORK_DATA_FILE.parent / "hackmann-2025-appear-bmjopen.txt"
NUMBER_WORDS = {5: "five", 7: "seven", 8: "eight", 9: "nine"}
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@cache
def data() -> dict[str, Any]:
    return framework_data_read(settings.FRAMEWORK_DATA_FILE)


@cache
def paper() -> str:
    return PAPER_PATH.read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def expand_citations(printed: str) -> list[int]:
    numbers: list[int] = []
    for token in printed.split():
        if "–" in token or "-" in token:
            start, end = re.split("[–-]", token)
            numbers += range(int(start), int(end) + 1)
        else:
            numbers.append(int(token))
    return numbers


def coded_phrases(count: int) -> list[str]:
    spelled = NUMBER_WORDS.get(count, str(count))
    return [
        f"coded in {count} papers",
        f"coded across {count} papers",
        f"coded in {spelled} papers",
        f"coded across {spelled} papers",
    ]


def test_every_context_count_is_stated_in_the_paper() -> None:
    for context in data()["contexts"]:
        assert any(p in paper() for p in coded_phrases(context["papers_coded"])), context["key"]


def test_every_factor_count_is_stated_in_the_paper_right_after_its_name() -> None:
    text = squeeze(paper()).lower()
    for context in data()["contexts"]:
        for factor in context["factors"]:
            # The paper's wording of the factor is close to its name; its last word anchors it.
            anchor = factor["name"].split()[-1].lower()
            found = any(
                re.search(re.escape(anchor) + r"[^()]{0,120}\(" + re.escape(p), text)
                or re.search(re.escape(anchor) + r"[^.]{0,160}" + re.escape(p), text)
                for p in coded_phrases(factor["papers_coded"])
            )
            assert found, factor["key"]


@pytest.mark.parametrize("link", data()["cmocs"], ids=lambda link: link["id"])
def test_every_link_cites_exactly_what_the_paper_prints(link: dict[str, Any]) -> None:
    assert expand_citations(link["citations_as_printed"]) == link["citations"]
    printed = "^{" + link["citations_as_printed"]
    single = len(link["citations"]) == 1 and str(link["citations"][0]).translate(SUPERSCRIPT)
    assert printed in paper() or (single and single in paper())


@pytest.mark.parametrize(
    "link",
    [link for link in data()["cmocs"] if link.get("paper_page_quote")],
    ids=lambda link: link["id"],
)
def test_every_quote_is_verbatim_short_and_from_a_cited_study(link: dict[str, Any]) -> None:
    quote = link["paper_page_quote"]
    assert quote["ref"] in link["citations"]
    for segment in quote["text"].split(" [...] "):
        assert squeeze(segment) in squeeze(paper())
    assert len(quote["text"].replace("[...]", "").split()) <= 25


def test_every_mechanism_wording_in_a_link_is_the_papers_own() -> None:
    text = squeeze(paper()).lower()
    for link in data()["cmocs"]:
        assert link["mechanism_wording"].lower() in text, link["id"]


def test_the_twenty_cited_studies_are_exactly_the_reference_list() -> None:
    cited = {number for link in data()["cmocs"] for number in link["citations"]}
    listed = {reference["number"] for reference in data()["references"]}
    assert cited == listed
    assert len(listed) == 20


def test_every_key_a_link_uses_is_defined() -> None:
    contexts = {c["key"]: c for c in data()["contexts"]}
    mechanisms = {m["key"] for m in data()["mechanisms"]}
    outcomes = {o["key"]: d["key"] for d in data()["outcome_domains"] for o in d["outcomes"]}
    for link in data()["cmocs"]:
        factor_keys = {f["key"] for f in contexts[link["context"]]["factors"]}
        assert set(link["context_factors"]) <= factor_keys
        assert {link["mechanism"], *link["additional_mechanisms"]} <= mechanisms
        assert outcomes[link["outcome"]] == link["outcome_domain"]


def test_the_one_wording_changed_from_the_extraction_follows_the_paper() -> None:
    mechanism = next(m for m in data()["mechanisms"] if m["key"] == "others_safe_trusted_like_me")
    assert mechanism["statement"] == "Others are safe, can be trusted or are like me"
    assert "safe, trusted or like me" in paper()
    assert "safe, trusted and like me" not in paper()
    assert any(
        n["field"].endswith("others_safe_trusted_like_me.statement")
        for n in data()["project"]["notes"]
    )


def test_the_data_keeps_the_papers_attribution() -> None:
    source = data()["source"]
    assert source["doi"] == "10.1136/bmjopen-2025-105211"
    assert source["licence"]["spdx"] == "CC-BY-4.0"
    assert "Changes were made" in source["changes_note"]
