"""Entries for the site-wide URL access matrix (tests/test_url_access.py).

The matrix asks every URL pattern of the site, as every persona, and checks the answer. It fails
when a URL pattern has no entry, so every new URL needs one here. Each app keeps its entries in
its own module in this package (accounts.py, framework.py, reflections.py, ...); a new module is
found automatically.

A case module defines:

    CASES: list[Case]                       # required
    GROUPS: list[Group]                     # optional: route prefixes covered as a whole
    def extend_world(world: World) -> None  # optional: add the objects your cases need

A `Case` (see core.py) names one URL and one HTTP method and says what each persona gets:

    Case(
        "accounts:member",                      # the URL name, with its namespace
        kwargs=lambda w: {"slug": "riverside", "pk": w.membership("alice").pk},
        default=NOT_FOUND,                      # what every persona not listed gets
        answers={ANONYMOUS: LOGIN, ORG_ADMIN: OK},
    )

`method` is "get" (the default), "post", "put" or "delete"; `data` builds the request body from
the world; `query` is appended to the URL; `note` tells apart several cases of one URL (e.g.
"another organisation's member"). Each request runs in a savepoint that is rolled back, so a
POST by one persona never changes what the next persona sees.

Answers: OK (200), NO_CONTENT (204), LOGIN (302 to the sign-in page), ADMIN_LOGIN (302 to the Django admin's
sign-in), REDIRECT (302 elsewhere), NOT_FOUND (404), NOT_ALLOWED (405), GONE (410),
UNAVAILABLE (503), FORBIDDEN (403), BAD_REQUEST (400).

Personas (built once, in core.build_world): ANONYMOUS; PEER_WORKER (alice, supervised by sam);
SUPERVISOR (sam); UNRELATED_SUPERVISOR (una, same organisation); TRAINER (tara); ORG_ADMIN
(olive); OTHER_ORGANISATION (omar, peer worker at hillside); DEACTIVATED (dee, whose membership
was deactivated but whose account is still on: the hardest case for the access layer); SITE_STAFF
(stella, Django admin superuser with no organisation); PARTICIPANT (no account, the signed
cookie of a workshop participant; it gets the ANONYMOUS answer unless a case names it). The
world also holds every object of
tests.base.Personas (`world.p`) and a dictionary `world.objects` for what modules add.
"""
