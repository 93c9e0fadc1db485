"""Workshops: trainers teach APPEAR to a room with vignettes, live mapping and agreement.

A participant is a row tied to a signed cookie, never a user account: people in a workshop room
join with a code and a name of their choosing, and are deleted a set number of days after the
workshop closes. Their answers stay, with no link to anyone and no free text, so the trainer
keeps the results (aggregates only).

Answers name contexts, mechanisms and outcome domains by the framework's stable keys, like the
practice map does, so results stay readable when a new framework version is loaded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation

PRESENCE_MAX = 3
TITLE_MAX = 120
KEY_MAX = 80
REASON_MAX = 200
REASONING_MAX = 280
DISPLAY_NAME_MAX = 40


class Setting(models.TextChoices):
    WARD = "ward", _("Hospital ward")
    COMMUNITY = "community", _("Community")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE_ONLINE = "phone_online", _("Phone or online")
    OTHER = "other", _("Other")


class Vignette(models.Model):
    """A short fictional session account with its author's intended mapping.

    The shipped library has no organisation and is loaded from workshops/data/vignettes.yaml;
    a trainer's own vignettes belong to their organisation and are seen by nobody else. A
    changed vignette becomes a new version (same key, next number); old versions stay because
    workshops point at the exact text their room answered.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="vignettes"
    )
    key = models.SlugField(_("key"), max_length=KEY_MAX)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices)
    main_context = models.CharField(_("main context"), max_length=KEY_MAX)
    text = models.TextField(_("the account"))
    tensions = models.JSONField(_("tensions it raises"), default=list, blank=True)
    went_wrong = models.BooleanField(_("something went wrong"), default=False)
    # {context key: 0-3}, and [{context, mechanism, domain, reason}]: the author's reading.
    intended_ratings = models.JSONField(_("intended ratings"), default=dict)
    intended_chains = models.JSONField(_("intended chains"), default=list)
    questions = models.JSONField(_("discussion questions"), default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"],
                condition=Q(organisation__isnull=True),
                name="vignette_library_unique_version",
            ),
            models.UniqueConstraint(
                fields=["organisation", "key", "version"],
                condition=Q(organisation__isnull=False),
                name="vignette_own_unique_version",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(organisation__isnull=True, is_current=True),
                name="vignette_library_one_current",
            ),
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=Q(organisation__isnull=False, is_current=True),
                name="vignette_own_one_current",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:vignette", kwargs={"pk": self.pk})

    @property
    def word_count(self) -> int:
        return len(self.text.split())


class Workshop(models.Model):
    class Mode(models.TextChoices):
        INDIVIDUAL = "individual", _("Each person answers on their own phone")
        TABLE = "table", _("Tables of three to five answer together on one device")

    class Status(models.TextChoices):
        READY = "ready", _("Not opened yet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="workshops"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workshops"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    date = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.INDIVIDUAL)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.READY
    )
    # Set while open; cleared on closing, which ends the code.
    join_code = models.CharField(_("join code"), max_length=6, null=True, blank=True, unique=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    participants_deleted_at = models.DateTimeField(_("participants deleted"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("current vignette"), default=0)
    revealed = models.BooleanField(_("intended mapping shown"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", join_code__isnull=False, opened_at__isnull=False)
                | ~Q(status="open"),
                name="workshop_open_has_code",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class WorkshopItem(models.Model):
    """One vignette in a workshop's running order."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="items")
    vignette = models.ForeignKey(Vignette, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "position"], name="item_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.position + 1}. {self.vignette}"


class Participant(models.Model):
    """Someone in the room (or a table), known only by the name they chose and a cookie."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    display_name = models.CharField(_("name"), max_length=DISPLAY_NAME_MAX)
    # The secret the signed cookie carries; the cookie's signature stops forging, this
    # random value stops guessing one participant's cookie from another's.
    token = models.CharField(max_length=64, unique=True)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return self.display_name


class Answer(models.Model):
    """One participant's (or table's) mapping of one vignette.

    `participant` becomes null and `reasoning` empty when participants are deleted after the
    workshop; what remains is anonymous and is what the results are computed from.
    """

    item = models.ForeignKey(WorkshopItem, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    reasoning = models.CharField(_("why"), max_length=REASONING_MAX, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "participant"],
                condition=Q(participant__isnull=False),
                name="answer_one_per_participant",
            )
        ]

    def __str__(self) -> str:
        return f"answer {self.pk} to {self.item}"


class AnswerRating(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="ratings")
    context = models.CharField(max_length=KEY_MAX)
    presence = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "context"], name="rating_one_per_context"),
            models.CheckConstraint(
                condition=Q(presence__lte=PRESENCE_MAX), name="rating_presence_in_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.context}: {self.presence}"


class AnswerChain(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="chains")
    order = models.PositiveSmallIntegerField()
    context = models.CharField(max_length=KEY_MAX)
    mechanism = models.CharField(max_length=KEY_MAX)
    domain = models.CharField(max_length=KEY_MAX)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.context} → {self.mechanism} → {self.domain}"
