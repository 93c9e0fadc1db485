"""A large, realistic data set for measuring the site at scale (issue 13).

`fill_scale` writes organisations, hundreds of peer workers with their supervisors, and by
default 500,000 submitted reflections (plus a few drafts each) with their context ratings,
chains, outcome observations, actions, shares, comments, supervision records and audit
events. It is used by `manage.py seed_scale`, by the EXPLAIN test (tests/scale/) and by the
benchmarks in bench/, so all three measure the same shape of data.

People are created through the ORM (a few hundred rows); everything per reflection is written
by set-based SQL (INSERT ... SELECT over generate_series), because the ORM row by row would take
hours at this size. The SQL writes exactly the rows the services would: every NOT NULL column,
one rating per context, at most one observation per domain, one open share per reflection.
Rows are inserted in date order, so one worker's reflections are spread over the table as in
a real database, not packed together.

PostgreSQL only. Named workers with fixed history sizes let the benchmarks compare growth:
see `SPECIAL_WORKERS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accounts.models import Membership, Organisation, SupervisionLink, User
from framework.models import FrameworkVersion
from reflections import practice_tally
from reflections.models import Reflection
from supervision.models import Share

# Published on purpose: the scale data set is for benchmark databases only.
SCALE_PASSWORD = "appear-scale-2026"  # noqa: S105

# Workers whose history sizes the benchmarks know, all supervised by SCALE_SUPERVISOR.
SPECIAL_WORKERS: dict[str, int] = {
    "scale-w10": 10,
    "scale-w1000": 1000,
    "scale-w5000": 5000,
    "scale-w20000": 20000,
}
SCALE_SUPERVISOR = "scale-supervisor"
FULL_SIZE = 500_000

# Tables whose size grows with the reflections: a sequential scan over one of these in a page
# query means the page's cost grows with everyone's history (tests/scale/test_explain.py).
LARGE_TABLES = (
    "reflections_reflection",
    "reflections_contextrating",
    "reflections_contextrating_factors",
    "reflections_chain",
    "reflections_outcomeobservation",
    "reflections_action",
    "reflections_reflectionrevision",
    "supervision_share",
    "supervision_comment",
    "supervision_supervisionrecord",
    "supervision_supervisionrecord_reflections",
    "supervision_supervisioncheck",
    "supervision_recordaction",
    "accounts_auditevent",
    "accounts_membership",
    "accounts_supervisionlink",
)

# What the set-based SQL writes; people and links come through the ORM before it.
BULK_TABLES = tuple(
    table
    for table in LARGE_TABLES
    if table not in {"accounts_membership", "accounts_supervisionlink"}
)

ORGANISATION_NAMES = (
    "Northgate Peer Support",
    "Eastbrook Recovery Network",
    "Southmere Mental Health Trust",
    "Westfield Community Care",
    "Lakeside Peer Collective",
    "Highmoor Wellbeing Service",
)

# Free text, assembled from parts so that words vary across rows. Only two of the middles say
# "listened", so a search for it matches about one reflection in ten.
OPENERS = (
    "Met P at the community cafe and we talked about the week.",
    "Home visit with J, who had been struggling since the move.",
    "Walked with R along the canal after the group session.",
    "Short call with K before her appointment at the clinic.",
    "Saw M on the ward; he was anxious about discharge.",
    "Met S at the library to plan the job centre visit.",
    "First meeting with T, introduced by the community team.",
    "Coffee with A after the art group, which she ran herself.",
    "Visited B at home; the flat was tidier than last time.",
    "Met D at the service base to go through his benefits letter.",
)
MIDDLES = (
    "I listened while she described the argument with her sister.",
    "Mostly I listened and let the silences be.",
    "We compared notes on sleeping badly and what helps.",
    "I shared a little of my own experience of hospital.",
    "We made a plan for the next appointment together.",
    "He wanted practical help with forms more than talk.",
    "We laughed about the weather and the buses.",
    "She asked whether I ever felt like giving up.",
    "We sat in the garden and watched the birds.",
    "I explained what peer support can and cannot offer.",
    "He talked about his brother and the football.",
    "We wrote down three things that went well this week.",
    "I noticed I was rushing and slowed down.",
    "We practised what to say to the housing officer.",
    "She brought photographs of her allotment.",
    "We talked through the medication review calmly.",
    "I offered to go with him to the first group.",
    "He was quieter than usual and I did not push.",
    "We named the worries and put them in order.",
    "She said it helped to talk to someone who had been there.",
)
CLOSERS = (
    "We agreed to meet again next week.",
    "It ended warmly.",
    "I left feeling unsure whether it helped.",
    "We finished early because of the appointment.",
    "He said he would try the drop-in on Friday.",
    "She hugged me at the door.",
    "I will check in by text on Monday.",
    "We ran over time but it felt right.",
)
FEELINGS = (
    "Calm, and a bit tired afterwards.",
    "Anxious at first, then more settled.",
    "Moved by how open she was.",
    "Frustrated with the system on his behalf.",
    "Hopeful for the first time in weeks.",
    "Drained; I needed a walk afterwards.",
    "Proud of how far he has come.",
    "Unsure of my role at one point.",
)
WENT_WELL = (
    "Keeping to her pace.",
    "Being honest about my own low times.",
    "Letting him lead the conversation.",
    "Finding a quiet place to talk.",
    "Following up on what we agreed last time.",
    "Noticing when to stop.",
)
WAS_HARD = (
    "Not fixing things for him.",
    "Hearing about the waiting list again.",
    "Holding back my own opinion.",
    "The noise on the ward.",
    "Ending on time.",
    "",
)
UNINTENDED = (
    "",
    "",
    "",
    "I may have said too much about my own story.",
    "She seemed to rely on me for the phone call.",
)
LEARNINGS = (
    "Slow down and ask before offering ideas.",
    "Silence can be useful.",
    "Check what the person wants from the meeting.",
    "Bring the boundaries question to supervision.",
    "Practical help builds trust too.",
    "Share my story only when it serves the other person.",
)
EVIDENCE = (
    "I said I had felt the same and it passed.",
    "I asked what mattered most today.",
    "I waited rather than filling the silence.",
    "I let her choose where we met.",
    "I listened without judging.",
    "I offered a choice about the next step.",
    "I told him what I could and could not do.",
    "I turned up when I said I would.",
)
CHAIN_NOTES = (
    "Feeling accepted, she began to talk about the future.",
    "Choosing the place himself, he relaxed.",
    "Hearing my story made her feel less alone.",
    "Because I turned up on time, he trusted the plan.",
    "",
)
OBSERVATIONS = (
    "Spoke more confidently about the appointment.",
    "Smiled more than last time.",
    "Made a plan without prompting.",
    "Mentioned a friend for the first time.",
    "Asked about volunteering.",
)
ACTIONS = (
    "Find the drop-in timetable.",
    "Ask the team about the housing officer.",
    "Read the boundaries guidance again.",
    "Book a room for next week.",
    "Text to check in on Monday.",
)
COMMENTS = (
    "Thank you for sharing this; the way you waited sounds right.",
    "Let us talk about the boundaries part on Thursday.",
    "What did you notice in yourself when he went quiet?",
    "This is a good example of working at the person's pace.",
)
LABELS = ("J", "P", "R", "K", "M", "S", "T", "A", "B", "D", "P2", "J2", "")
SETTINGS = ("community", "service", "ward", "home", "walk", "other")
STAGES = ("first", "early", "later", "later")


@dataclass(frozen=True)
class ScalePlan:
    """How much to write: the total of submitted reflections and how it is spread."""

    reflections: int = FULL_SIZE
    workers: int = 200
    organisations: int = 4
    workers_per_supervisor: int = 10
    share_fraction: float = 0.05
    seed: int = 13
    # None: SPECIAL_WORKERS at full size, scaled down with the total below it.
    special: dict[str, int] | None = None

    def special_counts(self) -> dict[str, int]:
        if self.special is not None:
            return dict(self.special)
        if self.reflections >= FULL_SIZE:
            return dict(SPECIAL_WORKERS)
        ratio = self.reflections / FULL_SIZE
        return {
            name: count if count <= 10 else max(11, round(count * ratio))
            for name, count in SPECIAL_WORKERS.items()
        }

    def worker_counts(self) -> dict[str, int]:
        """Submitted reflections per worker name: the special workers, then the others evenly."""
        counts = self.special_counts()
        rest = max(0, self.reflections - sum(counts.values()))
        if self.workers:
            each, extra = divmod(rest, self.workers)
            for index in range(self.workers):
                counts[f"scale-worker-{index + 1:03d}"] = each + (1 if index < extra else 0)
        return counts


@dataclass(frozen=True)
class WorkerFill:
    """One worker's part of a fill: whose, where, how many, and over how many days."""

    author_id: int
    organisation_id: int
    supervisor_id: int
    link_id: int
    submitted: int
    drafts: int
    span_days: int


@dataclass
class ScalePeople:
    organisations: list[int] = field(default_factory=list)
    users: dict[str, int] = field(default_factory=dict)
    workers: list[WorkerFill] = field(default_factory=list)


@dataclass
class FillReport:
    people: ScalePeople
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


Progress = Callable[[str], None]

# Set by `fill_scale` while it runs with a progress callback, to time each statement.
STATEMENT_LOG: Progress | None = None


def span_days(submitted: int) -> int:
    """How far back a worker's history reaches: about two sessions a day, 90 days to 5 years."""
    return max(90, min(submitted // 2, 5 * 365))


def drafts_for(submitted: int) -> int:
    return 1 + submitted // 1000


def scale_usernames() -> list[str]:
    return [*SPECIAL_WORKERS, SCALE_SUPERVISOR]


def create_people(*, plan: ScalePlan, today: date) -> ScalePeople:
    """Organisations, workers, supervisors, trainers and admins, with memberships and links.

    No organisation requires two-factor sign-in, so every scale account signs in with
    SCALE_PASSWORD alone. The special workers share SCALE_SUPERVISOR in the first organisation.
    """
    password = make_password(SCALE_PASSWORD)
    now = timezone.now()
    people = ScalePeople()
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=ORGANISATION_NAMES[index % len(ORGANISATION_NAMES)]
            + ("" if index < len(ORGANISATION_NAMES) else f" {index + 1}"),
            slug=f"scale-{index + 1}",
            requires_two_factor=False,
        )
        for index in range(plan.organisations)
    )
    people.organisations = [organisation.pk for organisation in organisations]

    counts = plan.worker_counts()
    special = list(plan.special_counts())
    # Workers per organisation: the special ones first, in the first organisation.
    placed: dict[int, list[str]] = {index: [] for index in range(plan.organisations)}
    for name in counts:
        if name in special:
            placed[0].append(name)
    others = [name for name in counts if name not in special]
    for index, name in enumerate(others):
        placed[index % plan.organisations].append(name)

    users: list[User] = []
    memberships: list[tuple[str, int, str]] = []
    teams: list[tuple[str, int, list[str]]] = []  # supervisor, organisation index, workers
    for org_index, names in placed.items():
        for team_index, start in enumerate(
            range(0, max(len(names), 1), plan.workers_per_supervisor)
        ):
            team = names[start : start + plan.workers_per_supervisor]
            if org_index == 0 and team_index == 0:
                supervisor = SCALE_SUPERVISOR
            else:
                supervisor = f"scale-supervisor-{org_index + 1}-{team_index + 1:02d}"
            teams.append((supervisor, org_index, team))
            memberships.append((supervisor, org_index, "supervisor"))
        memberships.append((f"scale-trainer-{org_index + 1}", org_index, "trainer"))
        memberships.append((f"scale-admin-{org_index + 1}", org_index, "org_admin"))
        memberships.extend((name, org_index, "peer_worker") for name in names)
    for username, _, _ in memberships:
        users.append(
            User(
                username=username,
                email=f"{username}@scale.example.org",
                display_name=username.replace("scale-", "").replace("-", " ").title(),
                password=password,
                date_joined=now - timedelta(days=6 * 365),
            )
        )
    created = User.objects.bulk_create(users)
    people.users = {user.username: user.pk for user in created}

    joined = now - timedelta(days=6 * 365)
    Membership.objects.bulk_create(
        Membership(
            user_id=people.users[username],
            organisation_id=people.organisations[org_index],
            joined_at=joined,
            **{Membership.ROLE_FIELDS[role]: True},
        )
        for username, org_index, role in memberships
    )
    links = SupervisionLink.objects.bulk_create(
        SupervisionLink(
            organisation_id=people.organisations[org_index],
            supervisor_id=people.users[supervisor],
            worker_id=people.users[worker],
            # Before the worker's oldest reflection, so every share falls within the link.
            starts_on=today - timedelta(days=span_days(counts[worker]) + 30),
        )
        for supervisor, org_index, team in teams
        for worker in team
    )
    for link in links:
        worker_name = next(name for name, pk in people.users.items() if pk == link.worker_id)
        submitted = counts[worker_name]
        people.workers.append(
            WorkerFill(
                author_id=link.worker_id,
                organisation_id=link.organisation_id,
                supervisor_id=link.supervisor_id,
                link_id=link.pk,
                submitted=submitted,
                drafts=drafts_for(submitted),
                span_days=span_days(submitted),
            )
        )
    return people


def _pick(name: str) -> str:
    """SQL choosing one element of the word list `name` afresh for each row.

    Reads the lists from the one-row `words` relation (see `_words`), so each array parameter
    is converted once per statement rather than once per row.
    """
    return f"words.{name}[1 + floor(random() * cardinality(words.{name}))::int]"


def _words(*names: str) -> str:
    """A one-row relation named `words` holding the text array parameters `names`."""
    columns = ", ".join(f"%({name})s::text[] AS {name}" for name in names)
    return f"(SELECT {columns}) AS words"


def _texts() -> dict[str, list[str]]:
    return {
        "openers": list(OPENERS),
        "middles": list(MIDDLES),
        "closers": list(CLOSERS),
        "feelings": list(FEELINGS),
        "went_well": list(WENT_WELL),
        "was_hard": list(WAS_HARD),
        "unintended": list(UNINTENDED),
        "learnings": list(LEARNINGS),
        "labels": list(LABELS),
        "settings": list(SETTINGS),
        "stages": list(STAGES),
    }


def _execute(sql: str, params: dict[str, Any] | Sequence[Any] | None = None) -> int:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count = int(cursor.rowcount)
    if STATEMENT_LOG is not None:
        words = sql.split()
        target = " ".join(words[:3] if "INSERT" not in sql else [words[words.index("INTO") + 1]])
        STATEMENT_LOG(f"  {target}: {count:,} rows in {time.perf_counter() - started:.1f} s")
    return count


def _scalar(sql: str, params: Sequence[Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def add_reflections(
    *, workers: Sequence[WorkerFill], version: FrameworkVersion, today: date, seed: int
) -> int:
    """Write each worker's submitted reflections and drafts; return the id they come after.

    Submitted reflections fall on random days within the worker's span before `today`,
    drafts within the last fortnight. Rows are inserted in date order.
    """
    after = _scalar("SELECT max(id) FROM reflections_reflection")
    _execute("SELECT setseed(%s)", [((seed % 1000) / 1000.0)])
    params: dict[str, Any] = {
        **_texts(),
        "author": [w.author_id for w in workers],
        "organisation": [w.organisation_id for w in workers],
        "submitted": [w.submitted for w in workers],
        "drafts": [w.drafts for w in workers],
        "span": [w.span_days for w in workers],
        "today": today,
        "version": version.pk,
    }
    _execute(
        f"""
        INSERT INTO reflections_reflection (
            author_id, organisation_id, framework_version_id, status, revision, session_date,
            duration_minutes, setting, contact_stage, person_label, what_happened, how_i_felt,
            went_well, was_hard, unintended_effects, learning, bring_to_supervision,
            created_at, updated_at, submitted_at, amended_at, amendment_base,
            privacy_confirmed, incomplete_chains, unsent_answers, evidence_text
        )
        SELECT author_id, organisation_id, %(version)s,
               CASE WHEN is_draft THEN 'draft' ELSE 'submitted' END, 1, day,
               minutes, setting, stage, label, happened, felt, well, hard, unintended, learning,
               supervision, at, at, CASE WHEN is_draft THEN NULL ELSE at END, NULL, NULL,
               '[]'::jsonb, '[]'::jsonb, '{{}}'::jsonb, ''
        FROM (
            SELECT a.author_id, a.organisation_id, g.n > a.submitted AS is_draft,
                   CASE WHEN g.n > a.submitted
                        THEN %(today)s::date - floor(random() * 14)::int
                        ELSE %(today)s::date - 1 - floor(random() * a.span)::int
                   END AS day,
                   (15 + floor(random() * 16) * 5)::smallint AS minutes,
                   {_pick("settings")} AS setting,
                   {_pick("stages")} AS stage,
                   {_pick("labels")} AS label,
                   {_pick("openers")} || ' ' || {_pick("middles")} || ' '
                       || {_pick("closers")} AS happened,
                   {_pick("feelings")} AS felt,
                   {_pick("went_well")} AS well,
                   {_pick("was_hard")} AS hard,
                   {_pick("unintended")} AS unintended,
                   {_pick("learnings")} AS learning,
                   random() < 0.1 AS supervision,
                   (17 + floor(random() * 4))::int AS hour
            FROM unnest(
                %(author)s::bigint[], %(organisation)s::bigint[], %(submitted)s::int[],
                %(drafts)s::int[], %(span)s::int[]
            ) AS a(author_id, organisation_id, submitted, drafts, span)
            CROSS JOIN LATERAL generate_series(1, a.submitted + a.drafts) AS g(n)
            CROSS JOIN {_words(*_texts())}
        ) AS item
        CROSS JOIN LATERAL (
            SELECT (item.day + make_time(item.hour, 0, 0)) AT TIME ZONE 'Europe/London' AS at
        ) AS moment
        ORDER BY day, random()
        """,  # noqa: S608 (fragments from this module only)
        params,
    )
    return after


def add_reflection_parts(*, version: FrameworkVersion, after: int) -> None:
    """Ratings for every context, factors, 1.5 chains, some observations and actions each."""
    contexts = list(version.contexts.order_by("order").values_list("pk", flat=True))
    domains = list(version.outcome_domains.order_by("number").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT l.context_id, l.mechanism_id, o.domain_id
            FROM framework_link l JOIN framework_outcome o ON o.id = l.outcome_id
            WHERE l.version_id = %s ORDER BY 1, 2, 3
            """,
            [version.pk],
        )
        triples = cursor.fetchall()
    rating_after = _scalar("SELECT max(id) FROM reflections_contextrating")
    _execute(
        f"""
        INSERT INTO reflections_contextrating (reflection_id, context_id, presence, evidence)
        SELECT reflection_id, context_id, presence,
               CASE WHEN presence >= 2 THEN evidence ELSE '' END
        FROM (
            SELECT r.id AS reflection_id, c.id AS context_id,
                   (ARRAY[0, 0, 1, 1, 2, 2, 3])[1 + floor(random() * 7)::int]::smallint
                       AS presence,
                   {_pick("evidence")} AS evidence
            FROM reflections_reflection r CROSS JOIN unnest(%(contexts)s::bigint[]) AS c(id)
            CROSS JOIN {_words("evidence")}
            WHERE r.id > %(after)s
            ORDER BY r.id, c.id
        ) AS rating
        """,  # noqa: S608 (fragments from this module only)
        {"contexts": contexts, "after": after, "evidence": list(EVIDENCE)},
    )
    _execute(
        """
        INSERT INTO reflections_contextrating_factors (contextrating_id, factor_id)
        SELECT cr.id, f.id
        FROM reflections_contextrating cr
        JOIN (SELECT context_id, count(*) AS n FROM framework_factor GROUP BY context_id) AS fc
            ON fc.context_id = cr.context_id
        JOIN (
            SELECT id, context_id, row_number() OVER (PARTITION BY context_id ORDER BY id) AS k
            FROM framework_factor
        ) AS f ON f.context_id = cr.context_id AND f.k = 1 + (cr.id * 7919) %% fc.n
        WHERE cr.id > %s AND cr.presence >= 2
        """,
        [rating_after],
    )
    _execute(
        f"""
        INSERT INTO reflections_chain (
            reflection_id, "order", context_id, mechanism_id, outcome_domain_id, description,
            confidence
        )
        SELECT link.reflection_id, link.n, t.context_id, t.mechanism_id, t.domain_id,
               link.description, link.confidence
        FROM (
            SELECT r.id AS reflection_id, g.n,
                   1 + floor(random() * %(triples_count)s)::int AS triple,
                   {_pick("notes")} AS description,
                   (1 + floor(random() * 3))::smallint AS confidence
            FROM reflections_reflection r
            CROSS JOIN LATERAL generate_series(1, 1 + (r.id %% 2)::int) AS g(n)
            CROSS JOIN {_words("notes")}
            WHERE r.id > %(after)s
        ) AS link
        JOIN unnest(%(c)s::bigint[], %(m)s::bigint[], %(d)s::bigint[])
            WITH ORDINALITY AS t(context_id, mechanism_id, domain_id, idx)
            ON t.idx = link.triple
        ORDER BY link.reflection_id, link.n
        """,  # noqa: S608 (fragments from this module only)
        {
            "after": after,
            "notes": list(CHAIN_NOTES),
            "triples_count": len(triples),
            "c": [t[0] for t in triples],
            "m": [t[1] for t in triples],
            "d": [t[2] for t in triples],
        },
    )
    _execute(
        f"""
        INSERT INTO reflections_outcomeobservation (reflection_id, domain_id, observation)
        SELECT reflection_id, domain_id, observation
        FROM (
            SELECT r.id AS reflection_id, d.id AS domain_id, random() AS chance,
                   {_pick("observations")} AS observation
            FROM reflections_reflection r CROSS JOIN unnest(%(domains)s::bigint[]) AS d(id)
            CROSS JOIN {_words("observations")}
            WHERE r.id > %(after)s
        ) AS seen
        WHERE chance < 0.15
        ORDER BY reflection_id, domain_id
        """,  # noqa: S608 (fragments from this module only)
        {"domains": domains, "after": after, "observations": list(OBSERVATIONS)},
    )
    _execute(
        f"""
        INSERT INTO reflections_action (
            reflection_id, author_id, "order", text, due_on, done_at
        )
        SELECT reflection_id, author_id, n, text, due_on,
               CASE WHEN done THEN (due_on + time '12:00') AT TIME ZONE 'Europe/London' END
        FROM (
            SELECT r.id AS reflection_id, r.author_id, g.n, {_pick("actions")} AS text,
                   r.session_date + 7 AS due_on, random() < 0.6 AS done
            FROM reflections_reflection r
            CROSS JOIN LATERAL generate_series(1, (r.id %% 3)::int) AS g(n)
            CROSS JOIN {_words("actions")}
            WHERE r.id > %(after)s
        ) AS step
        ORDER BY reflection_id, n
        """,  # noqa: S608 (fragments from this module only)
        {"after": after, "actions": list(ACTIONS)},
    )


def add_supervision(
    *, workers: Sequence[WorkerFill], after: int, today: date, share_fraction: float
) -> None:
    """Shares of a fraction of submitted reflections, comments, records and audit events."""
    fill = {
        "author": [w.author_id for w in workers],
        "supervisor": [w.supervisor_id for w in workers],
        "link": [w.link_id for w in workers],
        "organisation": [w.organisation_id for w in workers],
        "span": [w.span_days for w in workers],
    }
    share_after = _scalar("SELECT max(id) FROM supervision_share")
    _execute(
        """
        INSERT INTO supervision_share (
            reflection_id, supervisor_id, link_id, shared_at, withdrawn_at, discussed_at,
            opened_at
        )
        SELECT id, supervisor_id, link_id, shared_at,
               CASE WHEN chance < 0.02 THEN shared_at + interval '1 day' END,
               CASE WHEN chance >= 0.02 AND chance < 0.6
                         AND shared_at < %(today)s::date - 14
                    THEN shared_at + interval '10 days' END,
               -- Supervisors have opened what was shared before the last fortnight.
               CASE WHEN shared_at < %(today)s::date - 14 THEN shared_at + interval '2 days' END
        FROM (
            SELECT r.id, w.supervisor_id, w.link_id, r.submitted_at + interval '1 hour'
                       AS shared_at, random() AS chance, random() AS pick,
                   -- Every worker has shared at least their newest reflection, so the
                   -- supervisor's pages have something of each to show at any size.
                   row_number() OVER (PARTITION BY r.author_id ORDER BY r.id DESC) AS newest
            FROM reflections_reflection r
            JOIN unnest(%(author)s::bigint[], %(supervisor)s::bigint[], %(link)s::bigint[])
                AS w(author_id, supervisor_id, link_id) ON w.author_id = r.author_id
            WHERE r.id > %(after)s AND r.status = 'submitted'
        ) AS chosen
        WHERE pick < %(fraction)s OR newest = 1
        ORDER BY shared_at
        """,
        {**fill, "after": after, "today": today, "fraction": share_fraction},
    )
    _execute(
        """
        INSERT INTO supervision_comment (
            reflection_id, author_id, parent_id, body, created_at, worker_seen_at
        )
        SELECT s.reflection_id,
               CASE WHEN g.n = 1 THEN s.supervisor_id ELSE r.author_id END,
               NULL, (%(comments)s::text[])[1 + (s.id + g.n) %% cardinality(%(comments)s::text[])],
               s.shared_at + g.n * interval '1 day',
               -- Workers have read their feedback, but for the last fortnight's; their own
               -- replies are seen as they are written.
               CASE WHEN g.n > 1 THEN s.shared_at + g.n * interval '1 day'
                    WHEN s.shared_at < %(today)s::date - 14
                    THEN s.shared_at + (g.n + 1) * interval '1 day' END
        FROM supervision_share s
        JOIN reflections_reflection r ON r.id = s.reflection_id
        CROSS JOIN LATERAL generate_series(1, 1 + (s.id %% 2)::int) AS g(n)
        WHERE s.id > %(share_after)s AND s.withdrawn_at IS NULL AND s.id %% 5 < 2
        ORDER BY s.shared_at, g.n
        """,
        {"share_after": share_after, "comments": list(COMMENTS), "today": today},
    )
    record_after = _scalar("SELECT max(id) FROM supervision_supervisionrecord")
    # A supervision about every four weeks through the worker's history, signed by both
    # unless it was in the last fortnight.
    _execute(
        """
        INSERT INTO supervision_supervisionrecord (
            organisation_id, link_id, worker_id, supervisor_id, held_on, attendees, explored,
            version, previous_id, worker_signed_at, supervisor_signed_at, created_at, updated_at
        )
        SELECT w.organisation_id, w.link_id, w.author_id, w.supervisor_id, held.day::date, '',
               'Talked through the shared reflections and what came up about boundaries.',
               1, NULL,
               CASE WHEN held.day < %(today)s::date - 14 THEN held.day + interval '1 day' END,
               CASE WHEN held.day < %(today)s::date - 14 THEN held.day + interval '2 days' END,
               held.day, held.day
        FROM unnest(
            %(author)s::bigint[], %(supervisor)s::bigint[], %(link)s::bigint[],
            %(organisation)s::bigint[], %(span)s::int[]
        ) AS w(author_id, supervisor_id, link_id, organisation_id, span)
        CROSS JOIN LATERAL generate_series(
            (%(today)s::date - w.span)::timestamp, (%(today)s::date - 3)::timestamp,
            interval '28 days'
        ) AS held(day)
        ORDER BY held.day
        """,
        {**fill, "today": today},
    )
    _execute(
        """
        INSERT INTO supervision_supervisionrecord_reflections (supervisionrecord_id, reflection_id)
        SELECT DISTINCT ON (s.id) record.id, s.reflection_id
        FROM supervision_share s
        JOIN supervision_supervisionrecord record
            ON record.link_id = s.link_id AND record.held_on >= s.shared_at::date
        WHERE s.id > %s AND s.discussed_at IS NOT NULL AND record.id > %s
        ORDER BY s.id, record.held_on
        """,
        [share_after, record_after],
    )
    _execute(
        """
        INSERT INTO supervision_supervisioncheck (record_id, context_id, rating, note)
        SELECT record.id, c.id, (1 + (record.id + c.id) %% 3)::smallint, ''
        FROM supervision_supervisionrecord record
        JOIN framework_context c ON c.version_id = %s
        WHERE record.id > %s
        """,
        [_current_version_id(), record_after],
    )
    _execute(
        """
        INSERT INTO supervision_recordaction (record_id, text, owner_id, due_on, done_at)
        SELECT id, 'Try the grounding exercise before the next visit.', worker_id,
               held_on + 14,
               CASE WHEN held_on < %s::date - 28 THEN (held_on + 10)::timestamp
                   AT TIME ZONE 'Europe/London' END
        FROM supervision_supervisionrecord WHERE id > %s
        """,
        [today, record_after],
    )
    # The audit trail of those shares (the worker shared, the supervisor viewed) and a
    # sign-in per worker per week.
    _execute(
        """
        INSERT INTO accounts_auditevent (
            occurred_at, action, actor_id, organisation_id, subject_id, target_type,
            target_id, ip_address, detail
        )
        SELECT event.at, event.action, event.actor, r.organisation_id, r.author_id,
               'reflections.reflection', r.id::text, NULL, '{}'::jsonb
        FROM supervision_share s
        JOIN reflections_reflection r ON r.id = s.reflection_id
        CROSS JOIN LATERAL (VALUES
            (s.shared_at, 'reflection_shared', r.author_id),
            (s.shared_at + interval '2 days', 'reflection_viewed', s.supervisor_id)
        ) AS event(at, action, actor)
        WHERE s.id > %s
        ORDER BY event.at
        """,
        [share_after],
    )
    _execute(
        """
        INSERT INTO accounts_auditevent (
            occurred_at, action, actor_id, organisation_id, subject_id, target_type,
            target_id, ip_address, detail
        )
        SELECT week.day + interval '9 hours', 'sign_in', w.author_id, w.organisation_id,
               w.author_id, '', '', '127.0.0.1', '{}'::jsonb
        FROM unnest(%(author)s::bigint[], %(organisation)s::bigint[], %(span)s::int[])
            AS w(author_id, organisation_id, span)
        CROSS JOIN LATERAL generate_series(
            (%(today)s::date - w.span)::timestamp, (%(today)s::date - 1)::timestamp,
            interval '7 days'
        ) AS week(day)
        ORDER BY week.day
        """,
        {**fill, "today": today},
    )


def _current_version_id() -> int:
    version = FrameworkVersion.objects.filter(is_current=True).only("pk").first()
    if version is None:
        raise ValueError("Load the framework (manage.py load_framework) first.")
    return version.pk


@contextmanager
def bulk_load(tables: Sequence[str] = BULK_TABLES) -> Iterator[None]:
    """Load without per-row index upkeep and foreign-key triggers, then rebuild the indexes.

    Secondary indexes (not the primary keys, nor indexes behind constraints) are dropped and
    built again afterwards, which is several times faster than keeping them, above all the
    full-text index. Skipping the foreign-key triggers (session_replication_role) needs a
    superuser; without one the triggers run. Only for a whole-database fill, not in a test:
    the rows are correct by construction, and the tests fill with every check on.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT index.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            JOIN pg_class index ON index.oid = i.indexrelid
            JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        superuser = bool(row and row[0])
        if superuser:
            cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if superuser:
                cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                _execute(definition, [])
            cursor.execute("RESET maintenance_work_mem")


def analyze() -> None:
    """Fresh planner statistics for every table the fill wrote to."""
    for table in LARGE_TABLES:
        _execute(f"ANALYZE {table}")
    _execute("ANALYZE accounts_user")


def table_counts() -> dict[str, int]:
    return {table: _scalar(f"SELECT count(*) FROM {table}") for table in LARGE_TABLES}  # noqa: S608


def add_search_text(*, after: int) -> int:
    """The evidence-lines copy of every reflection after `after`, as the services write it.

    `reflections.services.reflection_refresh_search_text` asks one correlated subquery per
    reflection, which needs the indexes a fast load has dropped; grouping each table once
    gives the same text (ratings' evidence, chains' words, observations, a line each).
    """
    return _execute(
        """
        UPDATE reflections_reflection r
        SET evidence_text = COALESCE(rated.lines, '') || E'\\n' || COALESCE(chained.lines, '')
            || E'\\n' || COALESCE(observed.lines, '')
        FROM reflections_reflection base
        LEFT JOIN (
            SELECT reflection_id, string_agg(evidence, E'\\n') AS lines
            FROM reflections_contextrating WHERE evidence <> '' AND reflection_id > %(after)s
            GROUP BY reflection_id
        ) rated ON rated.reflection_id = base.id
        LEFT JOIN (
            SELECT reflection_id, string_agg(description, E'\\n') AS lines
            FROM reflections_chain WHERE description <> '' AND reflection_id > %(after)s
            GROUP BY reflection_id
        ) chained ON chained.reflection_id = base.id
        LEFT JOIN (
            SELECT reflection_id, string_agg(observation, E'\\n') AS lines
            FROM reflections_outcomeobservation
            WHERE observation <> '' AND reflection_id > %(after)s
            GROUP BY reflection_id
        ) observed ON observed.reflection_id = base.id
        WHERE r.id = base.id AND base.id > %(after)s
        """,
        {"after": after},
    )


def fill_scale(
    *,
    plan: ScalePlan,
    version: FrameworkVersion,
    today: date | None = None,
    progress: Progress | None = None,
    fast: bool = False,
) -> FillReport:
    """Fill the database with `plan`'s people and reflections, then ANALYZE.

    PostgreSQL only: the SQL uses generate_series, arrays and setseed. `fast` loads through
    `bulk_load`, for a whole database (the command), never inside a test's transaction.
    """
    if connection.vendor != "postgresql":
        raise ValueError("The scale data set needs PostgreSQL (set DATABASE_URL).")
    today = today or timezone.localdate()
    say = progress or (lambda message: None)
    global STATEMENT_LOG
    STATEMENT_LOG = progress
    timings: dict[str, float] = {}

    def step(name: str, action: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = action()
        timings[name] = time.perf_counter() - started
        say(f"{name}: {timings[name]:.1f} s")
        return result

    people: ScalePeople = step("people", lambda: create_people(plan=plan, today=today))
    with bulk_load() if fast else nullcontext():
        after: int = step(
            "reflections",
            lambda: add_reflections(
                workers=people.workers, version=version, today=today, seed=plan.seed
            ),
        )
        step("reflection parts", lambda: add_reflection_parts(version=version, after=after))
        # Search reads the evidence lines from a copy on the reflection (a generated column
        # sees only its own row); the services keep it, so a direct load makes it here.
        step("search text", lambda: add_search_text(after=after))
        step(
            "supervision",
            lambda: add_supervision(
                workers=people.workers,
                after=after,
                today=today,
                share_fraction=plan.share_fraction,
            ),
        )
        say("rebuilding indexes" if fast else "")
    step("analyze", analyze)
    # The rows above bypass the services, so the summaries My practice reads are made here,
    # as `manage.py rebuild_practice_tallies` makes them after any direct load.
    step("practice tallies", practice_tally.rebuild)
    step("analyze tallies", lambda: _execute("ANALYZE reflections_practicetally"))
    STATEMENT_LOG = None
    return FillReport(people=people, timings=timings)


def expected_total(plan: ScalePlan) -> tuple[int, int]:
    """(submitted, drafts) a fresh fill of `plan` writes."""
    counts = plan.worker_counts()
    return sum(counts.values()), sum(drafts_for(count) for count in counts.values())


@dataclass(frozen=True)
class ScalePage:
    """A page the benchmarks and the EXPLAIN test request, and who requests it."""

    name: str
    url: str
    as_supervisor: bool = False
    pdf: bool = False


def scale_pages(*, worker: User, supervisor: User, version: FrameworkVersion) -> list[ScalePage]:
    """The pages of issue 13's table, for `worker` and their supervisor.

    The reflection is the worker's newest submitted one that is shared with the supervisor
    (so the supervisor's view of it is measured too); the draft is the worker's newest.
    """
    context = version.contexts.order_by("order").first()
    if context is None:
        raise ValueError("The framework version has no contexts.")
    share = (
        Share.objects.filter(
            reflection__author=worker, supervisor=supervisor, withdrawn_at__isnull=True
        )
        .order_by("-reflection__session_date", "-reflection_id")
        .first()
    )
    reflection_id = (
        share.reflection_id
        if share is not None
        else Reflection.objects.filter(author=worker, status=Reflection.Status.SUBMITTED)
        .values_list("pk", flat=True)
        .first()
    )
    draft = (
        Reflection.objects.filter(author=worker, status=Reflection.Status.DRAFT)
        .values_list("pk", flat=True)
        .first()
    )
    pages = [
        ScalePage("/framework/", "/framework/"),
        ScalePage("a context page", f"/framework/contexts/{context.key}/"),
        ScalePage("worker home", "/"),
        ScalePage("My reflections", "/reflections/"),
        ScalePage("search ?q=listened", "/reflections/?q=listened"),
        ScalePage("search + context filter", f"/reflections/?q=listened&context={context.key}"),
        ScalePage("My practice (6 months)", "/reflections/practice/"),
        ScalePage("My practice (all time)", "/reflections/practice/?period=all"),
    ]
    if reflection_id is not None:
        pages.append(ScalePage("a reflection", f"/reflections/{reflection_id}/"))
    if draft is not None:
        pages.append(ScalePage("a draft's contexts step", f"/reflections/{draft}/steps/contexts/"))
    pages += [
        ScalePage("supervisor dashboard", "/supervision/", as_supervisor=True),
        ScalePage(
            "supervisor: the worker", f"/supervision/workers/{worker.pk}/", as_supervisor=True
        ),
    ]
    if share is not None:
        pages.append(
            ScalePage(
                "supervisor: a shared reflection",
                f"/supervision/reflections/{share.reflection_id}/",
                as_supervisor=True,
            )
        )
    pages += [
        ScalePage(
            "the brief (HTML)", f"/supervision/workers/{worker.pk}/brief/", as_supervisor=True
        ),
        ScalePage(
            "the brief PDF",
            f"/supervision/workers/{worker.pk}/brief.pdf",
            as_supervisor=True,
            pdf=True,
        ),
    ]
    return pages
