"""A TestCase base with the shared personas, built once per class."""

from __future__ import annotations

from typing import ClassVar

from django.test import TestCase, override_settings

from tests.base import Personas, make_personas

# Django's default hasher takes about a quarter of a second per password by design; nine
# personas per class would spend most of the suite hashing. Nothing here tests hashing itself.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class PersonasTestCase(TestCase):
    p: ClassVar[Personas]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = make_personas()
