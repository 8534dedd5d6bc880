"""Campaigns are measured on the dashboard's known month of field work."""

from __future__ import annotations

from tests.dashboard.conftest import coordinator_page, desk_officer, field, known

__all__ = ["coordinator_page", "desk_officer", "field", "known"]
