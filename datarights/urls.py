"""URLs for a person's own data (export, import, erasure) and the admin's background work."""

from django.urls import path

from datarights import views

app_name = "datarights"

urlpatterns = [
    path("export/", views.export_page, name="export"),
    path("export/new/", views.export_create, name="export_create"),
    path("export/<id:pk>/status/", views.export_status, name="export_status"),
    path("export/<id:pk>/download/", views.export_download, name="export_download"),
    path("import/", views.import_page, name="import"),
    path("erase/", views.erase, name="erase"),
    path("organisation/<slug:slug>/failed-tasks/", views.failed_tasks, name="failed_tasks"),
    path("organisation/<slug:slug>/retention/", views.retention_settings, name="retention"),
    path(
        "organisation/<slug:slug>/members/<id:pk>/erase/",
        views.member_erase,
        name="member_erase",
    ),
]
