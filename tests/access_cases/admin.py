"""Matrix entries for the Django admin, which is for site staff only.

Every URL under admin/ is covered as one group: each is wrapped by the admin site's own
permission check, so the sample below (the index, an app, lists, an object, password change)
stands for them all. Everyone but site staff is sent to the admin's sign-in page; that page is
wrapped by allauth's secure_admin_login, so a visitor goes on to the site's sign-in (throttling
and two-factor apply) and a signed-in person who is not staff is refused with a 403. An
organisation admin is not site staff.
"""

from __future__ import annotations

from tests.access_cases.core import (
    ADMIN_LOGIN,
    ANONYMOUS,
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    OK,
    REDIRECT,
    SITE_STAFF,
    Case,
    Group,
)

GROUPS = [Group(prefix="admin/", reason="the admin site checks is_staff on every view")]

STAFF_ONLY = {SITE_STAFF: OK}

CASES = [
    Case("admin:index", default=ADMIN_LOGIN, answers=STAFF_ONLY),
    Case("admin:login", default=FORBIDDEN, answers={ANONYMOUS: LOGIN, SITE_STAFF: REDIRECT}),
    Case("admin:logout", default=REDIRECT, answers={SITE_STAFF: NOT_ALLOWED}),
    Case(
        "admin:app_list",
        default=ADMIN_LOGIN,
        answers=STAFF_ONLY,
        kwargs=lambda w: {"app_label": "accounts"},
    ),
    Case("admin:accounts_user_changelist", default=ADMIN_LOGIN, answers=STAFF_ONLY),
    Case(
        "admin:accounts_user_change",
        default=ADMIN_LOGIN,
        answers=STAFF_ONLY,
        kwargs=lambda w: {"object_id": w.p.alice.pk},
    ),
    Case("admin:accounts_auditevent_changelist", default=ADMIN_LOGIN, answers=STAFF_ONLY),
    Case("admin:accounts_invitation_changelist", default=ADMIN_LOGIN, answers=STAFF_ONLY),
    Case("admin:password_change", default=ADMIN_LOGIN, answers=STAFF_ONLY),
]
