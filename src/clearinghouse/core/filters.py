"""Pieces every app's query-string filters share."""

from django import forms

from .models import Region


class FilterForm(forms.Form):
    """A form that validates a list's query string; errors name their filter."""

    def error_messages(self) -> list[str]:
        """Each error as one sentence that names the filter it is about."""
        return [
            f"{self.fields[name].label}: {message}" if name in self.fields else message
            for name, messages in self.errors.items()
            for message in messages
        ]


def query_pairs(*named: tuple[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """Query-string pairs for (parameter, values) filters, for links that keep them."""
    return [(name, value) for name, values in named for value in values]


def region_choices() -> list[tuple[str, str]]:
    """UN M49 regions, each followed by its sub-regions and intermediate regions,
    sorted by name in the active language and indented by level."""
    children: dict[str | None, list[Region]] = {}
    for region in Region.objects.all():
        children.setdefault(region.parent_id, []).append(region)
    choices: list[tuple[str, str]] = []

    def walk(parent: str | None, depth: int) -> None:
        for region in sorted(children.get(parent, []), key=lambda r: r.name):
            choices.append((region.code, "\u2003" * depth + region.name))
            walk(region.code, depth + 1)

    walk(None, 0)
    return choices
