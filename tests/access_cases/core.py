"""The data format of the URL access matrix: personas, answers, cases, groups and the world."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from types import ModuleType
from typing import Any

from accounts.models import Membership, User
from tests.accounts.auth_support import enrol_totp
from tests.base import Personas, make_personas, make_user


class Persona(StrEnum):
    ANONYMOUS = "anonymous"
    PEER_WORKER = "peer_worker"
    SUPERVISOR = "supervisor"
    UNRELATED_SUPERVISOR = "unrelated_supervisor"
    TRAINER = "trainer"
    ORG_ADMIN = "org_admin"
    OTHER_ORGANISATION = "other_organisation"
    DEACTIVATED = "deactivated"
    SITE_STAFF = "site_staff"
    # No account: a browser that joined a workshop and carries its participant cookie
    # (tests/access_cases/workshops.py). Unless a case says otherwise, it gets what an
    # anonymous visitor gets.
    PARTICIPANT = "participant"


class Answer(Enum):
    OK = "200"
    NO_CONTENT = "204"
    LOGIN = "302 to sign-in"
    ADMIN_LOGIN = "302 to admin sign-in"
    REDIRECT = "302 elsewhere"
    BAD_REQUEST = "400"
    FORBIDDEN = "403"
    NOT_FOUND = "404"
    NOT_ALLOWED = "405"
    GONE = "410"
    UNAVAILABLE = "503"


ANONYMOUS = Persona.ANONYMOUS
PEER_WORKER = Persona.PEER_WORKER
SUPERVISOR = Persona.SUPERVISOR
UNRELATED_SUPERVISOR = Persona.UNRELATED_SUPERVISOR
TRAINER = Persona.TRAINER
ORG_ADMIN = Persona.ORG_ADMIN
OTHER_ORGANISATION = Persona.OTHER_ORGANISATION
DEACTIVATED = Persona.DEACTIVATED
SITE_STAFF = Persona.SITE_STAFF
PARTICIPANT = Persona.PARTICIPANT
SIGNED_IN = tuple(persona for persona in Persona if persona not in (ANONYMOUS, PARTICIPANT))

OK = Answer.OK
NO_CONTENT = Answer.NO_CONTENT
LOGIN = Answer.LOGIN
ADMIN_LOGIN = Answer.ADMIN_LOGIN
REDIRECT = Answer.REDIRECT
BAD_REQUEST = Answer.BAD_REQUEST
FORBIDDEN = Answer.FORBIDDEN
NOT_FOUND = Answer.NOT_FOUND
NOT_ALLOWED = Answer.NOT_ALLOWED
GONE = Answer.GONE
UNAVAILABLE = Answer.UNAVAILABLE


@dataclass
class World:
    """The personas and every object the cases need, built once for the whole matrix."""

    p: Personas
    stella: User
    objects: dict[str, Any] = field(default_factory=dict)
    # Cookies a persona carries besides its session, e.g. the participant's signed cookie.
    cookies: dict[Persona, dict[str, str]] = field(default_factory=dict)

    def user(self, persona: Persona) -> User | None:
        return {
            ANONYMOUS: None,
            PEER_WORKER: self.p.alice,
            SUPERVISOR: self.p.sam,
            UNRELATED_SUPERVISOR: self.p.una,
            TRAINER: self.p.tara,
            ORG_ADMIN: self.p.olive,
            OTHER_ORGANISATION: self.p.omar,
            DEACTIVATED: self.p.dee,
            SITE_STAFF: self.stella,
            PARTICIPANT: None,
        }[persona]

    def membership(self, username: str) -> Membership:
        return Membership.objects.get(user__username=username)


def no_kwargs(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Case:
    """One URL name and method, and the answer each persona gets."""

    name: str
    default: Answer = NOT_FOUND
    answers: Mapping[Persona, Answer] = field(default_factory=dict)
    kwargs: Callable[[World], dict[str, Any]] = no_kwargs
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = no_kwargs
    query: str = ""
    note: str = ""

    def answer_for(self, persona: Persona) -> Answer:
        if persona is PARTICIPANT and persona not in self.answers:
            return self.answers.get(ANONYMOUS, self.default)
        return self.answers.get(persona, self.default)

    @property
    def label(self) -> str:
        words = [self.name, self.method.upper()]
        if self.note:
            words.append(f"({self.note})")
        return " ".join(words)


@dataclass(frozen=True)
class Group:
    """Every URL pattern whose route starts with `prefix` is covered by the module's cases."""

    prefix: str
    reason: str


def everyone(answer: Answer, **answers: Answer) -> dict[Persona, Answer]:
    """All personas get `answer`, except those given by name (e.g. anonymous=LOGIN)."""
    table = dict.fromkeys(Persona, answer)
    table.update({Persona(name): value for name, value in answers.items()})
    if PARTICIPANT.value not in answers:
        table[PARTICIPANT] = table[ANONYMOUS]
    return table


def case_modules() -> list[ModuleType]:
    import tests.access_cases as package

    names = sorted(
        info.name for info in pkgutil.iter_modules(package.__path__) if info.name not in {"core"}
    )
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


def all_cases() -> list[tuple[str, Case]]:
    return [
        (module.__name__.rpartition(".")[2], case)
        for module in case_modules()
        for case in getattr(module, "CASES", [])
    ]


def all_groups() -> list[Group]:
    return [group for module in case_modules() for group in getattr(module, "GROUPS", [])]


def build_world() -> World:
    """Make the personas, then let every case module add its objects."""
    personas = make_personas()
    stella = make_user("stella", is_staff=True, is_superuser=True)
    # Staff must have two-factor sign-in; without it every page sends them to enrol.
    enrol_totp(stella)
    world = World(p=personas, stella=stella)
    for module in case_modules():
        extend = getattr(module, "extend_world", None)
        if extend is not None:
            extend(world)
    return world
