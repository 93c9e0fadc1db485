"""URLs for the framework explorer: public pages, readable without signing in."""

from django.urls import path

from framework import views

app_name = "framework"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("contexts/<slug:key>/", views.context_page, name="context"),
    path("mechanisms/<slug:key>/", views.mechanism_page, name="mechanism"),
    path("outcomes/<slug:key>/", views.outcome_page, name="outcome"),
    path("references/", views.references, name="references"),
    path("search/", views.search, name="search"),
]
