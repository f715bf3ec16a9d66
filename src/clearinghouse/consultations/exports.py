"""The synthesis as a table for CSV, JSON and XLSX: one row per figure."""

from django.utils.translation import gettext as _

from clearinghouse.core.exporters import Column

from .models import Consultation
from .rendering import labels


def synthesis_table(consultation: Consultation, data: dict):
    """Columns and rows: section, key, label, statement text, counts, shares."""
    names = labels()
    columns = [
        Column("section", _("Section")),
        Column("key", _("Key")),
        Column("label", _("Label")),
        Column("count", _("Count")),
        Column("agree", _("Agree")),
        Column("disagree", _("Disagree")),
        Column("pass", _("Pass")),
        Column("group", _("Group")),
    ]
    rows = []
    for dimension, pairs in data["participation"].items():
        if dimension == "ldc":
            rows.append(
                {
                    "section": "participation",
                    "key": "ldc",
                    "label": _("Least developed countries"),
                    "count": pairs,
                }
            )
            continue
        for key, count in pairs:
            rows.append(
                {
                    "section": f"participation:{dimension}",
                    "key": key,
                    "label": names[dimension].get(key, key),
                    "count": count,
                }
            )
    for question in data["questions"]:
        rows.append(
            {
                "section": "question",
                "key": question["id"],
                "label": question["kind"],
                "count": question["answers"],
            }
        )
    for statement in data["statements"]:
        rows.append(
            {
                "section": "statement",
                "key": statement["id"],
                "label": statement["text"],
                "agree": statement["agree"],
                "disagree": statement["disagree"],
                "pass": statement["pass"],
                "count": statement["agree"] + statement["disagree"] + statement["pass"],
            }
        )
        for group, (agree, total) in sorted(statement["groups"].items()):
            rows.append(
                {
                    "section": "statement:group",
                    "key": statement["id"],
                    "group": group,
                    "agree": agree,
                    "count": total,
                }
            )
    for sid in data["commonality"]:
        rows.append({"section": "commonality", "key": sid})
    for sid in data["divisive"]:
        rows.append({"section": "divisive", "key": sid})
    opinion = data.get("opinion_groups") or {"groups": []}
    for number, group in enumerate(opinion["groups"], start=1):
        rows.append({"section": "opinion_group", "key": number, "count": group["size"]})
        for rep in group["statements"]:
            rows.append(
                {
                    "section": "opinion_group:statement",
                    "key": rep["id"],
                    "group": number,
                    "label": rep["direction"],
                    "agree": rep["in"],
                    "disagree": rep["out"],
                }
            )
    return columns, rows
