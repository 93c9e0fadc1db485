"""URLs for the framework explorer: public pages, readable without signing in."""

from django.urls import path

from framework import views

app_name = "framework"

urlpatterns = [
    path("", views.overview, name="overview"),
]
