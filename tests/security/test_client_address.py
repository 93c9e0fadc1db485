"""Behind a proxy, sign-in throttling and the audit trail see the client's own address (finding 1).

Behind the nginx set-up in docs/deployment.md every request reaches the site from 127.0.0.1.
Counting failed sign-ins per REMOTE_ADDR made one attacker's flood, sent from many addresses,
pause sign-in for everyone. With TRUSTED_PROXY_COUNT set to the number of proxies, the address
each proxy appended to X-Forwarded-For is the one counted and audited; addresses the client
wrote itself further left are never believed.
"""

from __future__ import annotations

from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from accounts.audit import client_ip
from accounts.models import AuditEvent
from tests.accounts.auth_support import AuthTestCase
from tests.base import PASSWORD

PAUSED = "Too many failed sign-in attempts from this network."
PROXY = "127.0.0.1"


def sign_in(login: str, password: str, address: str, client: Client | None = None) -> str:
    """Post the sign-in form as nginx would forward it from `address` (one proxy)."""
    response = (client or Client()).post(
        reverse("account_login"),
        {"login": login, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"10.9.9.9, {address}",
    )
    return response.content.decode() if response.status_code == 200 else ""


@override_settings(TRUSTED_PROXY_COUNT=1)
class BehindOneProxyTests(AuthTestCase):
    def test_a_flood_from_many_addresses_does_not_pause_sign_in_for_anyone_else(self) -> None:
        for attempt in range(44):
            sign_in(f"stranger-{attempt}", "wrong-password", f"198.51.100.{attempt + 1}")
        client = Client()
        html = sign_in("bob", PASSWORD, "203.0.113.7", client)
        assert PAUSED not in html
        assert client.session["_auth_user_id"] == str(self.personas.bob.pk)

    def test_a_flood_from_one_address_still_pauses_sign_in_from_there(self) -> None:
        for attempt in range(20):
            sign_in(f"stranger-{attempt}", "wrong-password", "198.51.100.1")
        assert PAUSED in sign_in("bob", PASSWORD, "198.51.100.1")
        client = Client()
        sign_in("bob", PASSWORD, "203.0.113.7", client)
        assert client.session["_auth_user_id"] == str(self.personas.bob.pk)

    def test_the_audit_trail_records_the_clients_address_not_the_proxys(self) -> None:
        sign_in("alice", "wrong-password", "198.51.100.23")
        event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
        assert event.ip_address == "198.51.100.23"

    def test_a_request_with_fewer_hops_than_proxies_counts_as_the_proxy(self) -> None:
        request = RequestFactory().get("/", REMOTE_ADDR=PROXY)
        assert client_ip(request) == PROXY

    def test_a_malformed_forwarded_address_counts_as_the_proxy(self) -> None:
        request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-ip")
        assert client_ip(request) == PROXY


class WithoutAProxyTests(AuthTestCase):
    def test_a_forged_forwarded_for_header_does_not_escape_the_limit(self) -> None:
        for attempt in range(20):
            Client().post(
                reverse("account_login"),
                {"login": f"stranger-{attempt}", "password": "wrong-password"},
                REMOTE_ADDR="198.51.100.1",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt + 1}",
            )
        response = Client().post(
            reverse("account_login"),
            {"login": "bob", "password": PASSWORD},
            REMOTE_ADDR="198.51.100.1",
            HTTP_X_FORWARDED_FOR="192.0.2.200",
        )
        assert PAUSED in response.content.decode()
        event = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED).first()
        assert event is not None
        assert event.ip_address == "198.51.100.1"
