"""Saving the contexts step: a fixed handful of queries, the same rows as one-by-one saving.

The autosave posts all five ratings as the worker types, so it runs often; it used to cost a
constraint check (in a savepoint), an UPDATE and two factor queries per rating.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from framework.models import Context, Factor
from reflections import services
from reflections.models import ContextRating, Reflection
from reflections.steps import Step
from tests.reflections.flow_support import OneDraftTestCase, draft, step_data, step_url


def autosave_url(reflection: Reflection) -> str:
    return reverse("reflections:autosave", kwargs={"pk": reflection.pk, "step": "contexts"})


def ratings_state(reflection: Reflection) -> list[tuple[str, int | None, str, list[str]]]:
    """Every rating of the reflection in words: context, presence, evidence and factors."""
    return [
        (
            rating.context.key,
            rating.presence,
            rating.evidence,
            sorted(factor.key for factor in rating.factors.all()),
        )
        for rating in ContextRating.objects.filter(reflection=reflection)
        .select_related("context")
        .prefetch_related("factors")
        .order_by("context__order")
    ]


def save_one_by_one(reflection: Reflection, ratings: list[services.RatingInput]) -> None:
    """How the ratings were saved before: each rating cleaned and saved, its factors set."""
    existing = {r.context_id: r for r in ContextRating.objects.filter(reflection=reflection)}
    for item in ratings:
        rating = existing.get(item.context.pk)
        if item.is_empty:
            if rating is not None:
                rating.delete()
            continue
        rating = rating or ContextRating(reflection=reflection, context=item.context)
        rating.presence = item.presence
        rating.evidence = item.evidence
        rating.full_clean(exclude=["reflection", "context"])
        rating.save()
        rating.factors.set(item.factors)


class ContextsSaveTestCase(OneDraftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contexts = list(
            Context.objects.filter(version=self.version)
            .order_by("order")
            .prefetch_related("factors")
        )

    def factors(self, context: Context) -> list[Factor]:
        return sorted(context.factors.all(), key=lambda factor: factor.order)

    def everything_changed(self) -> dict[str, Any]:
        """Every context rated anew, with two factors that differ from the saved one."""
        data = step_data("contexts", self.reflection)
        for context in self.contexts:
            prefix = f"ctx-{context.key}"
            data[f"{prefix}-presence"] = "3"
            data[f"{prefix}-factors"] = [str(f.pk) for f in self.factors(context)[1:3]]
            data[f"{prefix}-evidence"] = f"Now: {context.name}"
        return data


class ContextsAutosaveQueryTests(ContextsSaveTestCase):
    def test_saving_all_five_ratings_with_their_factors_takes_eleven_queries(self) -> None:
        """11 queries: the session, the user and the reflection (access); then in one
        transaction (a savepoint pair here, inside the test's transaction) the revision
        claimed, the saved ratings with their factors read at once, one UPDATE of the five
        ratings, one DELETE of the factors dropped, one INSERT of those added, and one UPDATE
        of the reflection's search copy of its evidence lines. The framework's contexts come
        from the cache the step's page filled. (44 before.)"""
        self.client.get(step_url(self.reflection, "contexts"))
        data = self.everything_changed()
        with self.assertNumQueries(11):
            answer = self.client.post(autosave_url(self.reflection), data)
        assert answer.json()["saved"] is True
        for key, presence, evidence, factors in ratings_state(self.reflection):
            context = next(c for c in self.contexts if c.key == key)
            assert (presence, evidence) == (3, f"Now: {context.name}")
            assert factors == sorted(f.key for f in self.factors(context)[1:3])

    def test_with_the_framework_not_yet_cached_it_takes_three_more(self) -> None:
        """14 queries: the eleven, and the contexts with their factors and tensions (3), which
        the cache then keeps for every later save. Outside a test, without the savepoint
        pair, 12."""
        data = self.everything_changed()
        with self.assertNumQueries(14):
            answer = self.client.post(autosave_url(self.reflection), data)
        assert answer.json()["saved"] is True

    def test_a_first_save_of_new_ratings_takes_no_more(self) -> None:
        """10 queries on an empty draft: one INSERT of the ratings and one of their factors
        instead of the UPDATE, DELETE and INSERT."""
        self.reflection = Reflection.objects.create(
            author=self.p.alice,
            organisation=self.p.riverside,
            framework_version=self.version,
            session_date=self.reflection.session_date,
        )
        self.client.get(step_url(self.reflection, "contexts"))
        data = self.everything_changed()
        with self.assertNumQueries(10):
            answer = self.client.post(autosave_url(self.reflection), data)
        assert answer.json()["saved"] is True
        assert len(ratings_state(self.reflection)) == 5

    def test_the_steps_page_reads_the_framework_from_the_cache(self) -> None:
        """6 queries: the session, the user, the reflection, its ratings and their factors,
        and the memberships for the navigation."""
        url = step_url(self.reflection, "contexts")
        self.client.get(url)
        with self.assertNumQueries(6):
            assert self.client.get(url).status_code == 200


class SameRowsAsBeforeTests(ContextsSaveTestCase):
    """The batched save leaves exactly the rows the one-by-one save did, change after change."""

    def inputs(self, rounds: int) -> list[list[services.RatingInput]]:
        a, b, c, d, e = self.contexts
        return [
            # From the draft's five ratings (presence 2, one factor each):
            [
                services.RatingInput(context=a, presence=3, factors=self.factors(a)[1:3]),
                services.RatingInput(context=b),  # cleared: the rating goes
                services.RatingInput(context=c, presence=2, evidence=f"Evidence for {c.name}"),
                services.RatingInput(
                    context=d, presence=2, factors=self.factors(d)[:1], evidence="same factor"
                ),
                services.RatingInput(context=e, presence=0, factors=self.factors(e)),
            ],
            [
                services.RatingInput(context=a, presence=None, factors=self.factors(a)[:1]),
                services.RatingInput(context=b, presence=1, evidence="back again"),
                services.RatingInput(context=c),
                services.RatingInput(context=d, presence=2, evidence="same factor"),
                services.RatingInput(context=e, presence=0, factors=self.factors(e)[::-1]),
            ],
        ][:rounds]

    def test_each_round_of_changes_leaves_the_same_rows(self) -> None:
        twin = draft(author=self.p.alice, organisation=self.p.riverside, version=self.version)
        assert ratings_state(self.reflection) == ratings_state(twin)
        for ratings in self.inputs(2):
            self.reflection.refresh_from_db()
            services.reflection_save_step(
                reflection=self.reflection,
                by=self.p.alice,
                step=Step.CONTEXTS,
                values=services.StepValues(ratings=ratings),
                revision=self.reflection.revision,
            )
            save_one_by_one(twin, ratings)
            assert ratings_state(self.reflection) == ratings_state(twin)

    def test_a_factor_of_another_context_saves_nothing(self) -> None:
        a, b = self.contexts[:2]
        before = ratings_state(self.reflection)
        ratings = [
            services.RatingInput(context=a, presence=3, evidence="changed"),
            services.RatingInput(context=b, presence=1, factors=self.factors(a)[:1]),
        ]
        with self.assertRaisesMessage(Exception, "A factor does not belong to its context."):
            services.reflection_save_step(
                reflection=self.reflection,
                by=self.p.alice,
                step=Step.CONTEXTS,
                values=services.StepValues(ratings=ratings),
                revision=self.reflection.revision,
            )
        assert ratings_state(self.reflection) == before


class InvalidContextsInputTests(ContextsSaveTestCase):
    def test_an_autosave_off_the_scale_names_the_field_and_saves_nothing(self) -> None:
        before = ratings_state(self.reflection)
        data = self.everything_changed() | {"ctx-empowering-presence": "7"}
        answer = self.client.post(autosave_url(self.reflection), data).json()
        assert answer["saved"] is False
        assert answer["errors"] == {
            "ctx-empowering-presence": ["Choose one of the options listed."]
        }
        assert ratings_state(self.reflection) == before
        self.reflection.refresh_from_db()
        assert self.reflection.revision == 1

    def test_the_page_shows_the_message_by_the_field_and_keeps_what_was_typed(self) -> None:
        data = self.everything_changed() | {
            "ctx-empowering-presence": "lots",
            "ctx-empowering-evidence": "What I typed stays",
        }
        response = self.client.post(step_url(self.reflection, "contexts"), data)
        html = response.content.decode()
        assert response.status_code == 200
        # The context's own part of the page: up to the next context's.
        fieldset = html.split('id="ctx-empowering-field"')[1].split('class="compact-context ')[0]
        assert 'id="id_ctx-empowering-presence_error"' in fieldset
        assert "Choose one of the options listed." in fieldset
        assert "What I typed stays" in fieldset
        self.reflection.refresh_from_db()
        assert self.reflection.revision == 1
