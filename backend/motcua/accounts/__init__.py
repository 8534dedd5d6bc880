"""Accounts: users, roles, place scope, device and web sessions, sign-in."""
