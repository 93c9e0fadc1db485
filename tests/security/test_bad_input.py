"""Bad input is a 404 or a message next to the field, never a 500 (security test finding 5).

Each case below gave a server error before: an integer too large for the database in a URL or
a form, a `next` that Django's `redirect()` resolved as a URL name after the write was saved,
a date whose day after is year 10,000, and a sign-in identifier long enough to break the
database's LIKE matching in the lookup that keys the failed-attempt count.
"""

from __future__ import annotations

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import AuditEvent
from supervision.models import Share
from tests.supervision.sharing_support import SharingTestCase

HUGE = "99999999999999999999"


class IntegersTooLargeForTheDatabaseTests(SharingTestCase):
    def test_a_huge_id_in_a_supervision_url_is_not_found(self) -> None:
        client = self.p.client_for(self.p.sam)
        for path in (
            f"/supervision/workers/{HUGE}/",
            f"/supervision/workers/{HUGE}/brief/",
            f"/supervision/workers/{HUGE}/brief.pdf",
            f"/supervision/reflections/{HUGE}/",
            f"/supervision/records/{HUGE}/",
            f"/reflections/{HUGE}/",
            f"/reflections/{HUGE}/history/{HUGE}/",
            f"/accounts/organisation/riverside/members/{HUGE}/",
        ):
            assert client.get(path).status_code == 404, path

    def test_a_huge_id_among_the_reflections_to_share_is_a_field_error(self) -> None:
        self.reflection()
        client = self.p.client_for(self.p.alice)
        response = client.post(
            reverse("supervision:share_create"),
            {"reflections": [HUGE], "supervisors": [str(self.p.sam.pk)]},
        )
        assert response.status_code == 200
        assert "Select a valid choice." in response.content.decode()
        assert not Share.objects.exists()

    def test_no_url_takes_an_unbounded_integer(self) -> None:
        """Every integer in a URL goes through the bounded `id` converter."""

        def walk(patterns: list[URLPattern | URLResolver]) -> list[str]:
            found = []
            for pattern in patterns:
                if isinstance(pattern, URLResolver):
                    found += walk(pattern.url_patterns)
                converters = getattr(pattern.pattern, "converters", {})
                found += [
                    f"{pattern.pattern} <{name}>"
                    for name, converter in converters.items()
                    if type(converter).__name__ == "IntConverter"
                ]
            return found

        assert walk(get_resolver().url_patterns) == []


class NextIsOnlyASameSitePathTests(SharingTestCase):
    def test_a_withdraw_with_a_bare_word_as_next_goes_back_to_the_share_page(self) -> None:
        share = Share.objects.create(
            reflection=self.reflection(), supervisor=self.p.sam, link=self.p.sam_alice
        )
        client = self.p.client_for(self.p.alice)
        for next_value in ("foo", "account_logout", "//evil.example/", "https://evil.example/"):
            response = client.post(
                reverse("supervision:share_withdraw", args=[share.pk]), {"next": next_value}
            )
            assert response.status_code == 302, next_value
            assert response["Location"] == reverse("supervision:share"), next_value

    def test_a_share_with_a_bare_word_as_next_goes_back_to_the_share_page(self) -> None:
        reflection = self.reflection()
        client = self.p.client_for(self.p.alice)
        response = client.post(
            reverse("supervision:reflection_share", args=[reflection.pk]),
            {"supervisors": [str(self.p.sam.pk)], "next": "account_logout"},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("supervision:share")
        assert Share.objects.filter(reflection=reflection).count() == 1

    def test_a_same_site_path_as_next_is_followed(self) -> None:
        reflection = self.reflection()
        client = self.p.client_for(self.p.alice)
        response = client.post(
            reverse("supervision:reflection_share", args=[reflection.pk]),
            {"supervisors": [str(self.p.sam.pk)], "next": reflection.get_absolute_url()},
        )
        assert response["Location"] == reflection.get_absolute_url()


class DatesAtTheEdgeOfTheCalendarTests(SharingTestCase):
    def test_dates_at_the_end_of_the_calendar_are_a_field_error(self) -> None:
        client = self.p.client_for(self.p.alice)
        for url in (reverse("reflections:practice"), reverse("reflections:list")):
            response = client.get(url, {"date_from": "9999-12-30", "date_to": "9999-12-31"})
            assert response.status_code == 200, url
            assert "Enter a date between 1 January 2000 and" in response.content.decode(), url

    def test_dates_at_the_start_of_the_calendar_are_a_field_error(self) -> None:
        client = self.p.client_for(self.p.alice)
        response = client.get(
            reverse("reflections:practice"), {"date_from": "0001-01-01", "date_to": "0001-01-02"}
        )
        assert response.status_code == 200
        assert "Enter a date between 1 January 2000 and" in response.content.decode()


class SignInIdentifierTests(SharingTestCase):
    def test_a_huge_sign_in_identifier_is_a_field_error_without_a_lookup(self) -> None:
        response = Client().post(
            reverse("account_login"), {"login": "a%" * 50_000, "password": "whatever"}
        )
        assert response.status_code == 200
        assert "Ensure this value has at most 254 characters" in response.content.decode()
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED_OUT).exists()
