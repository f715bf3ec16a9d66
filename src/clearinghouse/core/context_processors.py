"""Values every page template needs."""

from django.conf import settings


def site(request):
    """The address of this installation's source code (AGPL-3.0, section 13)."""
    return {"SOURCE_CODE_URL": settings.SOURCE_CODE_URL}
