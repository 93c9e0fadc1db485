"""Repeated wrong passwords lock the account for a while, with a clear message, audited."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from tests.accounts.auth_support import AuthTestCase
from tests.base import PASSWORD

LOCKED = "Too many failed sign-in attempts. For your security this account is locked for"


class LockoutTests(AuthTestCase):
    def attempt(self, login: str, password: str, client: Client | None = None) -> str:
        response = (client or self.client).post(
            reverse("account_login"), {"login": login, "password": password}
        )
        return response.content.decode() if response.status_code == 200 else ""

    def fail_five_times(self, login: str = "alice") -> None:
        for attempt in range(5):
            html = self.attempt(login, f"wrong-password-{attempt}")
            assert LOCKED not in html, f"Locked after only {attempt + 1} attempts."

    def test_the_sixth_wrong_password_gets_the_lockout_message(self) -> None:
        self.fail_five_times()
        html = self.attempt("alice", "wrong-password-6")
        assert f"{LOCKED} 5 minutes." in html
        assert 'href="/accounts/password/reset/">reset your password by e-mail</a>' in html

    def test_even_the_right_password_is_refused_while_locked(self) -> None:
        self.fail_five_times()
        html = self.attempt("alice", PASSWORD)
        assert LOCKED in html
        assert "_auth_user_id" not in self.client.session

    def test_the_lockout_holds_from_another_browser(self) -> None:
        self.fail_five_times()
        assert LOCKED in self.attempt("alice", PASSWORD, client=Client())

    def test_the_lockout_is_audited_against_the_account(self) -> None:
        self.fail_five_times()
        self.attempt("alice", PASSWORD)
        event = AuditEvent.objects.get(action=AuditEvent.Action.LOCKED_OUT)
        assert event.subject == self.personas.alice
        assert event.organisation == self.personas.riverside
        assert event.detail == {"scope": "account", "minutes": 5}
        assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED).count() == 5
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN).exists()

    def test_user_name_and_email_address_share_one_count(self) -> None:
        for attempt in range(3):
            self.attempt("alice", f"wrong-{attempt}")
        for attempt in range(2):
            self.attempt("alice@example.org", f"wrong-again-{attempt}")
        assert LOCKED in self.attempt("ALICE", PASSWORD)

    def test_the_lock_counts_one_account_only(self) -> None:
        self.fail_five_times("alice")
        self.attempt("bob", PASSWORD)
        assert self.client.session["_auth_user_id"] == str(self.personas.bob.pk)

    def test_the_message_counts_down_the_time_left(self) -> None:
        start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False):
            self.fail_five_times()
        with time_machine.travel(start + dt.timedelta(minutes=3, seconds=30), tick=False):
            html = self.attempt("alice", PASSWORD)
        assert f"{LOCKED} 2 minutes." in html

    def test_the_lock_lifts_after_five_minutes(self) -> None:
        start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False):
            self.fail_five_times()
        with time_machine.travel(start + dt.timedelta(minutes=5, seconds=1), tick=False):
            self.attempt("alice", PASSWORD)
            assert self.client.session["_auth_user_id"] == str(self.personas.alice.pk)

    def test_a_successful_sign_in_uses_up_no_attempt(self) -> None:
        for _ in range(6):
            Client().post(reverse("account_login"), {"login": "alice", "password": PASSWORD})
        for attempt in range(4):
            assert LOCKED not in self.attempt("alice", f"wrong-{attempt}")
        self.attempt("alice", PASSWORD)
        assert self.client.session["_auth_user_id"] == str(self.personas.alice.pk)

    def test_many_failures_from_one_network_pause_sign_in_there(self) -> None:
        for attempt in range(20):
            self.attempt(f"stranger-{attempt}@example.org", "wrong-password")
        html = self.attempt("bob", PASSWORD)
        assert (
            "Too many failed sign-in attempts from this network. For your security sign-in is "
            "paused for 1 minute." in html
        )
        assert "_auth_user_id" not in self.client.session
        event = AuditEvent.objects.get(action=AuditEvent.Action.LOCKED_OUT)
        assert event.subject == self.personas.bob
        assert event.detail == {"scope": "network", "minutes": 1}
