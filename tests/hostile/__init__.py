"""Hostile input: property-based tests over every form, import and export (issue 11, part 2)."""
