"""How the API's write endpoints authenticate: a partner's token, or a session.

A token travels in the Authorization header (`Bearer igc_…`) and uses no
cookie, so it needs no CSRF token; a browser session keeps needing one.
"""

from django.utils.translation import gettext as _
from ninja.security import HttpBearer, django_auth

from clearinghouse.api.errors import ApiError

from .services import api_token_authenticate


class InvalidToken(ApiError):
    """A token was sent but is unknown, expired or revoked: 401."""

    def __init__(self) -> None:
        super().__init__(401, [_("The API token is unknown, expired or revoked.")])


class TokenAuth(HttpBearer):
    """Authorization: Bearer <token> — an institution's API token."""

    def authenticate(self, request, token: str):
        api_token = api_token_authenticate(token)
        if api_token is None:
            # A wrong token is refused outright rather than falling back to a
            # session cookie sent alongside it.
            raise InvalidToken()
        return api_token


# Write endpoints: a token first (when the header is there), else the session.
write_auth = [TokenAuth(), django_auth]
