"""Writes: the audit log, and API tokens (created, revoked, used)."""

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clearinghouse.actors.models import Institution

from .models import ApiToken, AuditEntry

logger = logging.getLogger(__name__)

# The tokens' recognisable start (not a secret).
TOKEN_SCHEME = "igc"  # noqa: S105
# A token's use is written at most this often, so that busy partners do not
# turn every read of the token into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


def _actor_fields(actor) -> dict:
    if actor is None:
        return {"actor": None, "actor_label": _("command line")}
    if isinstance(actor, ApiToken):
        return {
            "actor": actor.created_by,
            "actor_label": f"token {actor.prefix} ({actor.institution.slug})"[:200],
        }
    if getattr(actor, "is_authenticated", False):
        return {"actor": actor, "actor_label": actor.get_username()[:200]}
    return {"actor": None, "actor_label": _("anonymous")}


def _request_fields(request) -> dict:
    if request is None:
        return {"ip_address": None, "user_agent": ""}
    return {
        # REMOTE_ADDR is the peer that connected; behind a proxy it is the
        # proxy's own address unless the proxy rewrites it (gunicorn's
        # forwarded_allow_ips does), and a forged header is never trusted.
        "ip_address": request.META.get("REMOTE_ADDR") or None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
    }


def audit_record(*, actor, action: str, target, request) -> AuditEntry:
    """Write one entry of the audit log.

    `actor` is a user, an ApiToken (its creator is recorded, with the token's
    prefix) or None for the command line; `target` is a model instance, a
    string, or None.
    """
    if target is None:
        target_fields = {}
    elif isinstance(target, str):
        target_fields = {"target_label": target[:300]}
    else:
        target_fields = {
            "target_type": target._meta.label_lower,
            "target_id": str(target.pk or "")[:100],
            "target_label": str(target)[:300],
        }
    entry = AuditEntry.objects.create(
        action=action[:60],
        **_actor_fields(actor),
        **target_fields,
        **_request_fields(request),
    )
    logger.info(
        "audit.%s",
        action,
        extra={"actor": entry.actor_label, "target": entry.target_label},
    )
    return entry


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    institution: Institution,
    name: str,
    by,
    expires_at: datetime | None = None,
    request=None,
) -> tuple[ApiToken, str]:
    """Create a token for `institution`; return it with its secret (shown once)."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        name=name,
        institution=institution,
        prefix=prefix,
        digest=_digest(secret),
        created_by=by if getattr(by, "is_authenticated", False) else None,
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit_record(actor=by, action="api_token.create", target=token, request=request)
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by, request=None) -> ApiToken:
    """Revoke a token at once; a revoked token stays listed, unusable."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="api_token.revoke", target=token, request=request)
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The usable token whose secret this is, or None; notes when it was used."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_SCHEME:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("institution", "created_by")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def audit_request(request, *, action: str, target) -> AuditEntry:
    """audit_record for an API or page request: the token it used, else its user."""
    auth = getattr(request, "auth", None)
    actor = auth if isinstance(auth, ApiToken) else request.user
    return audit_record(actor=actor, action=action, target=target, request=request)
