"""Areas and issues of Internet governance, as SKOS concepts in six languages."""
