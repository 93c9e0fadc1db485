from django.urls import path

from workshops import views

app_name = "workshops"

urlpatterns = [
    path("", views.workshop_list, name="list"),
    path("new/", views.workshop_create, name="create"),
    path("cards.pdf", views.cards_pdf, name="cards_pdf"),
    path("<id:pk>/", views.workshop_detail, name="detail"),
    path("<id:pk>/open/", views.workshop_open, name="open"),
    path("<id:pk>/close/", views.workshop_close, name="close"),
    path("<id:pk>/room/", views.room, name="room"),
    path("<id:pk>/room/live/", views.room_live, name="room_live"),
    path("<id:pk>/room/move/", views.room_move, name="room_move"),
    path("<id:pk>/room/reveal/", views.room_reveal, name="room_reveal"),
    path("<id:pk>/results/", views.results, name="results"),
    path("<id:pk>/results.pdf", views.results_pdf, name="results_pdf"),
    path("<id:pk>/results.csv", views.results_csv, name="results_csv"),
    path("<id:pk>/worksheets.pdf", views.worksheets_pdf, name="worksheets_pdf"),
    path("vignettes/", views.vignette_list, name="vignettes"),
    path("vignettes/new/", views.vignette_create, name="vignette_create"),
    path("vignettes/<id:pk>/", views.vignette_detail, name="vignette"),
    path("vignettes/<id:pk>/edit/", views.vignette_edit, name="vignette_edit"),
]
