"""Schemas shared by several routers."""

from ninja import Schema


class Source(Schema):
    """Where a record comes from."""

    quote: str
    title: str
    url: str


def source_of(obj) -> dict:
    """The source fields of a Sourced record."""
    return {"quote": obj.source_quote, "title": obj.source_title, "url": obj.source_url}


class Detail(Schema):
    """An error: one message per problem."""

    detail: list[str]
