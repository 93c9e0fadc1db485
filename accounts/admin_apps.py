"""django.contrib.admin with the audited site (accounts.admin_site) as `admin.site`.

A module of its own: beside AccountsConfig, Django could not tell which config is the app's.
"""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.AuditedAdminSite"
