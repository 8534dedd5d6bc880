"""The audit trail: who read or exported whose personal data, and when."""
