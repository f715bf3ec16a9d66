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


# Messages for the parameter and body errors pydantic reports (its own are in
# English), by the error's type; a limit or the choices come from its context.
_PARAMETER_MESSAGES = {
    "missing": lambda ctx: _("This value is required."),
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "int_type": lambda ctx: _("Enter a whole number."),
    "int_from_float": lambda ctx: _("Enter a whole number."),
    "float_parsing": lambda ctx: _("Enter a number."),
    "float_type": lambda ctx: _("Enter a number."),
    "bool_parsing": lambda ctx: _("Enter true or false."),
    "bool_type": lambda ctx: _("Enter true or false."),
    "greater_than_equal": lambda ctx: (
        _("Enter a value of at least %(limit)s.") % {"limit": ctx.get("ge")}
    ),
    "greater_than": lambda ctx: (
        _("Enter a value greater than %(limit)s.") % {"limit": ctx.get("gt")}
    ),
    "less_than_equal": lambda ctx: (
        _("Enter a value of at most %(limit)s.") % {"limit": ctx.get("le")}
    ),
    "less_than": lambda ctx: (
        _("Enter a value less than %(limit)s.") % {"limit": ctx.get("lt")}
    ),
    "string_too_long": lambda ctx: (
        _("Enter at most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    ),
    "string_too_short": lambda ctx: (
        _("Enter at least %(limit)s characters.") % {"limit": ctx.get("min_length")}
    ),
    "string_type": lambda ctx: _("Enter text."),
    "date_parsing": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "date_type": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": lambda ctx: _("Enter a date and time as YYYY-MM-DDTHH:MM."),
    "datetime_from_date_parsing": lambda ctx: _(
        "Enter a date and time as YYYY-MM-DDTHH:MM."
    ),
    "datetime_type": lambda ctx: _("Enter a date and time as YYYY-MM-DDTHH:MM."),
    "list_type": lambda ctx: _("Enter a list."),
    "literal_error": lambda ctx: (
        _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    ),
    "enum": lambda ctx: (
        _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    ),
    "json_invalid": lambda ctx: _("The body is not valid JSON."),
    "dict_type": lambda ctx: _("Send a JSON object."),
    "model_type": lambda ctx: _("Send a JSON object."),
    "model_attributes_type": lambda ctx: _("Send a JSON object."),
    "url_parsing": lambda ctx: _("Enter a valid web address."),
    "url_scheme": lambda ctx: _("Enter a valid web address."),
    "url_type": lambda ctx: _("Enter a valid web address."),
}


def parameter_messages(errors: list[dict]) -> list[str]:
    """pydantic's errors of a request's parameters or body, one message each,
    in the request's language: "where: what"."""
    messages = []
    for error in errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:])
        make = _PARAMETER_MESSAGES.get(error.get("type", ""))
        what = make(error.get("ctx") or {}) if make else _("This value is not valid.")
        messages.append(f"{where}: {what}" if where else what)
    return messages


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
