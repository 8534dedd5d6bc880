"""Attachments: photos, signatures and PDFs, uploaded once each by content hash."""
