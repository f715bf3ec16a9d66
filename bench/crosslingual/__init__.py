"""Cross-lingual evaluation set and its runner (`python -m bench.crosslingual`)."""
