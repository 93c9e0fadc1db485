"""URLs for My reflections and My practice."""

from django.urls import URLPattern, path

from reflections import practice_views

urlpatterns: list[URLPattern] = [
    path("", practice_views.reflection_list, name="list"),
    path("practice/", practice_views.practice_overview, name="practice"),
]
