"""URLs for supervision (records): supervision records, the brief and printable summaries."""

from django.urls import URLPattern, path

from supervision import record_views as views

urlpatterns: list[URLPattern] = [
    # Records, for the worker and the supervisor of a live link
    path("records/", views.record_index, name="records"),
    path("links/<id:link_id>/records/", views.pair_records, name="pair_records"),
    path("links/<id:link_id>/records/new/", views.record_create, name="record_create"),
    path("records/<id:pk>/", views.record_detail, name="record"),
    path("records/<id:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<id:pk>/sign/", views.record_sign, name="record_sign"),
    path("records/<id:pk>/new-version/", views.record_new_version, name="record_new_version"),
    path(
        "records/<id:pk>/actions/<id:action_id>/done/",
        views.record_action_done,
        name="record_action_done",
    ),
    path("records/<id:pk>/record.pdf", views.record_pdf, name="record_pdf"),
    # The one-page brief for a period (?from=YYYY-MM-DD&to=YYYY-MM-DD)
    path("workers/<id:user_id>/brief/", views.brief, name="brief"),
    path("workers/<id:user_id>/brief.pdf", views.brief_pdf, name="brief_pdf"),
    # One reflection, for its author or a supervisor it is shared with
    path("reflections/<id:pk>/reflection.pdf", views.reflection_pdf, name="reflection_pdf"),
]
