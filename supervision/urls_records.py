"""URLs for supervision (records)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
