"""Loading the roadmap part of the Forum 2004 dataset (called by datasets.forum2004)."""

from clearinghouse.datasets.context import LoadContext


def forum2004_load(context: LoadContext) -> None:
    """Create or update this app's records of the Forum 2004 dataset."""
