"""Language-prefixed pages of the roadmap app."""

app_name = "roadmap"
urlpatterns: list = []
