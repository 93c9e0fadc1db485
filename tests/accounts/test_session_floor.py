"""What every signed-in page pays: the session from the cache, the user, and no two-factor query.

Sessions are cached (`cached_db`) only when a shared cache is configured, so these tests turn
the engine on explicitly; the in-process cache stands in for Redis in one test process.
"""

from __future__ import annotations

import datetime as dt

import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Membership
from accounts.services import membership_deactivate, organisation_update_settings
from accounts.sessions import sessions_end_for
from accounts.two_factor import ENROLMENT_SESSION_KEY, two_factor_answers_forget
from tests.accounts.auth_support import AuthTestCase, enrol_totp

CACHED_DB = "django.contrib.sessions.backends.cached_db"
CACHED_SESSION_PREFIX = "django.contrib.sessions.cached_db"
ENROL = "/accounts/2fa/totp/activate/"


def signed_in(client: Client) -> bool:
    return client.get("/bare/").status_code == 200


@override_settings(SESSION_ENGINE=CACHED_DB, ROOT_URLCONF="tests.accounts.bare_urls")
class SignedInFloorTests(AuthTestCase):
    def test_a_bare_signed_in_view_costs_one_query_the_user(self) -> None:
        """1 query: the user. The session comes from the cache and the two-factor answer from
        the session, both remembered when signing in."""
        client = self.personas.client_for(self.personas.alice)
        with self.assertNumQueries(1):
            assert client.get("/bare/").status_code == 200

    def test_a_supervisor_whose_organisation_requires_two_factor_pays_the_same(self) -> None:
        """1 query: the enrolled supervisor's answer is remembered like anyone else's."""
        self.personas.riverside.requires_two_factor = True
        self.personas.riverside.save()
        enrol_totp(self.personas.sam)
        client = self.personas.client_for(self.personas.sam)
        with self.assertNumQueries(1):
            assert client.get("/bare/").status_code == 200

    def test_sessions_written_through_the_cache_are_also_in_the_database(self) -> None:
        client = self.personas.client_for(self.personas.alice)
        key = client.session.session_key
        assert Session.objects.filter(session_key=key).exists()
        cache.clear()  # A restarted or emptied Redis falls back to the database.
        assert signed_in(client)

    def test_signing_out_ends_the_session_in_the_cache_too(self) -> None:
        self.sign_in("alice")
        key = self.client.session.session_key
        self.client.post(reverse("account_logout"))
        assert cache.get(f"{CACHED_SESSION_PREFIX}{key}") is None
        assert not Session.objects.filter(session_key=key).exists()
        assert not signed_in(self.client)

    def test_ending_someones_sessions_clears_them_from_the_cache(self) -> None:
        """Deleting the rows alone would leave the cache serving the session."""
        laptop = self.personas.client_for(self.personas.alice)
        phone = self.personas.client_for(self.personas.alice)
        bob = self.personas.client_for(self.personas.bob)
        assert sessions_end_for(user=self.personas.alice) == 2
        assert not signed_in(laptop)
        assert not signed_in(phone)
        assert signed_in(bob)
        assert list(Session.objects.values_list("session_key", flat=True)) == [
            bob.session.session_key
        ]

    def test_a_deactivated_persons_cached_session_ends_at_their_next_request(self) -> None:
        alice = self.personas.client_for(self.personas.alice)
        assert signed_in(alice)
        membership = Membership.objects.get(user=self.personas.alice)
        membership_deactivate(membership=membership, by=self.personas.olive)
        response = alice.get("/bare/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_idle_expiry_still_ends_a_cached_session(self) -> None:
        start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
        with override_settings(SESSION_IDLE_TIMEOUT=30 * 60):
            with time_machine.travel(start, tick=False):
                self.sign_in("alice")
            with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
                assert signed_in(self.client)
                assert self.client.post(reverse("session_keep_alive")).status_code == 204
            with time_machine.travel(start + dt.timedelta(minutes=49), tick=False):
                assert signed_in(self.client)
            with time_machine.travel(start + dt.timedelta(minutes=80), tick=False):
                assert not signed_in(self.client)
        assert "_auth_user_id" not in self.client.session


@override_settings(SESSION_ENGINE=CACHED_DB, ROOT_URLCONF="tests.accounts.bare_urls")
class RememberedTwoFactorAnswerTests(AuthTestCase):
    """The enrolment answer is remembered per session, and every change to it counts at once,
    in every session of the person, whichever session or page made the change."""

    def setUp(self) -> None:
        super().setUp()
        self.personas.riverside.requires_two_factor = True
        self.personas.riverside.save()

    def sent_to_enrol(self, client: Client) -> bool:
        response = client.get("/bare/")
        return response.status_code == 302 and response["Location"] == ENROL

    def test_enrolling_lets_every_session_through_at_once(self) -> None:
        laptop = self.personas.client_for(self.personas.sam)
        phone = self.personas.client_for(self.personas.sam)
        assert self.sent_to_enrol(laptop)
        assert self.sent_to_enrol(phone)
        enrol_totp(self.personas.sam)
        assert signed_in(laptop)
        assert signed_in(phone)

    def test_removing_the_authenticator_sends_every_session_to_enrol_at_once(self) -> None:
        enrol_totp(self.personas.sam)
        laptop = self.personas.client_for(self.personas.sam)
        phone = self.personas.client_for(self.personas.sam)
        assert signed_in(laptop)
        assert signed_in(phone)
        Authenticator.objects.filter(user=self.personas.sam).delete()  # e.g. in the admin
        assert self.sent_to_enrol(laptop)
        assert self.sent_to_enrol(phone)

    def test_turning_it_off_where_it_is_optional_counts_in_the_same_session(self) -> None:
        self.personas.riverside.requires_two_factor = False
        self.personas.riverside.save()
        self.sign_in("alice")
        self.confirm_password()
        enrol_totp(self.personas.alice)
        assert signed_in(self.client)
        assert self.client.post(reverse("mfa_deactivate_totp")).status_code == 302
        assert not Authenticator.objects.filter(user=self.personas.alice).exists()
        assert signed_in(self.client)

    def test_becoming_a_supervisor_sends_the_session_to_enrol_at_once(self) -> None:
        alice = self.personas.client_for(self.personas.alice)
        assert signed_in(alice)
        membership = Membership.objects.get(user=self.personas.alice)
        membership.is_supervisor = True
        membership.save()
        assert self.sent_to_enrol(alice)

    def test_the_organisation_turning_the_requirement_on_counts_at_once(self) -> None:
        organisation_update_settings(
            organisation=self.personas.riverside,
            requires_two_factor=False,
            by=self.personas.olive,
        )
        sam = self.personas.client_for(self.personas.sam)
        assert signed_in(sam)
        organisation_update_settings(
            organisation=self.personas.riverside,
            requires_two_factor=True,
            by=self.personas.olive,
        )
        assert self.sent_to_enrol(sam)

    def test_becoming_site_staff_counts_at_once(self) -> None:
        alice = self.personas.client_for(self.personas.alice)
        assert signed_in(alice)
        self.personas.alice.is_staff = True
        self.personas.alice.save(update_fields=["is_staff"])
        assert self.sent_to_enrol(alice)

    def test_a_change_made_by_a_queryset_update_counts_once_forgotten(self) -> None:
        """update() sends no signal: code writing that way says so itself."""
        alice = self.personas.client_for(self.personas.alice)
        assert signed_in(alice)
        Membership.objects.filter(user=self.personas.alice).update(is_org_admin=True)
        two_factor_answers_forget(user_ids=[self.personas.alice.pk])
        assert self.sent_to_enrol(alice)

    def test_a_lost_stamp_means_asking_the_database_again(self) -> None:
        """6 queries once: the session from the database, the user, the enrolment check
        (an emptied cache could hide a change) and the session written back with the new
        answer (an UPDATE between savepoints inside the test's transaction); then 1 again."""
        enrol_totp(self.personas.sam)
        sam = self.personas.client_for(self.personas.sam)
        cache.clear()
        with self.assertNumQueries(6):
            assert signed_in(sam)
        with self.assertNumQueries(1):
            assert signed_in(sam)


# A port in this project's range with nothing listening: Redis refuses the connection.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:8179/7",
    }
}


@override_settings(
    SESSION_ENGINE="django.contrib.sessions.backends.db", ROOT_URLCONF="tests.accounts.bare_urls"
)
class UnreachableCacheTests(AuthTestCase):
    def test_without_the_cache_the_answer_is_asked_of_the_database_each_time(self) -> None:
        """2 + 1 queries: the session and the user, and the enrolment check on every request,
        because an answer that no stamp vouches for is never kept; and no session write."""
        self.personas.riverside.requires_two_factor = True
        self.personas.riverside.save()
        sam = self.personas.client_for(self.personas.sam)
        with override_settings(CACHES=UNREACHABLE_REDIS):
            response = sam.get("/bare/")
        assert (response.status_code, response["Location"]) == (302, ENROL)
        # Forgetting answers needs the cache: a change it cannot announce is refused instead.
        enrol_totp(self.personas.sam)
        with override_settings(CACHES=UNREACHABLE_REDIS):
            for _request in range(2):
                with self.assertNumQueries(3):
                    assert signed_in(sam)
        # What signing in remembered ("must enrol") is still there, untrusted and unrewritten.
        assert sam.session[ENROLMENT_SESSION_KEY][2] is True
