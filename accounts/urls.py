"""URLs for organisation admin pages, invitation links and each person's own audit page.

Mounted at /accounts/ beside django-allauth, so every path here avoids allauth's own
(login/, logout/, password/, 2fa/, signup/, email/, confirm-email/, ...).
"""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("organisation/<slug:slug>/members/", views.members, name="members"),
    path("organisation/<slug:slug>/members/<id:pk>/", views.member, name="member"),
    path(
        "organisation/<slug:slug>/members/<id:pk>/roles/",
        views.member_roles,
        name="member_roles",
    ),
    path(
        "organisation/<slug:slug>/members/<id:pk>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "organisation/<slug:slug>/members/<id:pk>/reactivate/",
        views.member_reactivate,
        name="member_reactivate",
    ),
    path("organisation/<slug:slug>/invitations/", views.invitations, name="invitations"),
    path(
        "organisation/<slug:slug>/invitations/<id:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("organisation/<slug:slug>/supervision/", views.supervision, name="supervision"),
    path(
        "organisation/<slug:slug>/supervision/<id:pk>/end/",
        views.supervision_end,
        name="supervision_end",
    ),
    path(
        "organisation/<slug:slug>/settings/",
        views.organisation_settings,
        name="organisation_settings",
    ),
    path("organisation/<slug:slug>/audit/", views.organisation_audit, name="organisation_audit"),
    path("my-audit/", views.my_audit, name="my_audit"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
