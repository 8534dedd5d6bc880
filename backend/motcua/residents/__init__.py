"""Residents, their consents and their digital-citizen checklist, as written on volunteers' phones."""
