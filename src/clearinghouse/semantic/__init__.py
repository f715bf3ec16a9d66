"""Cross-lingual discovery: embeddings, semantic search, blend, issue suggestions."""
