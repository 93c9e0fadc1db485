"""My practice and the supervision brief at the edges of the calendar.

The suite runs at a fixed instant (tests/environment.py); these tests move the clock to the
last and first minutes of months, quarters and years, in London time, where "today" and
"this month" in UTC and in London can disagree, and check that the pages still count the
right reflections over the right months.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import SupervisionLink
from reflections import practice_tally
from reflections.practice import add_months, month_start
from tests.supervision.records_support import RecordsTestCase, pdf_reader, response_bytes

INSTANTS = [
    # The last and first half hours of a year (London keeps GMT in winter).
    "2026-12-31T23:45:00+00:00",
    "2027-01-01T00:15:00+00:00",
    # The end of a quarter in summer time: 23:30 in London is still 22:30 UTC on the 31st.
    "2026-03-31T23:30:00+01:00",
    # Just after midnight in London while UTC is still in the last day of June (a quarter).
    "2026-06-30T23:30:00+00:00",
    # The last day of February, and a leap day.
    "2027-02-28T23:50:00+00:00",
    "2028-02-29T12:00:00+00:00",
]


@contextmanager
def at(instant: str) -> Iterator[None]:
    """The clock stopped at `instant`, in a transaction rolled back afterwards."""
    with time_machine.travel(datetime.fromisoformat(instant), tick=False), transaction.atomic():
        yield
        transaction.set_rollback(True)


class AtTheEdgesOfTheCalendarTests(RecordsTestCase):
    def setUp(self) -> None:
        super().setUp()
        # The personas' supervision starts on the suite's "today"; these instants lie on
        # both sides of it, so the supervision here began long before all of them.
        SupervisionLink.objects.filter(pk=self.p.sam_alice.pk).update(starts_on=date(2020, 1, 6))

    def test_my_practice_counts_today_yesterday_and_whole_months_back(self) -> None:
        for instant in INSTANTS:
            with self.subTest(instant=instant), at(instant):
                self.check_my_practice()

    def test_the_brief_holds_what_was_shared_today_and_yesterday_on_one_page(self) -> None:
        for instant in INSTANTS:
            with self.subTest(instant=instant), at(instant):
                self.check_the_brief()

    def check_my_practice(self) -> None:
        today = timezone.localdate()
        first_of_period = add_months(month_start(today), -5)
        inside = [today, today - timedelta(days=1), first_of_period]
        outside = [first_of_period - timedelta(days=1)]
        written = [self.reflection(self.p.alice, session_date=day) for day in inside + outside]
        # Written directly, not through the services: their tallies are refreshed here.
        practice_tally.refresh_reflections(written)
        client = self.p.client_for(self.p.alice)

        response = client.get(reverse("reflections:practice"))

        assert response.status_code == 200
        assert response.context["report"].total == len(inside)
        expected = f"{date_format(first_of_period, 'j F Y')} to {date_format(today, 'j F Y')}"
        assert response.context["period_text"] == expected
        this_month = client.get(
            reverse("reflections:practice"),
            {"date_from": today.replace(day=1).isoformat(), "date_to": today.isoformat()},
        )
        assert this_month.status_code == 200
        in_this_month = [day for day in inside if day >= today.replace(day=1)]
        assert this_month.context["report"].total == len(in_this_month)

    def check_the_brief(self) -> None:
        today = timezone.localdate()
        for offset, learning in enumerate(["Shared on the day.", "Shared the day before."]):
            reflection = self.varied_reflection(
                offset, session_date=today - timedelta(days=offset), learning=learning
            )
            self.share(reflection)
        supervisor = self.p.client_for(self.p.sam)

        page = supervisor.get(reverse("supervision:brief", kwargs={"user_id": self.p.alice.pk}))

        assert page.status_code == 200
        text = page.content.decode()
        assert "Shared on the day." in text
        assert "Shared the day before." in text
        start = today - timedelta(days=1)
        pdf = supervisor.get(
            reverse("supervision:brief_pdf", kwargs={"user_id": self.p.alice.pk}),
            {"from": start.isoformat(), "to": today.isoformat()},
        )
        assert pdf.status_code == 200
        assert len(pdf_reader(response_bytes(pdf)).pages) == 1


def test_the_instants_fall_on_the_days_they_are_meant_to_in_london() -> None:
    local_days = []
    for instant in INSTANTS:
        with time_machine.travel(datetime.fromisoformat(instant), tick=False):
            local_days.append(timezone.localdate())
    assert local_days == [
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2026, 3, 31),
        date(2026, 7, 1),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]
