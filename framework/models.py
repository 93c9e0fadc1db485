"""The APPEAR framework as data, versioned.

Every row belongs to one `FrameworkVersion`. Loading a changed data file creates a new version
and never rewrites an old one, because reflections point at the exact version they were
written against.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class FrameworkVersion(models.Model):
    label = models.CharField(_("label"), max_length=40)
    content_hash = models.CharField(_("content hash"), max_length=64, unique=True)
    is_current = models.BooleanField(_("current"), default=False)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    name = models.CharField(_("name"), max_length=40, default="APPEAR")
    expansion = models.CharField(_("expansion"), max_length=200)
    summary = models.TextField(_("summary"))
    intended_use = models.TextField(_("intended use"), blank=True)
    interaction_note = models.TextField(_("interaction note"), blank=True)
    structure_note = models.TextField(_("structure note"), blank=True)
    citation = models.TextField(_("citation"))
    doi_url = models.URLField(_("DOI link"))
    licence_name = models.CharField(_("licence"), max_length=120)
    licence_url = models.URLField(_("licence link"))
    attribution = models.TextField(_("attribution"))
    changes_note = models.TextField(_("statement of changes"))
    extraction_scope = models.TextField(_("extraction scope"), blank=True)
    project_notes = models.JSONField(_("project notes"), default=list, blank=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_framework"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.label}"


class Reference(models.Model):
    class Kind(models.TextChoices):
        STUDY = "study", _("Included study")
        THEORY = "theory", _("Theory or background")

    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="references"
    )
    number = models.PositiveSmallIntegerField(_("number in the paper"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    short = models.CharField(_("short form"), max_length=200)
    full = models.TextField(_("full reference"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="reference_unique_number")
        ]

    def __str__(self) -> str:
        return f"[{self.number}] {self.short}"


class Context(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="contexts")
    key = models.SlugField(_("key"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"))
    letter = models.CharField(_("letter"), max_length=2)
    acronym_part = models.CharField(_("part of APPEAR"), max_length=2)
    name = models.CharField(_("name"), max_length=80)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    summary = models.TextField(_("meaning"), blank=True)
    papers_coded = models.PositiveSmallIntegerField(_("studies coded in"))
    figure = models.PositiveSmallIntegerField(_("figure in the paper"))
    prompts = models.JSONField(_("reflection prompts"), default=list, blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="context_unique_key")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("framework:context", kwargs={"key": self.key})


class Factor(models.Model):
    """An interpersonal factor (the paper's descriptive theme) within a context."""

    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="factors")
    key = models.SlugField(_("key"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=160)
    papers_coded = models.PositiveSmallIntegerField(_("studies coded in"))
    definition = models.TextField(_("definition"), blank=True)

    class Meta:
        ordering = ["context__order", "order"]
        constraints = [models.UniqueConstraint(fields=["context", "key"], name="factor_unique_key")]

    def __str__(self) -> str:
        return self.name


class MechanismGroup(models.Model):
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="mechanism_groups"
    )
    key = models.SlugField(_("key"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=120)
    theory_name = models.CharField(_("theory"), max_length=120, blank=True)
    theory_summary = models.TextField(_("theory summary"), blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="mechanism_group_unique_key")
        ]

    def __str__(self) -> str:
        return self.name


class Mechanism(models.Model):
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="mechanisms"
    )
    group = models.ForeignKey(MechanismGroup, on_delete=models.CASCADE, related_name="mechanisms")
    key = models.SlugField(_("key"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"))
    statement = models.CharField(_("statement"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80)
    preferred_wording = models.CharField(_("preferred wording"), max_length=200, blank=True)
    preferred_wording_note = models.TextField(_("note on the preferred wording"), blank=True)
    first_person = models.BooleanField(_("first person"), default=True)
    theory_note = models.TextField(_("theory note"), blank=True)
    aliases = models.JSONField(_("wordings in the paper"), default=list, blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="mechanism_unique_key")
        ]

    def __str__(self) -> str:
        return self.statement

    def get_absolute_url(self) -> str:
        return reverse("framework:mechanism", kwargs={"key": self.key})

    @property
    def full_statement(self) -> str:
        """The one full wording shown wherever a mechanism is read in a sentence.

        The authors' preferred wording where they give one (the paper's own statement, such as
        "I can be effective (progressive) in my recovery", stays on the explorer's page for the
        mechanism); everywhere shorter, `short_name`.
        """
        return self.preferred_wording or self.statement


class OutcomeDomain(models.Model):
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="outcome_domains"
    )
    key = models.SlugField(_("key"), max_length=60)
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=80)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="outcome_domain_unique_key")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("framework:outcome", kwargs={"key": self.key})


class Outcome(models.Model):
    """A specific outcome as the Results word it, mapped to one of the six domains."""

    domain = models.ForeignKey(OutcomeDomain, on_delete=models.CASCADE, related_name="outcomes")
    key = models.SlugField(_("key"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=160)
    wording_in_text = models.JSONField(_("wordings in the paper"), default=list, blank=True)
    mapping = models.CharField(_("mapping to the domain"), max_length=60, blank=True)
    mapping_note = models.TextField(_("mapping note"), blank=True)

    class Meta:
        ordering = ["domain__number", "order"]
        constraints = [models.UniqueConstraint(fields=["domain", "key"], name="outcome_unique_key")]

    def __str__(self) -> str:
        return self.name


class Link(models.Model):
    """One cited context -> mechanism -> outcome configuration (CMOC) stated in the paper."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="links")
    code = models.CharField(_("code"), max_length=20)
    statement_group = models.CharField(_("sentence group"), max_length=20)
    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="links")
    factors = models.ManyToManyField(Factor, blank=True, related_name="links")
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="links")
    additional_mechanisms = models.ManyToManyField(
        Mechanism, blank=True, related_name="additional_links"
    )
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="links")
    context_wording = models.CharField(_("context as worded"), max_length=200, blank=True)
    mechanism_wording = models.CharField(_("mechanism as worded"), max_length=200, blank=True)
    outcome_wording = models.CharField(_("outcome as worded"), max_length=200, blank=True)
    strength = models.CharField(_("strength words"), max_length=80, blank=True)
    outcome_qualifier = models.CharField(max_length=80, blank=True)
    mechanism_qualifier = models.CharField(max_length=80, blank=True)
    citations = models.ManyToManyField(Reference, related_name="links")
    citations_as_printed = models.CharField(max_length=60, blank=True)
    study_count = models.PositiveSmallIntegerField(_("supporting studies"))
    quote_text = models.TextField(_("supporting quote"), blank=True)
    quote_reference = models.ForeignKey(
        Reference, on_delete=models.SET_NULL, null=True, blank=True, related_name="quoted_in"
    )
    quote_page = models.CharField(_("page"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="link_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.context} → {self.mechanism.short_name} → {self.outcome}"


class StakeholderReflection(models.Model):
    context = models.ForeignKey(
        Context, on_delete=models.CASCADE, related_name="stakeholder_reflections"
    )
    key = models.SlugField(max_length=80)
    order = models.PositiveSmallIntegerField()
    summary = models.TextField(_("reflection"))
    tension = models.ForeignKey(
        "Tension", on_delete=models.SET_NULL, null=True, blank=True, related_name="reflections"
    )

    class Meta:
        ordering = ["context__order", "order"]

    def __str__(self) -> str:
        return self.summary[:60]


class Tension(models.Model):
    """A tension of practice the paper names, with reflection prompts written for the project."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="tensions")
    key = models.SlugField(max_length=80)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=160)
    summary = models.TextField(_("summary"), blank=True)
    source = models.TextField(_("source"), blank=True)
    contexts = models.ManyToManyField(Context, related_name="tensions")
    prompts = models.JSONField(_("reflection prompts"), default=list)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="tension_unique_key")
        ]

    def __str__(self) -> str:
        return self.name


class FeedbackLoop(models.Model):
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="feedback_loops"
    )
    key = models.SlugField(max_length=80)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=160)
    summary = models.TextField(_("summary"), blank=True)
    mechanisms = models.ManyToManyField(Mechanism, blank=True, related_name="feedback_loops")
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="feedback_loops")

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="feedback_loop_unique_key")
        ]

    def __str__(self) -> str:
        return self.name


class OtherStatedLink(models.Model):
    """A link the paper states without citations (stakeholder reflection or Discussion)."""

    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="other_links"
    )
    code = models.CharField(max_length=20)
    evidence = models.CharField(_("basis"), max_length=20)
    source = models.CharField(_("where in the paper"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    contexts = models.ManyToManyField(Context, blank=True, related_name="other_links")
    mechanisms = models.ManyToManyField(Mechanism, blank=True, related_name="other_links")
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="other_links")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="other_link_unique_code")
        ]

    def __str__(self) -> str:
        return self.code


class Limitation(models.Model):
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="limitations"
    )
    key = models.SlugField(max_length=80)
    order = models.PositiveSmallIntegerField()
    summary = models.TextField()

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.key
