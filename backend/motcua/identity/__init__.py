"""Checks of what identifies a person: ID numbers, phones, names (the PWA applies the same rules)."""
