"""Session dates are bounded, and so is the month chart whatever the data (finding 6).

A session date of 0001-01-01 once made My practice (all time) an 8.3 MB page drawing about
24,000 months. Dates typed in are now kept between 2000 and today; a date already stored
outside that range (from before the bound) cannot make the chart longer than ten years.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from reflections import practice_tally
from reflections.filters import MAX_PRACTICE_MONTHS
from reflections.models import Reflection
from tests.supervision.sharing_support import SharingTestCase


class SessionDateBoundsTests(SharingTestCase):
    def post_session_date(self, value: str) -> tuple[Reflection, str]:
        reflection = self.reflection(status=Reflection.Status.DRAFT)
        client = self.p.client_for(self.p.alice)
        response = client.post(
            reverse("reflections:step", args=[reflection.pk, "session"]),
            {"session_date": value, "revision": reflection.revision},
        )
        reflection.refresh_from_db()
        return reflection, response.content.decode()

    def test_a_session_before_2000_is_refused_next_to_the_field(self) -> None:
        reflection, html = self.post_session_date("0001-01-01")
        assert "Enter a date between 1 January 2000 and" in html
        assert reflection.session_date == timezone.localdate()

    def test_a_session_in_2000_is_accepted(self) -> None:
        reflection, _html = self.post_session_date("2000-01-01")
        assert reflection.session_date == date(2000, 1, 1)

    def test_a_session_next_year_is_refused_as_in_the_future(self) -> None:
        later = timezone.localdate() + timedelta(days=400)
        reflection, html = self.post_session_date(later.isoformat())
        assert "The date cannot be in the future." in html
        assert reflection.session_date == timezone.localdate()


class MonthChartBoundTests(SharingTestCase):
    def test_all_time_draws_at_most_ten_years_of_months_whatever_is_stored(self) -> None:
        written = [self.reflection(session_date=date(1, 1, 1)), self.reflection()]
        # Written directly, not through the services: their tallies are refreshed here.
        practice_tally.refresh_reflections(written)
        client = self.p.client_for(self.p.alice)
        response = client.get(reverse("reflections:practice"), {"period": "all"})
        assert response.status_code == 200
        html = response.content.decode()
        table = html.split('<table class="practice-months">')[1].split("</table>")[0]
        assert len(re.findall(r'<th scope="row">', table)) == MAX_PRACTICE_MONTHS
        assert len(html) < 1_000_000
