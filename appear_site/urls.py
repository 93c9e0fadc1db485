"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

from appear_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("framework/", include("framework.urls")),
    path("reflections/", include("reflections.urls")),
    path("supervision/", include("supervision.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
