"""The participants' short URLs: /join/ and the current vignette, without an account."""

from django.urls import path

from workshops import views

app_name = "join"

urlpatterns = [
    path("", views.join, name="join"),
    path("answer/", views.answer, name="answer"),
    path("answer/follow/", views.follow, name="follow"),
]
