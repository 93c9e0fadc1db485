"""My practice's monthly tallies always add up to what counting the reflections gives.

`practice_rows` reads the tallies kept by reflections.practice_tally; `practice_rows_direct`
counts the reflections themselves, as the page did before the tallies. Random workers write,
submit, reopen, move, discard and lose reflections through the real services, and after
every step both must give the same rows for a range of periods.
"""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta
from typing import ClassVar

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from framework.models import FrameworkVersion
from framework.services import framework_data_read, framework_load
from reflections import practice_tally, selectors, services
from reflections.models import PracticeTally, Reflection
from reflections.practice import add_months, month_start
from reflections.steps import Step
from tests.base import Personas, make_member, make_personas
from tests.reflections.practice_helpers import load_framework, write_reflection

Rows = tuple[object, ...]


def normalised(rows: selectors.PracticeRows) -> Rows:
    """The rows in a fixed order: the direct counts come in whatever order the database likes."""
    return (
        [(m.month, m.reflections, m.older_version) for m in rows.months],
        sorted((c.context, c.mechanism, c.domain, c.count) for c in rows.chain_counts),
        sorted((p.month, p.context, float(p.total), p.count) for p in rows.presence),
        sorted((p.first, p.second, p.count) for p in rows.pairs),
        rows.context_reach,
        rows.mechanism_reach,
        rows.domain_reach,
    )


class TestTalliesMatchTheReflections(TestCase):
    people: ClassVar[Personas]
    version: ClassVar[FrameworkVersion]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.people = make_personas()
        cls.version = load_framework()
        # Alice also works in Hillside, so her tallies span two organisations.
        make_member(cls.people.alice, cls.people.hillside, Membership.Role.PEER_WORKER)

    def check(self, rng: random.Random, workers: list[User], version: FrameworkVersion) -> None:
        today = timezone.localdate()
        entities = selectors.framework_entities(version=version)
        periods: list[tuple[date | None, date]] = [
            (None, today),
            (add_months(month_start(today), -5), today),
            (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
            (month_start(today), today),
        ]
        for _index in range(3):
            first = today - timedelta(days=rng.randrange(500))
            periods.append((first, first + timedelta(days=rng.randrange(120))))
        for worker in workers:
            for start, end in periods:
                arguments = {
                    "user": worker,
                    "start": start,
                    "end": end,
                    "version": version,
                    "entities": entities,
                }
                tallied = normalised(selectors.practice_rows(**arguments))  # type: ignore[arg-type]
                direct = normalised(selectors.practice_rows_direct(**arguments))  # type: ignore[arg-type]
                assert tallied == direct, (worker, start, end)

    def values(
        self, rng: random.Random, version: FrameworkVersion
    ) -> dict[Step, services.StepValues]:
        contexts = list(version.contexts.all())
        mechanisms = list(version.mechanisms.all())
        domains = list(version.outcome_domains.all())
        return {
            Step.SESSION: services.StepValues(
                fields={
                    "session_date": timezone.localdate() - timedelta(days=rng.randrange(450)),
                    "duration_minutes": 30,
                    "setting": "",
                    "contact_stage": "",
                    "person_label": "",
                }
            ),
            Step.STORY: services.StepValues(
                fields={
                    "what_happened": "We walked and talked about the week.",
                    "how_i_felt": "",
                    "went_well": "",
                    "was_hard": "",
                }
            ),
            Step.CONTEXTS: services.StepValues(
                ratings=[
                    services.RatingInput(context=context, presence=rng.choice((None, 0, 1, 2, 3)))
                    for context in contexts
                ]
            ),
            Step.CHAINS: services.StepValues(
                chains=[
                    services.ChainInput(
                        context=rng.choice(contexts),
                        mechanism=rng.choice(mechanisms),
                        outcome_domain=rng.choice(domains),
                    )
                    for _chain in range(rng.choice((0, 1, 2, 3)))
                ]
            ),
            Step.OUTCOMES: services.StepValues(
                observations=[
                    services.ObservationInput(domain=domain)
                    for domain in rng.sample(domains, rng.choice((0, 1, 2)))
                ]
            ),
        }

    def save(
        self, rng: random.Random, reflection: Reflection, author: User, steps: list[Step]
    ) -> None:
        values = self.values(rng, FrameworkVersion.objects.get(pk=reflection.framework_version_id))
        for step in steps:
            services.reflection_save_step(
                reflection=reflection,
                by=author,
                step=step,
                values=values[step],
                revision=reflection.revision,
            )

    def act(self, rng: random.Random, author: User, organisations: list[Organisation]) -> None:
        """One random write by `author` through the services (or retention's bulk delete)."""
        mine = list(Reflection.objects.filter(author=author).order_by("pk"))
        submitted = [r for r in mine if r.status == Reflection.Status.SUBMITTED]
        action = rng.choice(
            ["write", "write", "write", "amend", "amend", "discard", "delete", "expire"]
        )
        if action == "write" or not submitted:
            reflection = services.reflection_start(
                by=author, organisation=rng.choice(organisations)
            )
            self.save(rng, reflection, author, list(Step)[:5])
            if rng.random() < 0.8:
                services.reflection_submit(reflection=reflection, by=author)
        elif action == "amend":
            reflection = rng.choice(submitted)
            if not reflection.is_amending:
                services.reflection_amend(reflection=reflection, by=author)
            self.save(rng, reflection, author, rng.sample(list(Step)[:5], 2))
            if rng.random() < 0.5:
                services.reflection_submit(reflection=reflection, by=author)
        elif action == "discard":
            reflection = rng.choice(submitted)
            if not reflection.is_amending:
                services.reflection_amend(reflection=reflection, by=author)
                self.save(rng, reflection, author, [Step.SESSION, Step.CHAINS])
            services.reflection_discard_amendment(reflection=reflection, by=author)
        elif action == "delete":
            drafts = [r for r in mine if r.is_draft]
            if drafts:
                services.reflection_delete(reflection=rng.choice(drafts), by=author)
        else:
            expired = Reflection.objects.filter(pk=rng.choice(submitted).pk)
            months = practice_tally.affected_months(expired)
            expired.delete()
            practice_tally.refresh_months(months)

    def test_random_writes_by_several_workers_give_the_same_rows_as_counting(self) -> None:
        people = self.people
        workers = {
            people.alice: [people.riverside, people.hillside],
            people.bob: [people.riverside],
            people.omar: [people.hillside],
        }
        rng = random.Random(13)
        version = self.version
        for round_number in range(6):
            for author, organisations in workers.items():
                for _step in range(5):
                    self.act(rng, author, organisations)
            if round_number == 2:
                # A newer version: what came before now counts as "older".
                changed = copy.deepcopy(framework_data_read(settings.FRAMEWORK_DATA_FILE))
                changed["project"]["version_label"] = "2026.1"
                version = framework_load(data=changed).version
            if round_number == 4:
                # Alice leaves Hillside: its reflections drop out of her practice.
                Membership.objects.filter(user=people.alice, organisation=people.hillside).update(
                    is_active=False
                )
                workers[people.alice] = [people.riverside]
            self.check(rng, list(workers), version)
        assert Reflection.objects.filter(status=Reflection.Status.SUBMITTED).count() > 15
        assert Reflection.objects.filter(amendment_base__isnull=False).exists()

    def test_moving_a_reopened_reflection_s_date_moves_it_and_discarding_moves_it_back(
        self,
    ) -> None:
        alice = self.people.alice
        today = timezone.localdate()
        last_year = today - timedelta(days=365)
        reflection = services.reflection_start(by=alice, organisation=self.people.riverside)
        self.save_date(reflection, today)
        self.save(random.Random(1), reflection, alice, [Step.STORY, Step.CHAINS])
        services.reflection_submit(reflection=reflection, by=alice)
        assert self.months(alice) == {month_start(today): 1}

        services.reflection_amend(reflection=reflection, by=alice)
        self.save_date(reflection, last_year)
        assert self.months(alice) == {month_start(last_year): 1}

        services.reflection_discard_amendment(reflection=reflection, by=alice)
        assert self.months(alice) == {month_start(today): 1}

    def save_date(self, reflection: Reflection, day: date) -> None:
        values = self.values(random.Random(2), self.version)[Step.SESSION]
        services.reflection_save_step(
            reflection=reflection,
            by=reflection.author,
            step=Step.SESSION,
            values=services.StepValues(fields={**values.fields, "session_date": day}),
            revision=reflection.revision,
        )

    def months(self, author: User) -> dict[date, int]:
        counted = PracticeTally.objects.filter(author=author, kind=PracticeTally.Kind.REFLECTIONS)
        return {tally.month: tally.count for tally in counted}

    def test_rebuilding_gives_back_the_same_tallies(self) -> None:
        rng = random.Random(7)
        for _step in range(12):
            self.act(rng, self.people.alice, [self.people.riverside, self.people.hillside])
        kept = self.tallies()

        call_command("rebuild_practice_tallies", stdout=open("/dev/null", "w"))  # noqa: SIM115

        assert self.tallies() == kept
        assert kept

    def test_a_worker_s_tallies_hold_only_their_submitted_reflections(self) -> None:
        today = timezone.localdate()
        for status in (Reflection.Status.SUBMITTED, Reflection.Status.DRAFT):
            write_reflection(
                author=self.people.alice,
                organisation=self.people.riverside,
                version=self.version,
                session_date=today,
                status=status,
                chains=[("reciprocal", "others_can_be_effective", "hopefulness")],
            )

        counted = PracticeTally.objects.filter(author=self.people.alice)

        assert counted.get(kind=PracticeTally.Kind.REFLECTIONS).count == 1
        assert counted.get(kind=PracticeTally.Kind.CHAIN).count == 1
        assert not PracticeTally.objects.exclude(author=self.people.alice).exists()

    def tallies(self) -> list[tuple[object, ...]]:
        return sorted(
            PracticeTally.objects.values_list(
                "author_id",
                "organisation_id",
                "month",
                "kind",
                "framework_version_id",
                "first",
                "second",
                "third",
                "count",
                "total",
            )
        )
