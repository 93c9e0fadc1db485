"""The public framework explorer: every page, its content, its queries and its failures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape

from framework.models import FrameworkVersion
from framework.services import framework_data_read, framework_load

CONTEXT_KEYS = ["accepting", "personalised_practice", "empowering", "available", "reciprocal"]
MECHANISM_KEYS = [
    "i_am_acceptable_or_worthwhile",
    "i_can_be_effective",
    "others_safe_trusted_like_me",
    "others_can_be_effective",
    "relationships_safe_worthwhile_belong",
    "mentalisation",
]
DOMAIN_KEYS = [
    "self_acceptance",
    "confidence",
    "hopefulness",
    "self_expression",
    "relationships",
    "knowledge_and_skills",
]
ATTRIBUTION = "Creative Commons Attribution 4.0 licence (CC BY 4.0)"
CITATION = "Mental health peer support relationship: a realist informed qualitative meta synthesis"
SVG = "{http://www.w3.org/2000/svg}"


def load_framework() -> FrameworkVersion:
    return framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE)).version


def network_svg(html: str) -> ET.Element:
    """The first configuration diagram's <svg> on a page, parsed."""
    match = re.search(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="[^"]*--network.*?</svg>', html, re.S
    )
    assert match, "no configuration diagram on the page"
    return ET.fromstring(match.group(0))  # noqa: S314 - our own output


def edge_width(svg: ET.Element, source: str, target: str) -> float:
    for path in svg.iter(f"{SVG}path"):
        if (path.get("data-source"), path.get("data-target")) == (source, target):
            return float(path.get("stroke-width", "0"))
    raise AssertionError(f"no line from {source} to {target}")


def linked_hrefs(svg: ET.Element) -> set[str]:
    return {a.get("href", "") for a in svg.iter(f"{SVG}a")}


class ExplorerTestCase(TestCase):
    version: FrameworkVersion

    @classmethod
    def setUpTestData(cls) -> None:
        cls.version = load_framework()

    def get_text(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content.decode()

    def assert_attributed(self, html: str) -> None:
        main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
        assert CITATION in main
        assert ATTRIBUTION in main
        assert 'class="breadcrumbs"' in main


class TestOverviewPage(ExplorerTestCase):
    @property
    def url(self) -> str:
        return reverse("framework:overview")

    def test_anyone_can_read_it_without_signing_in(self) -> None:
        response = self.client.get(self.url)
        assert response.status_code == 200
        assert "<h1>The APPEAR framework</h1>" in response.content.decode()

    def test_it_shows_the_summary_intended_use_and_structure(self) -> None:
        html = self.get_text(self.url)
        assert escape(self.version.summary) in html
        assert "reflective tool for training, supervising and delivering" in html
        assert "Accepting, Personalised Practice, Empowering, Available, Reciprocal" in html

    def test_it_says_plainly_that_harms_are_not_covered_and_it_is_untested(self) -> None:
        html = self.get_text(self.url)
        assert "did not look for harms, unintended effects or negative outcomes" in html
        assert "has not yet been tested empirically" in html
        for limitation in self.version.limitations.all():
            assert escape(limitation.summary) in html

    def test_it_lists_the_contexts_mechanism_groups_mechanisms_and_domains(self) -> None:
        html = self.get_text(self.url)
        for context in self.version.contexts.all():
            assert f'href="{context.get_absolute_url()}"' in html
        for group in self.version.mechanism_groups.all():
            assert escape(group.name) in html
        for mechanism in self.version.mechanisms.all():
            assert escape(mechanism.statement) in html
        for domain in self.version.outcome_domains.all():
            assert escape(domain.name) in html

    def test_it_shows_the_feedback_loops(self) -> None:
        html = self.get_text(self.url)
        for loop in self.version.feedback_loops.all():
            assert escape(loop.name) in html

    def test_its_diagram_links_every_context_mechanism_and_domain(self) -> None:
        svg = network_svg(self.get_text(self.url))
        expected = {
            *(f"/framework/contexts/{key}/" for key in CONTEXT_KEYS),
            *(f"/framework/mechanisms/{key}/" for key in MECHANISM_KEYS),
            *(f"/framework/outcomes/{key}/" for key in DOMAIN_KEYS),
        }
        assert linked_hrefs(svg) == expected

    def test_its_diagram_draws_knowledge_and_skills_with_no_line(self) -> None:
        svg = network_svg(self.get_text(self.url))
        targets = {path.get("data-target") for path in svg.iter(f"{SVG}path")}
        assert "domain-knowledge_and_skills" not in targets
        assert "domain-relationships" in targets

    def test_it_shows_the_attribution_and_breadcrumbs(self) -> None:
        self.assert_attributed(self.get_text(self.url))

    def test_it_runs_a_fixed_number_of_queries(self) -> None:
        """16 queries on a first visit (then 1, from the cache: test_explorer_cache): the
        current version (1), then framework_overview's 15: contexts and factors (2),
        mechanism groups and mechanisms (2), domains and outcomes (2), links with citations
        and additional mechanisms (3), feedback loops with their mechanisms and outcomes (3),
        limitations (1), uncited links (1) and the included-study count (1). Rows are
        prefetched, so more data does not add queries."""
        with self.assertNumQueries(16):
            self.client.get(self.url)

    def test_post_is_not_allowed(self) -> None:
        assert self.client.post(self.url).status_code == 405


class TestContextPages(ExplorerTestCase):
    def url(self, key: str) -> str:
        return reverse("framework:context", kwargs={"key": key})

    def test_every_context_has_a_page_with_its_diagram_and_attribution(self) -> None:
        for context in self.version.contexts.all():
            with self.subTest(context=context.key):
                html = self.get_text(self.url(context.key))
                assert f">{context.name}</h1>" in html
                assert escape(context.summary) in html
                network_svg(html)
                self.assert_attributed(html)

    def test_accepting_lists_its_four_factors_with_their_study_counts(self) -> None:
        html = self.get_text(self.url("accepting"))
        rows = re.findall(
            r'<tr id="factor-[a-z_]+">\s*<th scope="row">([^<]+)(?:<span.*?</span>)?</th>\s*'
            r"<td>(\d+)</td>",
            html,
        )
        assert rows == [
            ("Understanding and validation", "16"),
            ("Compassion and non-judgement", "14"),
            ("Feeling relaxed or comfortable", "13"),
            ("Explicitly valuing the person and what they are expressing", "7"),
        ]
        assert "This context was found in 18 of the 20 studies the paper looked at" in html

    def test_accepting_diagram_links_each_mechanism_it_reaches(self) -> None:
        svg = network_svg(self.get_text(self.url("accepting")))
        hrefs = linked_hrefs(svg)
        for key in (
            "i_am_acceptable_or_worthwhile",
            "others_safe_trusted_like_me",
            "relationships_safe_worthwhile_belong",
        ):
            assert f"/framework/mechanisms/{key}/" in hrefs
        assert "/framework/mechanisms/mentalisation/" not in hrefs
        assert "/framework/outcomes/relationships/" in hrefs
        assert "/framework/contexts/accepting/#factor-understanding_and_validation" in hrefs

    def test_the_better_supported_line_is_drawn_thicker(self) -> None:
        """Accepting → "I am acceptable" is cited by 10 distinct studies across cmoc-01 to 03,
        11 and 12; Accepting → "Relationships are safe" by 3 (refs 25, 29, 30)."""
        svg = network_svg(self.get_text(self.url("accepting")))
        strong = edge_width(svg, "context-accepting", "mechanism-i_am_acceptable_or_worthwhile")
        weak = edge_width(
            svg, "context-accepting", "mechanism-relationships_safe_worthwhile_belong"
        )
        assert strong > weak
        assert strong == 1.5 + 6 * 10 / 20
        assert weak == 1.5 + 6 * 3 / 20

    def test_the_context_box_border_grows_with_its_study_count(self) -> None:
        """Every context diagram uses the same scale (20 studies), so Reciprocal (19) has a
        thicker border than Available (13)."""

        def border(key: str) -> float:
            svg = network_svg(self.get_text(self.url(key)))
            for element in svg.iter(f"{SVG}a"):
                if element.get("data-node") == f"context-{key}":
                    rect = element.find(f"{SVG}rect")
                    assert rect is not None
                    return float(rect.get("stroke-width", "0"))
            raise AssertionError(key)

        assert border("reciprocal") > border("available")

    def test_each_cited_link_shows_strength_citations_and_an_attributed_quote(self) -> None:
        html = self.get_text(self.url("accepting"))
        assert 'id="link-cmoc-01"' in html
        assert "most often" in html
        for number in (25, 26, 27, 28, 29):
            assert f'href="/framework/references/#ref-{number}"' in html
        assert "they don’t feel weird or different." in html
        assert "Barr 2020, Borderline Personal Disord Emot Dysregul [25]</a>, page 5." in html

    def test_it_shows_stakeholder_reflections_and_prompts_marked_as_the_projects(self) -> None:
        html = self.get_text(self.url("accepting"))
        assert "Nobody can ever fully know another person." in html
        assert "These prompts were written for APPEAR Reflect" in html
        context = self.version.contexts.get(key="accepting")
        for prompt in context.prompts:
            assert escape(prompt) in html

    def test_it_adds_the_prompts_of_the_tensions_linked_to_the_context(self) -> None:
        html = self.get_text(self.url("available"))
        tension = self.version.tensions.get(key="availability_vs_boundaries")
        assert f'id="tension-{tension.key}"' in html
        for prompt in tension.prompts:
            assert escape(prompt) in html
        lived = self.version.tensions.get(key="lived_experience_whose_need")
        assert escape(lived.prompts[0]) not in html

    def test_it_runs_a_fixed_number_of_queries(self) -> None:
        """14 queries on a first visit (then 1, from the cache): the current version (1), then
        context_detail's 13: the context, factors, stakeholder reflections with their
        tension, tensions (4), links with their citations and additional mechanisms (3),
        uncited links with contexts, mechanisms and outcomes (4), all contexts for the
        navigation (1) and the included-study count (1)."""
        for key in ("accepting", "reciprocal"):
            with self.subTest(context=key), self.assertNumQueries(14):
                self.client.get(self.url(key))

    def test_an_unknown_context_is_not_found(self) -> None:
        assert self.client.get(self.url("judgemental")).status_code == 404

    def test_post_is_not_allowed(self) -> None:
        assert self.client.post(self.url("accepting")).status_code == 405


class TestMechanismPages(ExplorerTestCase):
    def url(self, key: str) -> str:
        return reverse("framework:mechanism", kwargs={"key": key})

    def test_every_mechanism_has_a_page_with_its_links_and_attribution(self) -> None:
        for mechanism in self.version.mechanisms.all():
            with self.subTest(mechanism=mechanism.key):
                html = self.get_text(self.url(mechanism.key))
                assert f"<h1>{escape(mechanism.statement)}</h1>" in html
                links = self.version.links.filter(mechanism=mechanism)
                for link in links:
                    assert f'id="link-{link.code}"' in html
                network_svg(html)
                self.assert_attributed(html)

    def test_it_lists_links_that_reach_it_as_an_additional_mechanism(self) -> None:
        """cmoc-22 (Available) has "others are safe" as its main mechanism; its wording also
        covers "others can be effective"."""
        html = self.get_text(self.url("others_can_be_effective"))
        assert 'id="link-cmoc-22"' in html
        assert "its main mechanism is another one" in html
        svg = network_svg(html)
        assert "/framework/contexts/available/" in linked_hrefs(svg)

    def test_mentalisation_shows_its_one_cited_link_and_the_uncited_discussion_claims(
        self,
    ) -> None:
        html = self.get_text(self.url("mentalisation"))
        assert 'id="link-cmoc-18"' in html
        assert "1 cited link reaches this mechanism" in html
        assert "Discussion claim" in html
        assert "Not from the studies" in html
        assert "Understanding and labelling feelings and needs" in html

    def test_it_runs_a_fixed_number_of_queries(self) -> None:
        """12 queries: the current version (1), then mechanism_detail's 11: the mechanism with
        its group (1), links with citations and additional mechanisms (3), uncited links with
        their parts (4), feedback loops (1), all mechanisms for the navigation (1) and the
        included-study count (1)."""
        for key in ("i_am_acceptable_or_worthwhile", "mentalisation"):
            with self.subTest(mechanism=key), self.assertNumQueries(12):
                self.client.get(self.url(key))

    def test_an_unknown_mechanism_is_not_found(self) -> None:
        assert self.client.get(self.url("nothing")).status_code == 404

    def test_post_is_not_allowed(self) -> None:
        assert self.client.post(self.url("mentalisation")).status_code == 405


class TestOutcomePages(ExplorerTestCase):
    def url(self, key: str) -> str:
        return reverse("framework:outcome", kwargs={"key": key})

    def test_every_domain_has_a_page_with_its_outcomes_and_attribution(self) -> None:
        for domain in self.version.outcome_domains.all():
            with self.subTest(domain=domain.key):
                html = self.get_text(self.url(domain.key))
                assert f"<h1>{domain.name}</h1>" in html
                for outcome in domain.outcomes.all():
                    assert escape(outcome.name) in html
                for link in self.version.links.filter(outcome__domain=domain):
                    assert f'id="link-{link.code}"' in html
                self.assert_attributed(html)

    def test_relationships_diagram_shows_its_three_outcomes(self) -> None:
        svg = network_svg(self.get_text(self.url("relationships")))
        nodes = {a.get("data-node") for a in svg.iter(f"{SVG}a")}
        assert {
            "outcome-reduced_social_isolation",
            "outcome-improved_relationships_connections",
            "outcome-sense_of_belonging",
        } <= nodes

    def test_knowledge_and_skills_says_honestly_no_cited_link_ends_there(self) -> None:
        html = self.get_text(self.url("knowledge_and_skills"))
        assert "No cited link in the paper" in html
        assert "--network" not in html
        assert "Discussion claim" in html
        assert "A secure base supports exploration and the development of knowledge" in html

    def test_it_runs_a_fixed_number_of_queries(self) -> None:
        """12 queries: the current version (1), then domain_detail's 11: the domain and its
        outcomes (2), links with citations and additional mechanisms (3), uncited links with
        their parts (4), all domains for the navigation (1) and the included-study count (1)."""
        with self.assertNumQueries(12):
            self.client.get(self.url("relationships"))

    def test_a_domain_without_cited_links_skips_their_prefetches(self) -> None:
        """10 queries: as for any domain, less the links' citations and additional mechanisms,
        which Django does not fetch when there are no links to fetch them for."""
        with self.assertNumQueries(10):
            self.client.get(self.url("knowledge_and_skills"))

    def test_an_unknown_domain_is_not_found(self) -> None:
        assert self.client.get(self.url("wealth")).status_code == 404

    def test_post_is_not_allowed(self) -> None:
        assert self.client.post(self.url("hopefulness")).status_code == 405


class TestReferencesPage(ExplorerTestCase):
    @property
    def url(self) -> str:
        return reverse("framework:references")

    def test_every_reference_has_an_anchor(self) -> None:
        html = self.get_text(self.url)
        for reference in self.version.references.all():
            assert f'id="ref-{reference.number}"' in html

    def test_a_study_lists_the_links_that_cite_it(self) -> None:
        html = self.get_text(self.url)
        entry = html.split('id="ref-36"', 1)[1].split('id="ref-37"', 1)[0]
        assert "Storm M, Fortuna KL" in entry
        for code in ("cmoc-16", "cmoc-18", "cmoc-20"):
            assert f"#link-{code}" in entry

    def test_it_separates_included_studies_from_theory(self) -> None:
        html = self.get_text(self.url)
        studies = html.index('<h2 id="kind-study">The included studies</h2>')
        theory = html.index('<h2 id="kind-theory">Theory and background</h2>')
        assert studies < html.index('id="ref-43"') < theory < html.index('id="ref-7"')
        self.assert_attributed(html)

    def test_it_runs_a_fixed_number_of_queries(self) -> None:
        """4 queries: the current version, the references, and the links that cite and that
        quote them (prefetched with their context, mechanism and outcome joined in)."""
        with self.assertNumQueries(4):
            self.client.get(self.url)

    def test_post_is_not_allowed(self) -> None:
        assert self.client.post(self.url).status_code == 405


class TestSearchPage(ExplorerTestCase):
    @property
    def url(self) -> str:
        return reverse("framework:search")

    def search(self, query: str) -> str:
        response = self.client.get(self.url, {"q": query})
        assert response.status_code == 200
        return response.content.decode()

    def test_it_finds_text_across_kinds_and_groups_results(self) -> None:
        html = self.search("trust")
        assert '<h2 id="results-mechanism">' in html
        assert '<h2 id="results-factor">' in html
        assert 'href="/framework/mechanisms/others_safe_trusted_like_me/"' in html
        assert 'href="/framework/contexts/available/#factor-trustworthiness"' in html

    def test_matched_words_are_marked(self) -> None:
        html = self.search("belong")
        assert "<mark>belong</mark>" in html

    def test_every_word_must_match(self) -> None:
        html = self.search("curiosity person")
        assert "Nobody can ever fully know another person" not in html  # lacks "curiosity"
        assert "results-tension" in html

    def test_it_searches_quotes_and_names_their_source(self) -> None:
        html = self.search("weird")
        assert '<h2 id="results-quote">' in html
        assert "Barr 2020" in html
        assert 'href="/framework/contexts/accepting/#link-cmoc-01"' in html

    def test_no_hits_says_so(self) -> None:
        html = self.search("zzzzqqq")
        assert "Nothing in the framework matches “zzzzqqq”" in html

    def test_an_empty_query_asks_for_words(self) -> None:
        assert "Type a word or two to search for." in self.search("   ")

    def test_an_over_long_query_is_refused_with_a_message(self) -> None:
        html = self.search("a" * 201)
        assert "That search is too long. Use 200 characters or fewer." in html
        assert "<mark>" not in html

    def test_markup_in_the_query_is_escaped(self) -> None:
        html = self.search("<script>alert(1)</script>")
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_a_query_matching_an_entity_does_not_break_the_markup(self) -> None:
        """The Limitations, quotes and prompts contain apostrophes, escaped as &#x27;; a query
        for "x27" must neither match inside the entity nor split it."""
        html = self.search("x27")
        assert "&#<mark>" not in html

    def test_without_a_query_it_shows_just_the_form(self) -> None:
        html = self.get_text(self.url)
        assert 'name="q"' in html
        assert "Type a word or two" not in html
        self.assert_attributed(html)

    def test_it_runs_the_same_queries_with_hits_and_without(self) -> None:
        """10 queries the first time: the current version (1) and search_corpus's 9: contexts
        and factors, mechanisms with their group, domains and outcomes, stakeholder
        reflections with their context, tensions and their contexts, and quoted links. The
        corpus is then kept in the cache for the version, so any later search reads only the
        version. Matching happens in Python, so what is searched for does not change the
        count."""
        with self.assertNumQueries(10):
            self.client.get(self.url, {"q": "trust"})
        for query in ("trust", "zzzzqqq"):
            with self.subTest(query=query), self.assertNumQueries(1):
                self.client.get(self.url, {"q": query})

    def test_a_refused_query_reads_only_the_version(self) -> None:
        """1 query: the current version, to know the framework is loaded."""
        with self.assertNumQueries(1):
            self.client.get(self.url, {"q": ""})

    def test_post_is_not_allowed(self) -> None:
        assert self.client.post(self.url, {"q": "trust"}).status_code == 405


class TestWithoutAFrameworkLoaded(TestCase):
    def test_every_page_explains_instead_of_failing(self) -> None:
        urls = [
            reverse("framework:overview"),
            reverse("framework:context", kwargs={"key": "accepting"}),
            reverse("framework:mechanism", kwargs={"key": "mentalisation"}),
            reverse("framework:outcome", kwargs={"key": "hopefulness"}),
            reverse("framework:references"),
            reverse("framework:search") + "?q=trust",
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                assert response.status_code == 503
                html = response.content.decode()
                assert "The framework has not been loaded yet" in html
                assert ATTRIBUTION in html

    def test_only_the_current_version_is_shown(self) -> None:
        version = load_framework()
        FrameworkVersion.objects.filter(pk=version.pk).update(is_current=False)
        response = self.client.get(reverse("framework:overview"))
        assert response.status_code == 503


class TestPlainWording(ExplorerTestCase):
    """Issue 11: the explorer speaks to people with lived experience, not to reviewers.

    "Coded in N of 20 studies" and "evidence-coded" are the meta-synthesis's words; every
    explorer page says "found in" instead, keeping the numbers.
    """

    OLD_WORDING = ("coded in", "coded this", "evidence-coded", "coded evidence", "coded from")

    def explorer_urls(self) -> list[str]:
        return [
            reverse("framework:overview"),
            *(reverse("framework:context", kwargs={"key": key}) for key in CONTEXT_KEYS),
            *(reverse("framework:mechanism", kwargs={"key": key}) for key in MECHANISM_KEYS),
            *(reverse("framework:outcome", kwargs={"key": key}) for key in DOMAIN_KEYS),
            reverse("framework:references"),
            reverse("framework:search") + "?q=accepting",
        ]

    def test_no_explorer_page_says_coded(self) -> None:
        for url in self.explorer_urls():
            with self.subTest(url=url):
                main = self.get_text(url).split('<main id="main"', 1)[1].split("</main>", 1)[0]
                said = [phrase for phrase in self.OLD_WORDING if phrase in main.lower()]
                assert said == [], f"{url} still says {said}"

    def test_a_context_page_says_found_in_with_the_numbers(self) -> None:
        html = self.get_text(reverse("framework:context", kwargs={"key": "accepting"}))
        assert "This context was found in 18 of the 20 studies the paper looked at" in html
        assert "found in 18 of 20 studies" in html  # the diagram's box
        assert ">Found in (studies)</th>" in html

    def test_uncited_links_are_marked_as_not_from_the_studies(self) -> None:
        html = self.get_text(reverse("framework:mechanism", kwargs={"key": "mentalisation"}))
        assert "Not from the studies" in html
