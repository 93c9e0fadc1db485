"""URLs for the framework explorer."""

app_name = "framework"

urlpatterns: list = []
