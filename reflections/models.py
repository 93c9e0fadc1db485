"""Post-session reflections mapped onto APPEAR.

A reflection belongs to its author and to the framework version it was written against; it
keeps pointing at that version when a newer one is loaded. Structured answers are real rows
(context ratings, chains, outcome observations, actions) so they can be filtered, counted and
printed, not an opaque blob.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from framework.models import Context, Factor, FrameworkVersion, Mechanism, OutcomeDomain

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

SHORT_TEXT = 2000
EVIDENCE_TEXT = 600

# The reflection's own free-text fields, in the order a search snippet looks through them.
SEARCH_FIELDS = (
    "what_happened",
    "how_i_felt",
    "went_well",
    "was_hard",
    "unintended_effects",
    "learning",
)
SEARCH_CONFIG = "english"


class SearchDocument(models.Func):
    """The stored full-text document of a reflection: its own texts, then its evidence lines.

    On PostgreSQL, `setweight(to_tsvector(own texts), 'A') || setweight(to_tsvector(evidence
    lines), 'B')`, so a word in the reflection's own text ranks above one only in its evidence;
    the two parts keep apart positions, so a quoted phrase never spans them. Other databases
    have no tsvector and store NULL (they search the texts themselves, see
    reflections.selectors). Only the row's own columns: a generated column can read no other.
    """

    output_field = SearchVectorField()

    def __init__(self, *, own: tuple[str, ...], related: str) -> None:
        super().__init__(*[models.F(name) for name in own], models.F(related))

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[str | int]]:
        return "NULL", []

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, list[str | int]]:
        columns = [compiler.compile(expression)[0] for expression in self.get_source_expressions()]
        *own, related = (f"COALESCE({column}, '')" for column in columns)
        config = f"'{SEARCH_CONFIG}'::regconfig"
        own_text = " || ' ' || ".join(own)
        sql = (
            f"setweight(to_tsvector({config}, {own_text}), 'A')"
            f" || setweight(to_tsvector({config}, {related}), 'B')"
        )
        return sql, []


class ReflectionManager(models.Manager["Reflection"]):
    def get_queryset(self) -> models.QuerySet[Reflection]:
        # The search vector serves only the search's WHERE and ORDER BY; loading it with every
        # reflection would parse a tsvector into every page. (evidence_text stays loaded:
        # full_clean reads every field that is not generated, a query each if deferred.)
        return super().get_queryset().defer("search_vector")


class Reflection(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Setting(models.TextChoices):
        COMMUNITY = "community", _("Community venue")
        SERVICE = "service", _("Service base or clinic")
        WARD = "ward", _("Hospital ward")
        HOME = "home", _("Home visit")
        WALK = "walk", _("Out and about (e.g. a walk)")
        OTHER = "other", _("Somewhere else")

    class ContactStage(models.TextChoices):
        FIRST = "first", _("First contact")
        EARLY = "early", _("Early contact (second to fifth)")
        LATER = "later", _("Later contact")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="reflections"
    )
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="reflections"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Incremented by every save; a save that names an older revision is a conflict.
    revision = models.PositiveIntegerField(_("revision"), default=1)

    # a. The session
    session_date = models.DateField(_("date of the session"), default=timezone.localdate)
    duration_minutes = models.PositiveSmallIntegerField(
        _("length in minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    setting = models.CharField(_("setting"), max_length=12, choices=Setting.choices, blank=True)
    contact_stage = models.CharField(
        _("stage of the relationship"), max_length=8, choices=ContactStage.choices, blank=True
    )
    person_label = models.CharField(
        _("label for the person you supported"),
        max_length=12,
        blank=True,
        help_text=_(
            "Optional. A letter or a made-up label such as “J” or “P2”, never a name: "
            "reflections must not identify the people you support."
        ),
    )

    # b. What happened, and how I felt
    what_happened = models.TextField(_("what happened"), max_length=SHORT_TEXT, blank=True)
    how_i_felt = models.TextField(_("how I felt"), max_length=SHORT_TEXT, blank=True)
    went_well = models.TextField(_("what went well"), max_length=SHORT_TEXT, blank=True)
    was_hard = models.TextField(_("what was hard"), max_length=SHORT_TEXT, blank=True)

    # f. What did not go well, or may have had an unintended effect
    unintended_effects = models.TextField(
        _("what did not go well, or may have had an unintended effect"),
        max_length=SHORT_TEXT,
        blank=True,
    )

    # g. Learning and next steps
    learning = models.TextField(_("what I learned"), max_length=SHORT_TEXT, blank=True)
    bring_to_supervision = models.BooleanField(_("bring to supervision"), default=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    amended_at = models.DateTimeField(_("last amended"), null=True, blank=True)
    # While a submitted reflection is reopened, the content it had when reopened; it becomes a
    # ReflectionRevision when the amendment is submitted, so history is only written for real
    # changes and the reflection stays "submitted" (and on the worker's map) meanwhile.
    amendment_base = models.JSONField(_("content before the amendment"), null=True, blank=True)
    # Hashes of privacy-check matches the author confirmed do not identify anyone, so the same
    # text is not flagged again on the next submission.
    privacy_confirmed = models.JSONField(
        _("privacy matches confirmed as not identifying"), default=list, blank=True
    )
    # Chains begun but not finished (a context without its shift or outcome, say), as the ids
    # chosen so far: kept with the draft so nothing typed is lost, named on the check page,
    # and never submitted. Finished chains are Chain rows.
    incomplete_chains = models.JSONField(_("chains not yet finished"), default=list, blank=True)
    # Answers typed but not valid yet (a date in the future, say) when the worker chose "Save
    # and finish later", as {field name: the text as typed}: kept with the draft like the
    # unfinished chains, shown again as typed with the message beside the field, cleared once
    # the field is saved valid, and blocking submission until then.
    unsent_answers = models.JSONField(_("answers kept as typed"), default=dict, blank=True)

    # The evidence lines (context ratings' evidence, chains' words, outcome observations), one
    # per line, copied here by reflections.services.reflection_refresh_search_text whenever
    # they change, so the stored search document below can include them: a generated column
    # reads only its own row. Never shown; a derived copy, deleted with the reflection.
    evidence_text = models.TextField(
        _("evidence lines, for search"), blank=True, default="", editable=False
    )
    search_vector = models.GeneratedField(
        expression=SearchDocument(own=SEARCH_FIELDS, related="evidence_text"),
        output_field=SearchVectorField(null=True),
        db_persist=True,
    )

    objects = ReflectionManager()

    class Meta:
        ordering = ["-session_date", "-id"]
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        indexes = [
            models.Index(fields=["author", "status", "-session_date"]),
            # A worker's reflections in the organisations they still belong to, counted from
            # the index alone: without it PostgreSQL intersects the author's rows with the
            # whole organisation's.
            models.Index(fields=["author", "organisation"], name="reflection_author_org"),
            # My reflections and its search read a worker's newest first and stop at a page.
            # On PostgreSQL, migration 0006 rebuilds it to include the organisation and person
            # label, so the list's count reads the index alone (SQLite has no INCLUDE).
            models.Index(
                fields=["author", "-session_date", "-id"], name="reflection_author_newest"
            ),
            models.Index(fields=["author", "bring_to_supervision"]),
            models.Index(fields=["author", "person_label"]),
            models.Index(fields=["organisation", "-session_date"]),
        ]

    def __str__(self) -> str:
        label = f" with {self.person_label}" if self.person_label else ""
        return f"Session{label} on {self.session_date:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("reflections:detail", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_amending(self) -> bool:
        return self.status == self.Status.SUBMITTED and self.amendment_base is not None

    @property
    def is_editable(self) -> bool:
        """A draft, or a submitted reflection its author has reopened."""
        return self.is_draft or self.is_amending


class ContextRating(models.Model):
    """c. How present one APPEAR context was in the session, with evidence."""

    class Presence(models.IntegerChoices):
        NOT_PRESENT = 0, _("Not present")
        A_LITTLE = 1, _("A little present")
        PRESENT = 2, _("Present")
        STRONGLY = 3, _("Strongly present")

    reflection = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, related_name="context_ratings"
    )
    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="+")
    presence = models.PositiveSmallIntegerField(
        _("how present"), choices=Presence.choices, null=True, blank=True
    )
    factors = models.ManyToManyField(Factor, blank=True, related_name="+")
    evidence = models.TextField(_("what I did or said"), max_length=EVIDENCE_TEXT, blank=True)

    class Meta:
        ordering = ["context__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "context"], name="context_rating_one_per_context"
            ),
            models.CheckConstraint(
                condition=models.Q(presence__isnull=True) | models.Q(presence__lte=3),
                name="context_rating_presence_in_scale",
            ),
        ]
        indexes = [models.Index(fields=["context", "presence"])]

    def __str__(self) -> str:
        return f"{self.context}: {self.get_presence_display()}"


class Chain(models.Model):
    """d. One context → mechanism → outcome chain the worker believes they saw."""

    class Confidence(models.IntegerChoices):
        UNSURE = 1, _("Unsure")
        FAIRLY_SURE = 2, _("Fairly sure")
        SURE = 3, _("Sure")

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="chains")
    order = models.PositiveSmallIntegerField(default=1)
    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="+")
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="+")
    outcome_domain = models.ForeignKey(OutcomeDomain, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("in my words"), max_length=EVIDENCE_TEXT, blank=True)
    confidence = models.PositiveSmallIntegerField(
        _("how sure I am"), choices=Confidence.choices, default=Confidence.FAIRLY_SURE
    )

    class Meta:
        ordering = ["order", "id"]
        indexes = [
            models.Index(fields=["context", "mechanism", "outcome_domain"]),
            models.Index(fields=["mechanism"]),
            models.Index(fields=["outcome_domain"]),
        ]

    def __str__(self) -> str:
        return f"{self.context} → {self.mechanism.short_name} → {self.outcome_domain}"


class OutcomeObservation(models.Model):
    """e. An outcome noticed in one of the six domains, with a short observation."""

    reflection = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, related_name="outcome_observations"
    )
    domain = models.ForeignKey(OutcomeDomain, on_delete=models.PROTECT, related_name="+")
    observation = models.TextField(_("what I noticed"), max_length=EVIDENCE_TEXT, blank=True)

    class Meta:
        ordering = ["domain__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "domain"], name="outcome_observation_one_per_domain"
            )
        ]
        indexes = [models.Index(fields=["domain"])]

    def __str__(self) -> str:
        return str(self.domain)


class Action(models.Model):
    """g. A next step the worker set themselves, optionally with a due date."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="actions")
    # The reflection's author, copied (a reflection never changes hands) so "actions due" on
    # the worker's home is found through an index that leads with the worker, however many
    # reflections they have written and whatever everyone else has.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False
    )
    order = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(_("action"), max_length=300)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [
            models.Index(fields=["reflection", "done_at"]),
            models.Index(
                fields=["author", "due_on"],
                condition=models.Q(done_at__isnull=True, due_on__isnull=False),
                name="action_open_due_by_author",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args: Any, **kwargs: Any) -> None:
        # bulk_create skips this: callers that bulk-create set `author` themselves.
        if self.author_id is None:
            self.author_id = self.reflection.author_id
        super().save(*args, **kwargs)


class ReflectionRevision(models.Model):
    """A frozen copy of a submitted reflection, kept each time it is amended."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField(_("revision"))
    snapshot = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "revision"], name="reflection_revision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reflection} r{self.revision}"


class PracticeTally(models.Model):
    """One additive count about one worker's submitted reflections in one organisation and month.

    Derived data for My practice, kept by reflections.practice_tally.refresh whenever a
    submitted reflection's rows change, so the page adds up a few rows per month instead of
    rescanning the worker's history. Every kind is additive over months and organisations:
    a reflection lies in exactly one month and one organisation.
    """

    class Kind(models.TextChoices):
        # Reflections written against `framework_version`.
        REFLECTIONS = "reflections", _("reflections")
        # Chains of first → second → third (context, mechanism and domain keys).
        CHAIN = "chain", _("chains")
        # `total` and `count` of the presence ratings of context `first`.
        PRESENCE = "presence", _("presence")
        # Reflections rating contexts `first` and `second` present (first <= second).
        PAIR = "pair", _("pairs")
        # Reflections recording context, mechanism or domain `first`.
        CONTEXT_REACH = "context", _("context reach")
        MECHANISM_REACH = "mechanism", _("mechanism reach")
        DOMAIN_REACH = "domain", _("domain reach")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    first = models.CharField(max_length=80, blank=True)
    second = models.CharField(max_length=80, blank=True)
    third = models.CharField(max_length=80, blank=True)
    count = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # The earliest and latest session date among the reflections counted (REFLECTIONS only):
    # a period that ends or starts inside the month can use the month whole when they fit.
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("practice tally")
        verbose_name_plural = _("practice tallies")
        indexes = [models.Index(fields=["author", "month", "organisation"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.first} {self.month:%Y-%m}: {self.count}"
