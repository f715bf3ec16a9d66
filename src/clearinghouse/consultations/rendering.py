"""The synthesis as pages show it: labelled rows, SVG bar charts and tables.

Stored figures are codes and ids; here they get their labels in the reader's
language. Charts are drawn by events' chart layout, so every chart on the
site looks and reads alike (a table beside each).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from clearinghouse.core.models import DevelopmentStatus, Region, StakeholderGroup
from clearinghouse.events.participation import Bar, Chart, chart_layout, number

from .models import Consultation, Option, Question, QuestionKind
from .selectors import synthesis_of
from .synthesis import UNSPECIFIED

# Statements shown on the page (all are in the exports).
PAGE_STATEMENTS = 50


@dataclass
class Row:
    key: str
    label: str
    count: int
    share: float
    text: str


@dataclass
class Figure:
    """A breakdown: title, rows, and its chart."""

    ident: str
    title: str
    rows: list[Row]
    chart: Chart | None = None


def labels() -> dict[str, dict[str, str]]:
    """Labels of the codes stored in a synthesis, in the active language."""
    unspecified = _("Not stated")
    return {
        "stakeholder_group": {
            **{k: str(v) for k, v in StakeholderGroup.choices},
            UNSPECIFIED: unspecified,
        },
        "development_status": {
            **{k: str(v) for k, v in DevelopmentStatus.choices},
            UNSPECIFIED: unspecified,
        },
        "region": {
            **{r.code: r.name for r in Region.objects.filter(kind="region")},
            UNSPECIFIED: unspecified,
        },
        "language": {
            **{code: str(_(name)) for code, name in settings.LANGUAGES},
            UNSPECIFIED: _("Not recognized"),
        },
    }


def figure(ident: str, title: str, pairs, names: dict[str, str]) -> Figure:
    """A labelled breakdown with its chart, from [[key, count], …]."""
    total = sum(count for _key, count in pairs) or 1
    rows = []
    for key, count in pairs:
        share = count / total * 100
        rows.append(
            Row(
                key=str(key),
                label=names.get(key, str(key)),
                count=count,
                share=share,
                text=_("%(count)s (%(share)s %%)")
                % {"count": number(count), "share": number(share)},
            )
        )
    chart = chart_layout(
        Chart(
            ident=ident,
            title=title,
            description="; ".join(f"{row.label}: {row.text}" for row in rows),
            bars=[Bar(label=row.label, text=row.text, share=row.share) for row in rows],
        )
    )
    return Figure(ident=ident, title=title, rows=rows, chart=chart)


@dataclass
class SynthesisView:
    """Everything the synthesis page shows."""

    data: dict | None
    current: bool
    participation: list[Figure] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    commonality: list[dict] = field(default_factory=list)
    divisive: list[dict] = field(default_factory=list)
    opinion: dict | None = None
    opinion_figure: Figure | None = None


def synthesis_view(consultation: Consultation) -> SynthesisView:
    """The stored synthesis, labelled; says whether newer data is awaiting it."""
    stored = synthesis_of(consultation)
    if stored is None:
        return SynthesisView(data=None, current=False)
    data = stored.data
    names = labels()
    view = SynthesisView(data=data, current=stored.version >= consultation.data_version)
    part = data["participation"]
    view.participation = [
        figure(
            "s-group",
            _("Participants by stakeholder group"),
            part["stakeholder_group"],
            names["stakeholder_group"],
        ),
        figure(
            "s-region", _("Participants by region"), part["region"], names["region"]
        ),
        figure(
            "s-status",
            _("Participants by development status"),
            part["development_status"],
            names["development_status"],
        ),
        figure(
            "s-language",
            _("Contributions by language"),
            part["language"],
            names["language"],
        ),
    ]
    texts = dict(
        Question.objects.filter(consultation=consultation).values_list("pk", "text")
    )
    options = dict(
        Option.objects.filter(question__consultation=consultation).values_list(
            "pk", "text"
        )
    )
    for entry in data["questions"]:
        item = {
            "text": texts.get(entry["id"], ""),
            "kind": entry["kind"],
            "answers": entry["answers"],
            "figure": None,
            "id": entry["id"],
        }
        if entry["kind"] == QuestionKind.OPEN and entry.get("languages"):
            item["figure"] = figure(
                f"s-q{entry['id']}",
                _("Answers by language"),
                entry["languages"],
                names["language"],
            )
        elif entry["kind"] == QuestionKind.CHOICE:
            item["figure"] = figure(
                f"s-q{entry['id']}",
                texts.get(entry["id"], ""),
                [[o, c] for o, c in entry["options"]],
                {o: options.get(o, "") for o, _c in entry["options"]},
            )
        view.questions.append(item)
    statements = {s["id"]: s for s in data["statements"]}
    group_keys = sorted({g for s in data["statements"] for g in s["groups"]})
    view.groups = [names["stakeholder_group"].get(g, g) for g in group_keys]

    def shown(statement):
        votes = statement["agree"] + statement["disagree"] + statement["pass"]
        return {
            **statement,
            "votes": votes,
            "cells": [_share(statement["groups"].get(g)) for g in group_keys],
        }

    ranked = sorted(
        statements.values(), key=lambda s: -(s["agree"] + s["disagree"] + s["pass"])
    )
    view.statements = [shown(s) for s in ranked[:PAGE_STATEMENTS]]
    view.commonality = [
        shown(statements[i]) for i in data["commonality"][:10] if i in statements
    ]
    view.divisive = [
        shown(statements[i]) for i in data["divisive"][:10] if i in statements
    ]
    opinion = data.get("opinion_groups")
    if opinion:
        groups = []
        for number_, group in enumerate(opinion["groups"], start=1):
            groups.append(
                {
                    "name": _("Opinion group %(n)s") % {"n": number_},
                    "size": group["size"],
                    "statements": [
                        {
                            **rep,
                            "text": statements.get(rep["id"], {}).get("text", ""),
                            "in_pc": round(rep["in"] * 100),
                            "out_pc": round(rep["out"] * 100),
                        }
                        for rep in group["statements"]
                    ],
                }
            )
        view.opinion = {**opinion, "groups": groups}
        view.opinion_figure = figure(
            "s-opinion",
            _("Participants in each opinion group"),
            [[g["name"], g["size"]] for g in groups],
            {},
        )
    return view


def _share(cell) -> str:
    if not cell or not cell[1]:
        return "–"
    agree, total = cell
    return _("%(share)s %% of %(votes)s") % {
        "share": number(agree / total * 100),
        "votes": number(total),
    }
