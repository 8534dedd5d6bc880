"""Campaigns with targets, and routes: which volunteers go to which villages on which day."""
