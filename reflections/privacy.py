"""The privacy check run before a reflection is submitted.

Reflections must not identify the people peer workers support. These pure functions look for
what often is an identifying detail (a name after a title, in any case; a common UK first
name from a shipped list; a UK phone number, an e-mail address, an NHS number with a valid
check digit, a date of birth, a UK postcode, a house-number street address, a ward or
hospital, an exact age) so the
worker can change it or confirm it is harmless. Everything runs on the server and nothing
leaves it. The patterns prefer a question too many to a miss, but stay quiet on ordinary
reflective writing: an arbitrary ten-digit number is only an NHS number if its modulus-11
check digit is right.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reflections import steps


class Kind(StrEnum):
    TITLED_NAME = "titled_name"
    PHONE = "phone"
    EMAIL = "email"
    NHS_NUMBER = "nhs_number"
    DATE_OF_BIRTH = "date_of_birth"
    POSTCODE = "postcode"
    GIVEN_NAME = "given_name"
    ADDRESS = "address"
    PLACE = "place"
    AGE = "age"


KIND_LABELS: dict[Kind, Promise] = {
    Kind.TITLED_NAME: _("A name after a title"),
    Kind.PHONE: _("A phone number"),
    Kind.EMAIL: _("An e-mail address"),
    Kind.NHS_NUMBER: _("An NHS number"),
    Kind.DATE_OF_BIRTH: _("A date of birth"),
    Kind.POSTCODE: _("A postcode"),
    Kind.GIVEN_NAME: _("A first name"),
    Kind.ADDRESS: _("A street address"),
    Kind.PLACE: _("A ward or hospital"),
    Kind.AGE: _("An age"),
}

REASONS: dict[Kind, Promise] = {
    Kind.TITLED_NAME: _(
        "A title such as Mr or Mrs followed by a capitalised word is often a name."
    ),
    Kind.PHONE: _("This looks like a UK phone number."),
    Kind.EMAIL: _("This looks like an e-mail address."),
    Kind.NHS_NUMBER: _("This is a valid NHS number: ten digits with a correct check digit."),
    Kind.DATE_OF_BIRTH: _("This looks like someone's date of birth."),
    Kind.POSTCODE: _("This looks like a UK postcode, which can point to someone's home."),
    Kind.GIVEN_NAME: _(
        "This is a common first name. If it is not a name here (or not a real person's), "
        "confirm it and it will not be raised again."
    ),
    Kind.ADDRESS: _("A house number and street can point to someone's home."),
    Kind.PLACE: _("A ward or hospital, with other details, can point to one person."),
    Kind.AGE: _("An exact age, with other details, can point to one person."),
}


@dataclass(frozen=True)
class Text:
    """One piece of free text to check, and where the worker can change it."""

    field: str
    label: str
    text: str
    step: str = ""
    anchor: str = ""


@dataclass(frozen=True)
class Match:
    field: str
    label: str
    kind: Kind
    text: str
    start: int
    end: int
    source: str
    step: str = ""
    anchor: str = ""

    @property
    def reason(self) -> str:
        return str(REASONS[self.kind])

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def key(self) -> str:
        return match_key(self.kind, self.text)

    @property
    def before(self) -> str:
        start = max(0, self.start - EXCERPT_CHARS)
        prefix = "…" if start > 0 else ""
        return prefix + self.source[start : self.start]

    @property
    def after(self) -> str:
        end = min(len(self.source), self.end + EXCERPT_CHARS)
        suffix = "…" if end < len(self.source) else ""
        return self.source[self.end : end] + suffix


EXCERPT_CHARS = 40


def match_key(kind: str, text: str) -> str:
    """A stable fingerprint of a match, so a confirmed one is not raised again.

    The text is normalised (spacing, case) so retyping the same words keeps the confirmation.
    """
    normalised = " ".join(text.split()).casefold()
    return hashlib.sha256(f"{kind}:{normalised}".encode()).hexdigest()[:40]


# A title, then a capitalised word. Titles count only with their capital, so the verb "miss"
# ("I'll miss Tuesday") is not taken for one.
_TITLED_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|MR|MRS|MS|MISS|MX|DR)\b\.?[ \t]+[A-Z][\w'’-]+"
)

# A UK number: +44 (optionally "(0)") or a national 0, then 9 or 10 more digits with
# spaces, dashes or brackets between them. The digits are checked again in _is_uk_phone.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+44[ \t-]?(?:\(0\)[ \t-]?)?|\(?0)\d(?:[ \t\-()]{0,2}\d){8,9}(?![\w])"
)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")

# Ten digits, optionally 3-3-4 with the same separator (space or dash) twice.
_NHS = re.compile(r"(?<![\w-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w-])")

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_NUMERIC_DATE = r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d{2})"
_DAY_MONTH = rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTHS})\.?,?(?:\s+(?P<y2>\d{{4}}))?"
_MONTH_DAY = rf"(?P<m3>{_MONTHS})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?(?:\s+(?P<y3>\d{{4}}))?"
_ISO_DATE = r"(?P<y4>\d{4})-(?P<m4>\d{2})-(?P<d4>\d{2})"
_ANY_DATE = rf"(?:{_ISO_DATE}|{_NUMERIC_DATE}|{_DAY_MONTH}|{_MONTH_DAY})"
_BIRTH_WORDS = r"(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?)"

# A birth word followed closely by a date (with or without its year), or "born in" a year.
_DOB_NEAR_WORD = re.compile(
    rf"\b{_BIRTH_WORDS}[\s:,.-]{{0,4}}(?:(?:is|was|on)\s+)?{_ANY_DATE}(?!\d)"
    rf"|\bborn\s+in\s+(?:19|20)\d{{2}}\b",
    re.IGNORECASE,
)
# A full date on its own: flagged only when its year would make an adult's year of birth, so
# the date of a recent session is not.
_STANDALONE_DATE = re.compile(
    r"(?<![\w/.-])(?:(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTHS})\.?,?\s+(?P<y2>\d{{4}}))(?![\w/])"
)

# Outward code (letters, digit, optional letter or digit), then the inward code (digit and
# two letters, never C, I, K, M, O or V). Capitals only, so "A1 2nd floor" is left alone.
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)[ \t]?\d[ABD-HJLNP-UW-Z]{2}\b")

ADULT_AGE = 18
OLDEST_AGE = 110

# Titles in lower case ("mrs jones"): any title but "miss", which is also a verb.
_LOWER_TITLED_NAME = re.compile(r"\b(?:mr|mrs|ms|mx)\.?[ \t]+[a-z][a-z'’-]{1,}\b")

_STREET_TYPES = (
    r"(?:Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Close|Drive|Way|Court|Crescent|Place|Terrace"
    r"|Grove|Gardens|Square|Hill|Row|Walk|Mews|Parade|Park|Rise|Green|View)"
)
# A house number, one to three words, and a street type: "14 Mill Lane", "3a station road".
_ADDRESS = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,?[ \t]+(?:[A-Za-z][a-z'’]+[ \t]+){{1,3}}{_STREET_TYPES}\b",
    re.IGNORECASE,
)
# A numbered or named ward, optionally "at St James's"; a saint's or named hospital.
_SAINT = r"(?:St\.?|Saint)[ \t]+[A-Z][\w'’]+"
_PLACE = re.compile(
    rf"\bWard[ \t]+(?:\d+[A-Z]?|[A-Z]\d*)\b(?:[ \t]+(?:at|in|on)[ \t]+{_SAINT})?"
    rf"|\b[A-Z][a-z]+[ \t]+Ward\b"
    rf"|\b{_SAINT}(?:[ \t]+(?:Hospital|Infirmary|Unit|Centre|Center))?"
    rf"|\b(?:[A-Z][a-z]+[ \t]+){{1,3}}(?:Hospital|Infirmary)\b"
)
# "aged 41", "age 41", "41 years old", "41-year-old", "41 yo".
_AGE = re.compile(
    r"\bage[ds]?[ \t]+\d{1,3}\b|\b\d{1,3}[ \t-]+years?[ \t-]+old\b|\b\d{1,3}[ \t]?(?:yo|y/o)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:['’]s)?\b")
# Words beside which a month's name is a month: "in May", "May 5", "5 May", "last June".
_MONTH_NEIGHBOURS = re.compile(
    r"(?:\b(?:in|of|on|by|from|until|till|since|last|next|this|early|late|mid|end|during)"
    r"[ \t]+$)|(?:\d[ \t]*$)",
    re.IGNORECASE,
)

NAMES_FILE = Path(__file__).resolve().parent / "data" / "uk_given_names.txt"


@functools.cache
def given_names() -> tuple[frozenset[str], frozenset[str]]:
    """The shipped list of common UK first names: (names, names that are also words)."""
    names: set[str] = set()
    words: set[str] = set()
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name = line.removesuffix("*").strip()
        names.add(name)
        if line.endswith("*"):
            words.add(name)
    return frozenset(names), frozenset(words)


def _starts_sentence(source: str, start: int) -> bool:
    before = source[:start].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?:\n"


def _given_names(source: str) -> Iterable[tuple[int, int]]:
    """Capitalised words from the names list; a name that is also a word only where it
    cannot be that word (not at a sentence's start, not beside a date)."""
    names, words = given_names()
    for match in _CAPITALISED.finditer(source):
        word = re.sub(r"['’]s$", "", match.group(0))
        if word not in names:
            continue
        start, end = match.start(), match.start() + len(word)
        if word in words:
            if _starts_sentence(source, start):
                continue
            if _MONTH_NEIGHBOURS.search(source[max(0, start - 12) : start]):
                continue
            if re.match(r"[ \t]*\d", source[end : end + 4]):
                continue
        yield start, end


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number modulus-11 check: weights 10 to 2 on the first nine digits.

    11 minus the remainder is the check digit (11 means 0); a result of 10 is never valid.
    """
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _is_uk_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if candidate.lstrip("(").startswith("+44"):
        national = digits[2:]
        if national.startswith("0"):
            national = national[1:]
        national = "0" + national
    else:
        national = digits
    if not national.startswith("0") or len(national) not in (10, 11):
        return False
    if national[1] == "7":
        return len(national) == 11
    return national[1] in "123"


def _month_number(name: str) -> int:
    return [
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
    ].index(name[:3].lower()) + 1


def _standalone_birth_year(match: re.Match[str], today: date) -> bool:
    groups = match.groupdict()
    if groups.get("y"):
        day, month, year = int(groups["d"]), int(groups["m"]), int(groups["y"])
    else:
        day, month, year = int(groups["d2"]), _month_number(groups["m2"]), int(groups["y2"])
    try:
        date(year, month, day)
    except ValueError:
        return False
    return today.year - OLDEST_AGE <= year <= today.year - ADULT_AGE


def scan_text(text: Text, *, today: date) -> list[Match]:
    """Every match in one piece of text, in reading order, one per stretch of text."""
    source = text.text
    found: list[tuple[int, int, Kind]] = []

    for match in _TITLED_NAME.finditer(source):
        found.append((match.start(), match.end(), Kind.TITLED_NAME))
    for match in _EMAIL.finditer(source):
        found.append((match.start(), match.end(), Kind.EMAIL))
    for match in _NHS.finditer(source):
        if nhs_number_is_valid(match.group(1) + match.group(3) + match.group(4)):
            found.append((match.start(), match.end(), Kind.NHS_NUMBER))
    for match in _PHONE.finditer(source):
        if _is_uk_phone(match.group(0)):
            found.append((match.start(), match.end(), Kind.PHONE))
    for match in _DOB_NEAR_WORD.finditer(source):
        found.append((match.start(), match.end(), Kind.DATE_OF_BIRTH))
    for match in _STANDALONE_DATE.finditer(source):
        if _standalone_birth_year(match, today):
            found.append((match.start(), match.end(), Kind.DATE_OF_BIRTH))
    for match in _POSTCODE.finditer(source):
        found.append((match.start(), match.end(), Kind.POSTCODE))
    for match in _LOWER_TITLED_NAME.finditer(source):
        found.append((match.start(), match.end(), Kind.TITLED_NAME))
    for match in _ADDRESS.finditer(source):
        found.append((match.start(), match.end(), Kind.ADDRESS))
    for match in _PLACE.finditer(source):
        found.append((match.start(), match.end(), Kind.PLACE))
    for match in _AGE.finditer(source):
        found.append((match.start(), match.end(), Kind.AGE))
    for start, end in _given_names(source):
        found.append((start, end, Kind.GIVEN_NAME))

    # One report per stretch of text: a valid NHS number that also fits a phone pattern, or a
    # date found both near "born" and on its own, is shown once, under the first kind found.
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    matches: list[Match] = []
    covered_until = -1
    for start, end, kind in found:
        if start < covered_until:
            continue
        covered_until = end
        matches.append(
            Match(
                field=text.field,
                label=text.label,
                kind=kind,
                text=source[start:end],
                start=start,
                end=end,
                source=source,
                step=text.step,
                anchor=text.anchor,
            )
        )
    return matches


def scan(texts: Iterable[Text], *, today: date) -> list[Match]:
    """Every match in every text, field by field."""
    return [match for text in texts if text.text for match in scan_text(text, today=today)]


def unconfirmed(matches: Iterable[Match], confirmed: Iterable[str]) -> list[Match]:
    """The matches whose fingerprint is not among those the worker has confirmed."""
    keys = set(confirmed)
    return [match for match in matches if match.key not in keys]


def reflection_texts(snapshot: dict[str, Any]) -> list[Text]:
    """Every free-text answer of a reflection (as `reflection_snapshot` gives it), the label
    for the person included, each with the step and the input that holds it."""
    fields: list[tuple[str, str, steps.Step]] = [
        ("person_label", str(_("Label for the person")), steps.Step.SESSION),
        ("what_happened", str(_("What happened")), steps.Step.STORY),
        ("how_i_felt", str(_("How I felt")), steps.Step.STORY),
        ("went_well", str(_("What went well")), steps.Step.STORY),
        ("was_hard", str(_("What was hard")), steps.Step.STORY),
        ("unintended_effects", str(_("What did not go well")), steps.Step.UNINTENDED),
        ("learning", str(_("What I learned")), steps.Step.NEXT_STEPS),
    ]
    texts = [
        Text(
            field=name,
            label=label,
            text=snapshot.get(name) or "",
            step=step,
            anchor=steps.field_id(name),
        )
        for name, label, step in fields
    ]
    for rating in snapshot.get("context_ratings", []):
        prefix = steps.context_prefix(rating["context_key"])
        texts.append(
            Text(
                field=f"{prefix}-evidence",
                label=str(_("%(context)s: what I did or said") % {"context": rating["context"]}),
                text=rating["evidence"],
                step=steps.Step.CONTEXTS,
                anchor=steps.field_id(f"{prefix}-evidence"),
            )
        )
    for index, chain in enumerate(snapshot.get("chains", [])):
        name = f"{steps.CHAIN_PREFIX}-{index}-description"
        texts.append(
            Text(
                field=name,
                label=str(
                    _("What seemed to shift (%(number)s), in my words") % {"number": index + 1}
                ),
                text=chain["description"],
                step=steps.Step.CHAINS,
                anchor=steps.field_id(name),
            )
        )
    for observation in snapshot.get("outcome_observations", []):
        prefix = steps.outcome_prefix(observation["domain_key"])
        texts.append(
            Text(
                field=f"{prefix}-observation",
                label=str(_("%(domain)s: what I noticed") % {"domain": observation["domain"]}),
                text=observation["observation"],
                step=steps.Step.OUTCOMES,
                anchor=steps.field_id(f"{prefix}-observation"),
            )
        )
    for index, action in enumerate(snapshot.get("actions", [])):
        name = f"{steps.ACTION_PREFIX}-{index}-text"
        texts.append(
            Text(
                field=name,
                label=str(_("Action %(number)s") % {"number": index + 1}),
                text=action["text"],
                step=steps.Step.NEXT_STEPS,
                anchor=steps.field_id(name),
            )
        )
    return texts
