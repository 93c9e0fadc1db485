"""URLs for supervision (sharing): bringing reflections, the dashboard and feedback."""

from django.urls import URLPattern, path

from supervision import sharing_views as views

urlpatterns: list[URLPattern] = [
    # The supervisor
    path("", views.dashboard, name="dashboard"),
    path("workers/<id:user_id>/", views.worker, name="worker"),
    path("reflections/<id:pk>/", views.reflection, name="reflection"),
    path("reflections/<id:pk>/discussed/", views.discussed, name="discussed"),
    # Both: the feedback thread
    path("reflections/<id:pk>/comments/", views.comment_create, name="comment_create"),
    # The worker
    path("share/", views.share, name="share"),
    path("shares/", views.share_create, name="share_create"),
    path("reflections/<id:pk>/share/", views.reflection_share, name="reflection_share"),
    path("mine/<id:pk>/", views.reflection_panel, name="reflection_panel"),
    path("shares/<id:pk>/withdraw/", views.share_withdraw, name="share_withdraw"),
]
