"""What the Forum 2004 loader hands to each app's own loading step."""

from dataclasses import dataclass, field

from clearinghouse.actors.models import Institution
from clearinghouse.core.services import LoadReport
from clearinghouse.taxonomy.models import Issue


@dataclass
class LoadContext:
    """The parsed dataset and the records already written, by slug.

    `records` maps a file name without extension ("meetings", "proposals",
    "participation", …) to its list of mappings, already checked by
    datasets.forum2004.dataset_read(). `where.current` should be set to the
    record being written, so that a refused record is named in the error.
    `source_values(record)` gives the source_quote / source_url / source_title
    fields of a record; `translated(record, key, field)` gives the per-language
    field values (name_en, name_fr, …) of a translated mapping.
    """

    records: dict[str, list[dict]]
    report: LoadReport
    issues: dict[str, Issue]
    institutions: dict[str, Institution]
    countries: dict[str, int]
    where: object
    source_values: object
    translated: object
    extra: dict = field(default_factory=dict)
