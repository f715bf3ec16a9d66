"""Countries, regions, stakeholder groups and the pieces every app shares."""
