"""The change log that pull reads: appended in commit order, on both databases."""
