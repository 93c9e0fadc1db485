"""URLs for writing and reading one reflection."""

from django.urls import URLPattern, path

from reflections import views

urlpatterns: list[URLPattern] = [
    path("new/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/quick/", views.quick, name="quick"),
    path("<int:pk>/steps/chains/options/", views.chain_options, name="chain_options"),
    path("<int:pk>/steps/<slug:step>/", views.step, name="step"),
    path("<int:pk>/autosave/<slug:step>/", views.autosave, name="autosave"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/privacy/", views.privacy, name="privacy"),
    path("<int:pk>/privacy/live/", views.privacy_live, name="privacy_live"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/amend/discard/", views.discard_amendment, name="discard_amendment"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/history/<int:number>/", views.revision, name="revision"),
]
