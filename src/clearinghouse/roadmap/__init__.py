"""The road map of expected developments, and the Forum's proposals followed up."""
