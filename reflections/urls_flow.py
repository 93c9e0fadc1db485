"""URLs for writing and reading one reflection."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
