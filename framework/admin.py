"""Django admin for the framework data: every part of a version is editable here.

The usual way to change the framework is to edit the data file and run `load_framework`,
which creates a new version and leaves old ones untouched. Editing rows here changes a
version in place, including versions that reflections already point to, so every change
form carries a warning saying so.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from framework.models import (
    Context,
    Factor,
    FeedbackLoop,
    FrameworkVersion,
    Limitation,
    Link,
    Mechanism,
    MechanismGroup,
    OtherStatedLink,
    Outcome,
    OutcomeDomain,
    Reference,
    StakeholderReflection,
    Tension,
)

EDITING_WARNING = _(
    "Editing a framework version that reflections already point to changes what those "
    "reflections show, their PDFs included. To change the framework, prefer editing the data "
    "file and running `manage.py load_framework`, which creates a new version and keeps the "
    "old one as it was."
)


class VersionedAdmin(admin.ModelAdmin):
    """Shows the editing warning on every change form of framework data."""

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if change:
            messages.warning(request, EDITING_WARNING)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(VersionedAdmin):
    # A link typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("__str__", "label", "is_current", "loaded_at", "reflection_count")
    list_filter = ("is_current",)
    readonly_fields = ("content_hash", "loaded_at", "reflection_count")
    fieldsets = (
        (
            _("Version"),
            {
                "description": EDITING_WARNING,
                "fields": ("label", "is_current", "content_hash", "loaded_at", "reflection_count"),
            },
        ),
        (
            _("Framework"),
            {
                "fields": (
                    "name",
                    "expansion",
                    "summary",
                    "intended_use",
                    "interaction_note",
                    "structure_note",
                )
            },
        ),
        (
            _("Source and licence"),
            {
                "fields": (
                    "citation",
                    "doi_url",
                    "licence_name",
                    "licence_url",
                    "attribution",
                    "changes_note",
                    "extraction_scope",
                    "project_notes",
                )
            },
        ),
    )

    @admin.display(description=_("reflections written against it"))
    def reflection_count(self, obj: FrameworkVersion) -> int:
        return obj.reflections.count()


@admin.register(Reference)
class ReferenceAdmin(VersionedAdmin):
    list_display = ("number", "short", "kind", "version")
    list_filter = ("version", "kind")
    search_fields = ("short", "full")


class FactorInline(admin.TabularInline):
    model = Factor
    extra = 0
    fields = ("order", "key", "name", "papers_coded", "definition")


@admin.register(Context)
class ContextAdmin(VersionedAdmin):
    list_display = ("name", "order", "papers_coded", "version")
    list_filter = ("version",)
    search_fields = ("name", "summary")
    inlines = [FactorInline]


@admin.register(Factor)
class FactorAdmin(VersionedAdmin):
    list_display = ("name", "context", "papers_coded")
    list_filter = ("context__version", "context")
    list_select_related = ("context",)
    search_fields = ("name", "definition")


class MechanismInline(admin.TabularInline):
    model = Mechanism
    extra = 0
    fields = ("order", "key", "statement", "short_name")
    show_change_link = True


@admin.register(MechanismGroup)
class MechanismGroupAdmin(VersionedAdmin):
    list_display = ("name", "order", "theory_name", "version")
    list_filter = ("version",)
    inlines = [MechanismInline]


@admin.register(Mechanism)
class MechanismAdmin(VersionedAdmin):
    list_display = ("statement", "short_name", "group", "order", "version")
    list_filter = ("version", "group")
    list_select_related = ("group", "version")
    search_fields = ("statement", "short_name")


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 0
    fields = ("order", "key", "name", "mapping")
    show_change_link = True


@admin.register(OutcomeDomain)
class OutcomeDomainAdmin(VersionedAdmin):
    list_display = ("name", "number", "version")
    list_filter = ("version",)
    inlines = [OutcomeInline]


@admin.register(Outcome)
class OutcomeAdmin(VersionedAdmin):
    list_display = ("name", "domain", "mapping")
    list_filter = ("domain__version", "domain")
    list_select_related = ("domain",)
    search_fields = ("name",)


@admin.register(Link)
class LinkAdmin(VersionedAdmin):
    list_display = ("code", "context", "mechanism", "outcome", "strength", "study_count")
    list_filter = ("version", "context", "mechanism", "outcome__domain")
    list_select_related = ("context", "mechanism", "outcome")
    search_fields = ("code", "statement_group", "quote_text")
    filter_horizontal = ("factors", "additional_mechanisms", "citations")


@admin.register(StakeholderReflection)
class StakeholderReflectionAdmin(VersionedAdmin):
    list_display = ("__str__", "context", "tension")
    list_filter = ("context__version", "context")
    list_select_related = ("context", "tension")


@admin.register(Tension)
class TensionAdmin(VersionedAdmin):
    list_display = ("name", "order", "version")
    list_filter = ("version",)
    filter_horizontal = ("contexts",)


@admin.register(FeedbackLoop)
class FeedbackLoopAdmin(VersionedAdmin):
    list_display = ("name", "order", "version")
    list_filter = ("version",)
    filter_horizontal = ("mechanisms", "outcomes")


@admin.register(OtherStatedLink)
class OtherStatedLinkAdmin(VersionedAdmin):
    list_display = ("code", "evidence", "source", "version")
    list_filter = ("version", "evidence")
    filter_horizontal = ("contexts", "mechanisms", "outcomes")


@admin.register(Limitation)
class LimitationAdmin(VersionedAdmin):
    list_display = ("key", "order", "version")
    list_filter = ("version",)
