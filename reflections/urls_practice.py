"""URLs for My reflections and My practice."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
