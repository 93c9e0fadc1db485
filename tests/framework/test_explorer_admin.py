"""Site staff can edit every part of the framework in the Django admin, and are warned."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.test import TestCase
from django.urls import reverse

from accounts.models import User
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
from framework.services import framework_data_read, framework_load
from tests.accounts.auth_support import enrol_totp

FRAMEWORK_MODELS = [
    FrameworkVersion,
    Reference,
    Context,
    Factor,
    MechanismGroup,
    Mechanism,
    OutcomeDomain,
    Outcome,
    Link,
    StakeholderReflection,
    Tension,
    FeedbackLoop,
    OtherStatedLink,
    Limitation,
]


class TestFrameworkAdmin(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        framework_load(data=framework_data_read(settings.FRAMEWORK_DATA_FILE))
        cls.staff = User.objects.create_superuser(
            username="root", email="root@example.org", password="not-used-here"
        )
        # Staff must have two-factor sign-in; without it every page sends them to enrol.
        enrol_totp(cls.staff)

    def setUp(self) -> None:
        self.client.force_login(self.staff)

    def admin_url(self, model: type, action: str, *args: object) -> str:
        meta = model._meta  # type: ignore[attr-defined]
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=args)

    def test_every_framework_model_is_registered(self) -> None:
        for model in FRAMEWORK_MODELS:
            assert admin.site.is_registered(model), model.__name__

    def test_every_list_and_change_form_opens(self) -> None:
        for model in FRAMEWORK_MODELS:
            with self.subTest(model=model.__name__):
                assert self.client.get(self.admin_url(model, "changelist")).status_code == 200
                first = model.objects.order_by("pk").first()  # type: ignore[attr-defined]
                response = self.client.get(self.admin_url(model, "change", first.pk))
                assert response.status_code == 200

    def test_the_version_form_warns_that_edits_change_existing_reflections(self) -> None:
        version = FrameworkVersion.objects.get()
        html = self.client.get(self.admin_url(FrameworkVersion, "change", version.pk)).content
        assert b"changes what those reflections show" in html
        assert b"Reflections written against it" in html

    def test_a_link_form_offers_its_many_to_many_fields_side_by_side(self) -> None:
        link = Link.objects.get(code="cmoc-22")
        html = self.client.get(self.admin_url(Link, "change", link.pk)).content.decode()
        for field in ("factors", "additional_mechanisms", "citations"):
            assert f'id="id_{field}"' in html
            assert "selectfilter" in html

    def test_the_link_list_filters_by_version(self) -> None:
        version = FrameworkVersion.objects.get()
        response = self.client.get(
            self.admin_url(Link, "changelist"), {"version__id__exact": version.pk}
        )
        assert response.status_code == 200
        assert b"27 links" in response.content

    def test_an_edit_saves_and_shows_on_the_explorer(self) -> None:
        context = Context.objects.get(key="accepting")
        response = self.client.get(self.admin_url(Context, "change", context.pk))
        form = response.context["adminform"].form
        data = {
            name: field.widget.format_value(form.initial.get(name)) or ""
            for name, field in form.fields.items()
        }
        data.update(
            {
                "summary": "Edited in the admin.",
                "aliases": '["acceptance"]',
                "prompts": '["Edited prompt?"]',
                "factors-TOTAL_FORMS": "0",
                "factors-INITIAL_FORMS": "0",
            }
        )
        saved = self.client.post(self.admin_url(Context, "change", context.pk), data)
        assert saved.status_code == 302, saved.content.decode()[:2000]
        page = self.client.get(reverse("framework:context", kwargs={"key": "accepting"}))
        assert "Edited in the admin." in page.content.decode()
