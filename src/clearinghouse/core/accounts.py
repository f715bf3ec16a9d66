"""The secretariat: its group, its permissions and its first account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

SECRETARIAT_GROUP = "Secretariat"
# Apps whose records the secretariat curates.
CURATED_APPS = (
    "core",
    "taxonomy",
    "actors",
    "matrix",
    "events",
    "roadmap",
    "federation",
    "library",
)


@transaction.atomic
def secretariat_group_ensure() -> Group:
    """Create or refresh the Secretariat group with every curation permission."""
    group, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=CURATED_APPS)
    )
    return group


def is_secretariat(user) -> bool:
    """Whether the user curates the clearinghouse."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=SECRETARIAT_GROUP).exists()


def secretariat_exists() -> bool:
    """Whether any active secretariat account exists."""
    User = get_user_model()
    return User.objects.filter(is_active=True, is_superuser=True).exists() or (
        User.objects.filter(is_active=True, groups__name=SECRETARIAT_GROUP).exists()
    )


@transaction.atomic
def secretariat_user_create(*, username: str, email: str, password: str):
    """Create a secretariat account (staff, superuser, in the Secretariat group).

    The password is checked against the configured validators first.
    """
    from django.contrib.auth.password_validation import validate_password

    User = get_user_model()
    user = User(username=username, email=email, is_staff=True, is_superuser=True)
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.groups.add(secretariat_group_ensure())
    return user


def is_verified(user) -> bool:
    """Whether the user may take part: signed in, active, e-mail verified.

    The secretariat always may (it acts on behalf of meetings).
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if is_secretariat(user):
        return True
    profile = getattr(user, "profile", None)
    return profile is not None and profile.is_verified
