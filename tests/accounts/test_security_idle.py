"""Sessions end after a configurable idle time, with a warning first and nothing typed lost."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings
from django.urls import reverse

from accounts.middleware import IDLE_LAST_SEEN_KEY, KEEP_UNSENT_COOKIE
from accounts.models import AuditEvent
from tests.accounts.auth_support import AuthTestCase

START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> time_machine.travel:
    return time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False)


@override_settings(SESSION_IDLE_TIMEOUT=30 * 60)
class IdleExpiryTests(AuthTestCase):
    def sign_in_at_start(self, login: str = "alice") -> None:
        with at(0):
            self.sign_in(login)

    def test_a_session_used_within_the_idle_time_carries_on(self) -> None:
        self.sign_in_at_start()
        for minute in (20, 45, 70):
            with at(minute):
                assert self.client.get("/").status_code == 200
                assert self.client.session["_auth_user_id"] == str(self.personas.alice.pk)

    def test_a_session_idle_for_the_whole_time_ends_with_a_message_and_a_way_back(self) -> None:
        self.sign_in_at_start()
        with at(30):
            response = self.client.get("/framework/?q=trust")
        assert response.status_code == 302
        assert response.url == "/accounts/login/?next=%2Fframework%2F%3Fq%3Dtrust"
        assert "_auth_user_id" not in self.client.session
        page = self.client.get(response.url).content.decode()
        assert "You were signed out after 30 minutes without activity" in page

    def test_the_expiry_is_audited_as_a_sign_out_for_idleness(self) -> None:
        self.sign_in_at_start()
        with at(31):
            self.client.get("/")
        event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_OUT)
        assert event.subject == self.personas.alice
        assert event.detail == {"reason": "idle"}

    def test_one_second_short_of_the_limit_is_still_signed_in(self) -> None:
        self.sign_in_at_start()
        with time_machine.travel(START + dt.timedelta(minutes=30, seconds=-1), tick=False):
            assert self.client.get("/").status_code == 200

    def test_an_htmx_request_after_expiry_gets_a_whole_page_redirect(self) -> None:
        self.sign_in_at_start()
        with at(40):
            response = self.client.get(
                "/framework/search/?q=trust",
                headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/framework/"},
            )
        assert response.status_code == 200
        assert response.headers["HX-Redirect"] == "/accounts/login/?next=%2Fframework%2F"

    def test_a_form_sent_after_expiry_returns_to_the_page_it_was_on(self) -> None:
        self.sign_in_at_start()
        with at(40):
            response = self.client.post(
                reverse("account_change_password"),
                {"oldpassword": "x"},
                headers={"Referer": "http://testserver/accounts/password/change/"},
            )
        assert response.url == "/accounts/login/?next=%2Faccounts%2Fpassword%2Fchange%2F"

    def test_a_foreign_referer_is_not_followed(self) -> None:
        self.sign_in_at_start()
        with at(40):
            response = self.client.post(
                reverse("account_change_password"),
                {},
                headers={"Referer": "https://evil.example/phish/"},
            )
        assert "evil" not in response.url

    def test_signing_in_again_returns_to_where_the_person_was(self) -> None:
        self.sign_in_at_start()
        with at(40):
            login_url = self.client.get("/framework/").url
            response = self.client.post(
                login_url,
                {
                    "login": "alice",
                    "password": "correct-horse-battery-staple",
                    "next": "/framework/",
                },
            )
        assert response.url == "/framework/"

    @override_settings(SESSION_IDLE_TIMEOUT=5 * 60)
    def test_the_idle_time_is_a_setting(self) -> None:
        self.sign_in_at_start()
        with at(6):
            assert self.client.get("/").status_code == 302

    @override_settings(SESSION_IDLE_TIMEOUT=0)
    def test_an_idle_time_of_zero_turns_expiry_off(self) -> None:
        self.sign_in_at_start()
        with at(600):
            assert self.client.get("/").status_code == 200

    def test_the_session_is_written_at_most_once_a_minute(self) -> None:
        """Writing the last-seen time on every request would cost an UPDATE on each."""
        self.sign_in_at_start()
        with at(0.5):
            self.client.get("/")
            assert self.client.session[IDLE_LAST_SEEN_KEY] == int(START.timestamp())
        with at(2):
            self.client.get("/")
            assert self.client.session[IDLE_LAST_SEEN_KEY] == int(START.timestamp()) + 120


@override_settings(SESSION_IDLE_TIMEOUT=30 * 60)
class IdleWarningTests(AuthTestCase):
    def test_signed_in_pages_carry_the_warning_its_script_and_the_time_left(self) -> None:
        with at(0):
            self.sign_in("alice")
        with at(10):
            response = self.client.get("/")
        html = response.content.decode()
        assert 'data-idle-timeout="1800"' in html
        assert 'data-idle-left="1800"' in html
        assert '<script src="/static/js/idle.js" defer></script>' in html
        assert 'role="alertdialog"' in html
        assert 'aria-labelledby="idle-warning-title"' in html
        assert ">Stay signed in</button>" in html
        assert response.headers["X-Session-Idle-Left"] == "1800"

    def test_the_time_left_counts_down_between_session_writes(self) -> None:
        with at(0):
            self.sign_in("alice")
        with at(0.5):
            response = self.client.get("/")
        assert 'data-idle-left="1770"' in response.content.decode()

    def test_signed_out_pages_have_no_warning(self) -> None:
        html = self.client.get("/").content.decode()
        assert "data-idle-timeout" not in html
        assert "alertdialog" not in html

    def test_the_warning_scripts_are_served(self) -> None:
        idle = b"".join(self.client.get("/static/js/idle.js").streaming_content)  # type: ignore[attr-defined]
        assert b"X-Session-Idle-Left" in idle
        assert b"showModal" in idle
        keep = b"".join(self.client.get("/static/js/keep-unsent.js").streaming_content)  # type: ignore[attr-defined]
        assert b"data-keep-unsent" in keep


@override_settings(SESSION_IDLE_TIMEOUT=30 * 60)
class KeepAliveTests(AuthTestCase):
    def test_keep_alive_starts_the_idle_clock_again(self) -> None:
        with at(0):
            self.sign_in("alice")
        with at(29):
            response = self.client.post(reverse("session_keep_alive"))
            assert response.status_code == 204
            assert response.headers["X-Session-Idle-Left"] == "1800"
        with at(58):
            assert self.client.get("/").status_code == 200

    def test_keep_alive_after_expiry_sends_the_person_to_sign_in(self) -> None:
        with at(0):
            self.sign_in("alice")
        with at(31):
            response = self.client.post(reverse("session_keep_alive"))
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")

    def test_keep_alive_is_post_only(self) -> None:
        self.sign_in("alice")
        assert self.client.get(reverse("session_keep_alive")).status_code == 405

    def test_keep_alive_needs_a_signed_in_person(self) -> None:
        response = self.client.post(reverse("session_keep_alive"))
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
        assert self.client.get(reverse("session_keep_alive")).status_code == 405


class KeepUnsentReceiptTests(AuthTestCase):
    def test_a_successful_post_carrying_a_copy_id_answers_with_a_receipt(self) -> None:
        self.sign_in("alice")
        response = self.client.post(
            reverse("account_change_password"),
            {
                "oldpassword": "correct-horse-battery-staple",
                "password1": "a-quiet-river-at-dawn",
                "password2": "a-quiet-river-at-dawn",
                "_keep_unsent": "abc123",
            },
        )
        assert response.status_code == 302
        cookie = response.cookies[KEEP_UNSENT_COOKIE]
        assert cookie.value == "abc123"
        assert cookie["max-age"] == 120
        assert cookie["samesite"] == "Lax"

    def test_a_post_shown_again_with_errors_gets_no_receipt(self) -> None:
        self.sign_in("alice")
        response = self.client.post(
            reverse("account_change_password"), {"oldpassword": "wrong", "_keep_unsent": "abc123"}
        )
        assert response.status_code == 200
        assert KEEP_UNSENT_COOKIE not in response.cookies

    @override_settings(SESSION_IDLE_TIMEOUT=60)
    def test_a_post_refused_because_the_session_ended_gets_no_receipt(self) -> None:
        with at(0):
            self.sign_in("alice")
        with at(5):
            response = self.client.post(
                reverse("account_change_password"), {"_keep_unsent": "abc123"}
            )
        assert response.url.startswith("/accounts/login/")
        assert KEEP_UNSENT_COOKIE not in response.cookies

    def test_a_copy_id_that_is_not_a_plain_token_is_ignored(self) -> None:
        self.sign_in("alice")
        response = self.client.post(
            reverse("account_change_password"),
            {
                "oldpassword": "correct-horse-battery-staple",
                "password1": "a-quiet-river-at-dawn",
                "password2": "a-quiet-river-at-dawn",
                "_keep_unsent": "<script>",
            },
        )
        assert response.status_code == 302
        assert KEEP_UNSENT_COOKIE not in response.cookies


class HtmxSignInTests(AuthTestCase):
    def test_an_htmx_request_without_a_session_sends_the_whole_page_to_sign_in(self) -> None:
        response = self.client.post(
            reverse("supervision:comment_create", kwargs={"pk": 1}),
            {"body": "Typed after the session ended"},
            headers={
                "HX-Request": "true",
                "HX-Current-URL": "http://testserver/supervision/shared/1/?page=2",
            },
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == (
            "/accounts/login/?next=%2Fsupervision%2Fshared%2F1%2F%3Fpage%3D2"
        )

    def test_a_plain_post_without_a_session_is_still_an_ordinary_redirect(self) -> None:
        response = self.client.post(
            reverse("supervision:comment_create", kwargs={"pk": 1}), {"body": "x"}
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        assert "HX-Redirect" not in response

    def test_an_htmx_redirect_elsewhere_is_left_alone(self) -> None:
        self.sign_in("alice")
        response = self.client.post(reverse("account_logout"), headers={"HX-Request": "true"})
        assert "HX-Redirect" not in response
