"""The Forum 2004 dataset: what the summary of the Global Forum on Internet
Governance (New York, 25–26 March 2004) names, each record with its source.

`dataset_read()` parses and checks every file and returns the records or a list
of every problem found; `dataset_load()` writes nothing unless the whole dataset
is valid, and then writes in one transaction through the apps' services, only
what differs from what is stored (so a second load changes nothing).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from clearinghouse.actors import services as actors_services
from clearinghouse.actors.models import Institution, InstitutionKind, Scope
from clearinghouse.core.languages import translated_values
from clearinghouse.core.models import Country, StakeholderGroup
from clearinghouse.core.services import LoadReport
from clearinghouse.datasets.context import LoadContext
from clearinghouse.events import dataset as events_dataset
from clearinghouse.filters import dataset as filters_dataset
from clearinghouse.matrix import services as matrix_services
from clearinghouse.matrix.models import ConcernKind, MandateStatus, RoleCode
from clearinghouse.roadmap import dataset as roadmap_dataset
from clearinghouse.taxonomy import services as taxonomy_services
from clearinghouse.taxonomy.models import Issue

SUMMARY_TITLE = (
    "Global Forum on Internet Governance (New York, 25–26 March 2004), "
    "informal summary, UN ICT Task Force"
)
LANGUAGE_KEYS = ("en", "fr", "es", "ru", "ar", "zh_hans")
FILES = ("areas", "issues", "institutions", "mandates", "concerns")
# Checked here, written by the events and road-map apps' own loading steps.
CHECKED_ONLY = (
    "meetings",
    "proposals",
    "participation",
    "milestones",
    *filters_dataset.FILES,
)
# libyaml's safe loader where PyYAML was built with it: ten times faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class DatasetError(Exception):
    """The dataset is not valid; `problems` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the dataset")
        self.problems = problems


@dataclass
class Dataset:
    """The parsed records of each file."""

    summary: str
    records: dict[str, list[dict]] = field(default_factory=dict)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Checker:
    """Collects problems while the files are read."""

    def __init__(self, summary: str) -> None:
        self.summary = _normalise(summary)
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def source(self, where: str, record: dict) -> None:
        source = record.get("source")
        if not isinstance(source, dict) or not (
            source.get("quote") or source.get("url")
        ):
            self.problem(where, "needs a source with a quote or a url")
            return
        quote = source.get("quote")
        if quote and _normalise(str(quote)) not in self.summary:
            self.problem(where, f"source quote is not in the summary: {quote[:80]!r}")
        if source.get("url") and not source.get("title"):
            self.problem(where, "a source url needs a title")

    def translated(self, where: str, record: dict, key: str, required: bool) -> None:
        value = record.get(key)
        if value is None and not required:
            return
        if not isinstance(value, dict) or (required and not value.get("en")):
            self.problem(where, f"{key} needs at least an English (en) value")
            return
        unknown = set(value) - set(LANGUAGE_KEYS)
        if unknown:
            self.problem(where, f"{key} has unknown languages {sorted(unknown)}")

    def choice(self, where: str, value, choices, name: str) -> None:
        if value not in choices:
            self.problem(where, f"unknown {name} {value!r}")


def _read_yaml(path: Path, checker: _Checker) -> list[dict]:
    if not path.exists():
        checker.problem(path.name, "file is missing")
        return []
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        checker.problem(path.name, f"is not valid YAML: {error}")
        return []
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        checker.problem(path.name, "must be a list of mappings")
        return []
    return data


def dataset_read(data_dir: Path) -> Dataset:
    """Parse and check the dataset; raise DatasetError listing every problem."""
    summary_path = data_dir / "summary.txt"
    if not summary_path.exists():
        raise DatasetError([f"{summary_path}: the summary text is missing"])
    dataset = Dataset(summary=summary_path.read_text(encoding="utf-8"))
    checker = _Checker(dataset.summary)
    for name in FILES + CHECKED_ONLY:
        dataset.records[name] = _read_yaml(data_dir / f"{name}.yaml", checker)

    def unique(name: str, key) -> set:
        seen: set = set()
        for index, record in enumerate(dataset.records[name]):
            value = key(record)
            if value in seen:
                checker.problem(f"{name}[{index}]", f"duplicate {value!r}")
            seen.add(value)
        return seen

    areas = unique("areas", lambda r: r.get("slug"))
    issues = unique("issues", lambda r: r.get("slug"))
    institutions = unique("institutions", lambda r: r.get("slug"))
    mandates = unique("mandates", lambda r: (r.get("institution"), r.get("issue")))
    unique("concerns", lambda r: r.get("key"))

    for name, _slugs in (
        ("areas", areas),
        ("issues", issues),
        ("institutions", institutions),
    ):
        for index, slug in enumerate(r.get("slug") for r in dataset.records[name]):
            if not isinstance(slug, str) or not SLUG.match(slug):
                checker.problem(f"{name}[{index}]", f"bad slug {slug!r}")

    for index, area in enumerate(dataset.records["areas"]):
        where = f"areas[{index}] {area.get('slug')}"
        checker.translated(where, area, "name", True)
        checker.translated(where, area, "definition", False)
        checker.source(where, area)

    parents: dict[str, str] = {}
    for index, issue in enumerate(dataset.records["issues"]):
        where = f"issues[{index}] {issue.get('slug')}"
        checker.translated(where, issue, "name", True)
        checker.translated(where, issue, "definition", False)
        checker.source(where, issue)
        checker.choice(where, issue.get("area"), areas, "area")
        if issue.get("broader"):
            checker.choice(where, issue["broader"], issues, "broader issue")
            parents[issue["slug"]] = issue["broader"]
        for other in issue.get("related") or []:
            checker.choice(where, other, issues, "related issue")
        synonyms = issue.get("synonyms") or {}
        if not isinstance(synonyms, dict) or set(synonyms) - set(LANGUAGE_KEYS):
            checker.problem(where, "synonyms must map language keys to lists")
    for slug in parents:
        seen, current = {slug}, parents.get(slug)
        while current:
            if current in seen:
                checker.problem(f"issues {slug}", "broader issues form a cycle")
                break
            seen.add(current)
            current = parents.get(current)

    countries = set(Country.objects.values_list("iso2", flat=True))
    for index, inst in enumerate(dataset.records["institutions"]):
        where = f"institutions[{index}] {inst.get('slug')}"
        checker.translated(where, inst, "name", True)
        checker.translated(where, inst, "description", False)
        checker.source(where, inst)
        checker.choice(where, inst.get("kind"), InstitutionKind.values, "kind")
        checker.choice(
            where,
            inst.get("stakeholder_group"),
            StakeholderGroup.values,
            "stakeholder group",
        )
        checker.choice(where, inst.get("scope"), Scope.values, "scope")
        if inst.get("headquarters"):
            checker.choice(where, inst["headquarters"], countries, "country")

    for index, mandate in enumerate(dataset.records["mandates"]):
        where = f"mandates[{index}] {mandate.get('institution')}/{mandate.get('issue')}"
        checker.choice(where, mandate.get("institution"), institutions, "institution")
        checker.choice(where, mandate.get("issue"), issues, "issue")
        roles = mandate.get("roles") or []
        if not roles:
            checker.problem(where, "needs at least one role")
        for role in roles:
            checker.choice(where, role, RoleCode.values, "role")
        checker.choice(where, mandate.get("status"), MandateStatus.values, "status")
        checker.source(where, mandate)

    for index, concern in enumerate(dataset.records["concerns"]):
        where = f"concerns[{index}] {concern.get('key')}"
        if not concern.get("key") or not SLUG.match(str(concern.get("key"))):
            checker.problem(where, "needs a key (a slug)")
        checker.choice(where, concern.get("kind"), ConcernKind.values, "kind")
        checker.translated(where, concern, "summary", True)
        checker.source(where, concern)
        if concern.get("raised_by"):
            checker.choice(
                where, concern["raised_by"], StakeholderGroup.values, "group"
            )
        target = concern.get("mandate")
        if target:
            key = (target.get("institution"), target.get("issue"))
            checker.choice(where, key, mandates, "mandate")
        if concern.get("issue"):
            checker.choice(where, concern["issue"], issues, "issue")
        if not target and not concern.get("issue"):
            checker.problem(where, "needs an issue or a mandate")

    for index, meeting in enumerate(dataset.records["meetings"]):
        where = f"meetings[{index}] {meeting.get('slug')}"
        checker.translated(where, meeting, "title", True)
        checker.source(where, meeting)
        for slug in meeting.get("organizers") or []:
            checker.choice(where, slug, institutions, "organizer")
        for slug in meeting.get("issues") or []:
            checker.choice(where, slug, issues, "issue")
        if meeting.get("country"):
            checker.choice(where, meeting["country"], countries, "country")
    for index, proposal in enumerate(dataset.records["proposals"]):
        where = f"proposals[{index}] {proposal.get('slug')}"
        checker.translated(where, proposal, "text", True)
        checker.source(where, proposal)
        for slug in proposal.get("addressed_to") or []:
            checker.choice(where, slug, institutions, "institution")
        if proposal.get("proposed_by"):
            checker.choice(where, proposal["proposed_by"], institutions, "institution")
        for slug in proposal.get("issues") or []:
            checker.choice(where, slug, issues, "issue")
    meetings = {m.get("slug") for m in dataset.records["meetings"]}
    proposals = {p.get("slug") for p in dataset.records["proposals"]}
    milestones = {m.get("slug") for m in dataset.records["milestones"]}
    for index, milestone in enumerate(dataset.records["milestones"]):
        where = f"milestones[{index}] {milestone.get('slug')}"
        if not isinstance(milestone.get("slug"), str) or not SLUG.match(
            milestone["slug"]
        ):
            checker.problem(where, "bad slug")
        checker.translated(where, milestone, "title", True)
        checker.translated(where, milestone, "description", False)
        checker.source(where, milestone)
        for key, known, name in (
            ("issues", issues, "issue"),
            ("institutions", institutions, "institution"),
            ("events", meetings, "meeting"),
            ("proposals", proposals, "proposal"),
            ("depends_on", milestones, "milestone"),
        ):
            for slug in milestone.get(key) or []:
                checker.choice(where, slug, known, name)
    unique("milestones", lambda r: r.get("slug"))
    for index, figure in enumerate(dataset.records["participation"]):
        checker.source(f"participation[{index}] {figure.get('slug')}", figure)
    unique("meetings", lambda r: r.get("slug"))
    unique("proposals", lambda r: r.get("slug"))
    unique("participation", lambda r: r.get("slug"))
    filters_dataset.forum2004_check(dataset.records, checker, issues)

    if checker.problems:
        raise DatasetError(checker.problems)
    return dataset


def _source_values(record: dict) -> dict[str, str]:
    source = record.get("source") or {}
    quote = _normalise(str(source.get("quote") or ""))
    title = str(source.get("title") or "")
    if quote and not source.get("url"):
        title = SUMMARY_TITLE
    return {
        "source_quote": quote,
        "source_url": str(source.get("url") or ""),
        "source_title": title,
    }


def _translated(record: dict, key: str, field: str) -> dict[str, str]:
    values = {k: str(v).strip() for k, v in (record.get(key) or {}).items() if v}
    return translated_values(field, values)


@transaction.atomic
def dataset_load(data_dir: Path) -> LoadReport:
    """Check the whole dataset, then create or update every record in it.

    A record that the models refuse (too long, wrong format) stops the load;
    the transaction is rolled back and the error names the record.
    """
    dataset = dataset_read(data_dir)
    report = LoadReport(reason="Forum 2004 dataset")
    where = _Where()
    try:
        _load(dataset, report, where)
    except ValidationError as error:
        messages = (
            [f"{name}: {m}" for name, ms in error.message_dict.items() for m in ms]
            if hasattr(error, "error_dict")
            else error.messages
        )
        raise DatasetError([f"{where.current}: {'; '.join(messages)}"]) from error
    return report


class _Where:
    """The record being written, for error messages."""

    current = ""


def _load(dataset: Dataset, report: LoadReport, where: _Where) -> None:
    """Write every file of the dataset, in dependency order."""
    areas = {}
    for record in dataset.records["areas"]:
        where.current = f"areas.yaml {record['slug']}"
        areas[record["slug"]] = taxonomy_services.area_upsert(
            slug=record["slug"],
            values={
                "order": int(record.get("order") or 0),
                **_translated(record, "name", "name"),
                **_translated(record, "definition", "definition"),
                **_source_values(record),
            },
            report=report,
        )
    issues: dict[str, Issue] = {}
    for record in dataset.records["issues"]:
        where.current = f"issues.yaml {record['slug']}"
        issues[record["slug"]] = taxonomy_services.issue_upsert(
            slug=record["slug"],
            values={
                "area_id": areas[record["area"]].pk,
                **_translated(record, "name", "name"),
                **_translated(record, "definition", "definition"),
                **_source_values(record),
            },
            report=report,
        )
    for record in dataset.records["issues"]:
        where.current = f"issues.yaml {record['slug']}"
        issue = issues[record["slug"]]
        broader = issues[record["broader"]] if record.get("broader") else None
        taxonomy_services.issue_upsert(
            slug=issue.slug,
            values={"broader_id": broader.pk if broader else None},
            report=LoadReport(reason=report.reason),
        )
        synonyms = {
            key.replace("_", "-"): sorted({str(s).strip() for s in labels if s})
            for key, labels in (record.get("synonyms") or {}).items()
        }
        taxonomy_services.issue_relations_set(
            issue=issue,
            related=[issues[slug] for slug in record.get("related") or []],
            synonyms=synonyms,
        )
    countries = {c.iso2: c.pk for c in Country.objects.only("iso2")}
    institutions: dict[str, Institution] = {}
    for record in dataset.records["institutions"]:
        where.current = f"institutions.yaml {record['slug']}"
        institutions[record["slug"]] = actors_services.institution_upsert(
            slug=record["slug"],
            values={
                "acronym": str(record.get("acronym") or ""),
                "kind": record["kind"],
                "stakeholder_group": record["stakeholder_group"],
                "headquarters_id": countries.get(record.get("headquarters") or ""),
                "scope": record["scope"],
                "website": str(record.get("website") or ""),
                **_translated(record, "name", "name"),
                **_translated(record, "description", "description"),
                **_source_values(record),
            },
            report=report,
        )
    mandates = {}
    for record in dataset.records["mandates"]:
        key = (record["institution"], record["issue"])
        where.current = f"mandates.yaml {key[0]}/{key[1]}"
        mandates[key] = matrix_services.mandate_upsert(
            institution=institutions[record["institution"]],
            issue=issues[record["issue"]],
            roles=list(record["roles"]),
            values={
                "status": record["status"],
                "since_year": record.get("since_year"),
                **_source_values(record),
            },
            report=report,
        )
    for record in dataset.records["concerns"]:
        where.current = f"concerns.yaml {record['key']}"
        target = record.get("mandate")
        mandate = mandates[(target["institution"], target["issue"])] if target else None
        issue = issues[record["issue"]] if record.get("issue") else None
        matrix_services.concern_upsert(
            origin_key=f"forum2004:{record['key']}",
            values={
                "kind": record["kind"],
                "issue_id": issue.pk if issue else None,
                "mandate_id": mandate.pk if mandate else None,
                "raised_by": record.get("raised_by") or "",
                **_translated(record, "summary", "summary"),
                **_source_values(record),
            },
            report=report,
        )
    context = LoadContext(
        records=dataset.records,
        report=report,
        issues=issues,
        institutions=institutions,
        countries=countries,
        where=where,
        source_values=_source_values,
        translated=_translated,
    )
    events_dataset.forum2004_load(context)
    roadmap_dataset.forum2004_load(context)
    filters_dataset.forum2004_load(context)
