"""Internet Governance Clearinghouse."""
