"""API router of the roadmap app."""

from ninja import Router

router = Router(tags=["roadmap"])
