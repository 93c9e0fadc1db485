"""Top-level URL configuration."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.auth_views import session_keep_alive
from appear_site import health, views

# The admin signs in through allauth's page, so its throttling, lockout audit and two-factor
# sign-in apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    # No trailing slash: load balancers are configured with the bare path, and a redirect to
    # add the slash would count as a failed check.
    path("healthz", health.healthz, name="healthz"),
    path("framework/", include("framework.urls")),
    path("reflections/", include("reflections.urls")),
    path("supervision/", include("supervision.urls")),
    path("workshops/", include("workshops.urls")),
    path("join/", include("workshops.urls_join")),
    path("accounts/", include("accounts.urls")),
    path("my-data/", include("datarights.urls")),
    path("accounts/", include("allauth.urls")),
    path("session/keep-alive/", session_keep_alive, name="session_keep_alive"),
    path("admin/", admin.site.urls),
]
