"""Errors the API answers with: one shape, {"detail": [messages]}, translated."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from ninja.errors import HttpError


class ApiError(HttpError):
    """A 4xx answer carrying a list of messages for the client."""

    def __init__(self, status_code: int, messages: list[str]) -> None:
        super().__init__(status_code, "; ".join(messages))
        self.messages = messages


def not_found(what: str, key: str) -> ApiError:
    """404: no such record."""
    return ApiError(
        404, [_("No %(what)s “%(key)s”.") % {"what": what, "key": key[:100]}]
    )


def from_validation_error(error: ValidationError) -> ApiError:
    """400 with one message per invalid field."""
    if hasattr(error, "error_dict"):
        messages = [
            f"{field}: {message}" if field != "__all__" else message
            for field, errors in error.message_dict.items()
            for message in errors
        ]
    else:
        messages = list(error.messages)
    return ApiError(400, messages)


def require_secretariat(request) -> None:
    """403 unless the signed-in user curates the clearinghouse."""
    from clearinghouse.core.accounts import is_secretariat

    if not is_secretariat(request.user):
        raise ApiError(403, [_("Only the secretariat may change these records.")])


@contextmanager
def write_errors(conflict: str):
    """Turn a service's refusal into a 400: field errors, or `conflict` for a
    record that would duplicate an existing one."""
    try:
        yield
    except ValidationError as error:
        raise from_validation_error(error) from error
    except IntegrityError as error:
        raise ApiError(400, [conflict]) from error
