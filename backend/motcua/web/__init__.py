"""Server-rendered pages for coordinators, desk officers and admins (cookie sessions, CSRF)."""
