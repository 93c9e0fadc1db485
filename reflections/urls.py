"""URLs for reflections."""

app_name = "reflections"

urlpatterns: list = []
