from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        # Registers the project's deploy checks with Django's check framework, and the
        # bounded `<id:...>` URL converter before any URL module is read.
        import appear_site.checks  # noqa: F401
        from accounts import signals, two_factor

        signals.connect()
        two_factor.connect()
