from django.urls import path

from workshops import views

app_name = "workshops"

urlpatterns = [
    path("", views.workshop_list, name="list"),
    path("new/", views.workshop_create, name="create"),
    path("cards.pdf", views.cards_pdf, name="cards_pdf"),
    path("<int:pk>/", views.workshop_detail, name="detail"),
    path("<int:pk>/open/", views.workshop_open, name="open"),
    path("<int:pk>/close/", views.workshop_close, name="close"),
    path("<int:pk>/room/", views.room, name="room"),
    path("<int:pk>/room/live/", views.room_live, name="room_live"),
    path("<int:pk>/room/move/", views.room_move, name="room_move"),
    path("<int:pk>/room/reveal/", views.room_reveal, name="room_reveal"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.pdf", views.results_pdf, name="results_pdf"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("<int:pk>/worksheets.pdf", views.worksheets_pdf, name="worksheets_pdf"),
    path("vignettes/", views.vignette_list, name="vignettes"),
    path("vignettes/new/", views.vignette_create, name="vignette_create"),
    path("vignettes/<int:pk>/", views.vignette_detail, name="vignette"),
    path("vignettes/<int:pk>/edit/", views.vignette_edit, name="vignette_edit"),
]
