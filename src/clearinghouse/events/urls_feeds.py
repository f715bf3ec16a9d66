"""Machine-readable endpoints of the events app, without language prefix."""

urlpatterns: list = []
