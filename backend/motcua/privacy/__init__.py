"""A resident's data over its life: export, erasure, consent withdrawal and retention
(PDPL 91/2025; docs/privacy.md)."""
