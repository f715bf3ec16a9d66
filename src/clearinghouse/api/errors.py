"""Errors the API answers with: one shape, {"detail": [messages]}, translated."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
# English), by the error's type.
_WHOLE = gettext_lazy("Enter a whole number.")
_NUMBER = gettext_lazy("Enter a number.")
_BOOLEAN = gettext_lazy("Enter true or false.")
_DATE = gettext_lazy("Enter a date as YYYY-MM-DD.")
_DATETIME = gettext_lazy("Enter a date and time as YYYY-MM-DDTHH:MM.")
_OBJECT = gettext_lazy("Send a JSON object.")
_ADDRESS = gettext_lazy("Enter a valid web address.")
_CHOICE = gettext_lazy("Choose one of: %(choices)s.")
_INVALID = gettext_lazy("This value is not valid.")
_PARAMETER_MESSAGES = {
    "missing": gettext_lazy("This value is required."),
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float"), _WHOLE),
    **dict.fromkeys(("float_parsing", "float_type"), _NUMBER),
    **dict.fromkeys(("bool_parsing", "bool_type"), _BOOLEAN),
    **dict.fromkeys(("date_parsing", "date_from_datetime_parsing", "date_type"), _DATE),
    **dict.fromkeys(
        ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"), _DATETIME
    ),
    "string_type": gettext_lazy("Enter text."),
    "list_type": gettext_lazy("Enter a list."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"), _OBJECT),
    **dict.fromkeys(("url_parsing", "url_scheme", "url_type"), _ADDRESS),
}
# Those that name a limit or the choices, and the context key that holds it.
_LIMITED_MESSAGES = {
    "greater_than_equal": (gettext_lazy("Enter a value of at least %(limit)s."), "ge"),
    "greater_than": (gettext_lazy("Enter a value greater than %(limit)s."), "gt"),
    "less_than_equal": (gettext_lazy("Enter a value of at most %(limit)s."), "le"),
    "less_than": (gettext_lazy("Enter a value less than %(limit)s."), "lt"),
    "string_too_long": (
        gettext_lazy("Enter at most %(limit)s characters."),
        "max_length",
    ),
    "string_too_short": (
        gettext_lazy("Enter at least %(limit)s characters."),
        "min_length",
    ),
    "literal_error": (_CHOICE, "expected"),
    "enum": (_CHOICE, "expected"),
}


def _parameter_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind in _LIMITED_MESSAGES:
        message, key = _LIMITED_MESSAGES[kind]
        value = (error.get("ctx") or {}).get(key, "")
        return str(message) % {"limit": value, "choices": value}
    return str(_PARAMETER_MESSAGES.get(kind, _INVALID))


def parameter_messages(errors: list[dict]) -> list[str]:
    """pydantic's errors of a request's parameters or body, one message each,
    in the request's language: "where: what"."""
    messages = []
    for error in errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:])
        what = _parameter_message(error)
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
