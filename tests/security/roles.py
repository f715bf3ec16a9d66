"""Accounts in each role, for the access tests."""

from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from clearinghouse.actors.models import FocalPoint, FocalPointStatus
from clearinghouse.core.models import Profile


def user_create(username: str, *, verified: bool = False):
    """A plain account; with a verified e-mail address if asked."""
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="a-Long-pass-phrase-42",
    )
    if verified:
        profile, _created = Profile.objects.get_or_create(user=user)
        profile.email_verified_at = timezone.now()
        profile.save()
    return user


def focal_point_create(username: str, institution):
    """A verified account, approved as a focal point of `institution`."""
    user = user_create(username, verified=True)
    FocalPoint.objects.create(
        user=user, institution=institution, status=FocalPointStatus.APPROVED
    )
    return user


def walk_patterns(patterns=None, namespace=None):
    """Every URL pattern of the site, with its namespaced name (or its route
    where it has none)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            if namespace and inner:
                inner = f"{namespace}:{inner}"
            yield from walk_patterns(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or str(pattern.pattern)
            yield f"{namespace}:{name}" if namespace else name, pattern
