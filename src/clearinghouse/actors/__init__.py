"""Institutions that address Internet governance issues."""
