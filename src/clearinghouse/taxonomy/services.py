"""Writes to the taxonomy: areas, issues, their synonyms and relations."""

from django.db import transaction

from clearinghouse.core.services import LoadReport, upsert

from .models import Area, Issue, Synonym


@transaction.atomic
def area_upsert(*, slug: str, values: dict, report: LoadReport) -> Area:
    """Create or update an area by slug, writing only what changed."""
    return upsert(
        Area, lookup={"slug": slug}, values=values, report=report, kind="areas"
    )


@transaction.atomic
def issue_upsert(*, slug: str, values: dict, report: LoadReport) -> Issue:
    """Create or update an issue by slug, writing only what changed."""
    return upsert(
        Issue, lookup={"slug": slug}, values=values, report=report, kind="issues"
    )


@transaction.atomic
def issue_create(
    *,
    slug: str,
    area: Area,
    name: str,
    source_quote: str = "",
    source_url: str = "",
    source_title: str = "",
    definition: str = "",
    broader: Issue | None = None,
) -> Issue:
    """Create an issue; its name and definition go to the active language."""
    issue = Issue(
        slug=slug,
        area=area,
        name=name,
        definition=definition,
        broader=broader,
        source_quote=source_quote,
        source_url=source_url,
        source_title=source_title,
    )
    issue.full_clean()
    issue.save()
    return issue


@transaction.atomic
def issue_update(*, issue: Issue, **changes) -> Issue:
    """Change fields of an issue (name and definition in the active language)."""
    for name, value in changes.items():
        setattr(issue, name, value)
    issue.full_clean()
    issue.save()
    return issue


@transaction.atomic
def issue_relations_set(
    *, issue: Issue, related: list[Issue], synonyms: dict[str, list[str]]
) -> bool:
    """Make the issue's related issues and synonyms exactly these; True if changed."""
    changed = False
    if {other.pk for other in issue.related.all()} != {other.pk for other in related}:
        issue.related.set(related)
        changed = True
    wanted = {
        (language, label) for language, labels in synonyms.items() for label in labels
    }
    current = {(s.language, s.label): s for s in issue.synonyms.all()}
    for key in set(current) - wanted:
        current[key].delete()
        changed = True
    new = [
        Synonym(issue=issue, language=language, label=label)
        for language, label in sorted(wanted - set(current))
    ]
    for synonym in new:
        # The set difference above already keeps (issue, language, label) unique.
        synonym.full_clean(validate_constraints=False)
    Synonym.objects.bulk_create(new)
    return changed or bool(new)
