"""URLs for supervision (sharing)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
