"""URLs for writing and reading one reflection."""

from django.urls import URLPattern, path

from reflections import views

urlpatterns: list[URLPattern] = [
    path("new/", views.start, name="start"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/quick/", views.quick, name="quick"),
    path("<id:pk>/steps/chains/options/", views.chain_options, name="chain_options"),
    path("<id:pk>/steps/<slug:step>/", views.step, name="step"),
    path("<id:pk>/autosave/<slug:step>/", views.autosave, name="autosave"),
    path("<id:pk>/check/", views.check, name="check"),
    path("<id:pk>/privacy/", views.privacy, name="privacy"),
    path("<id:pk>/privacy/live/", views.privacy_live, name="privacy_live"),
    path("<id:pk>/submit/", views.submit, name="submit"),
    path("<id:pk>/amend/", views.amend, name="amend"),
    path("<id:pk>/amend/discard/", views.discard_amendment, name="discard_amendment"),
    path("<id:pk>/delete/", views.delete, name="delete"),
    path("<id:pk>/history/<id:number>/", views.revision, name="revision"),
]
