"""Machine-readable endpoints of the roadmap app, without language prefix."""

urlpatterns: list = []
