"""Nobody forgotten: whether each resident was reached with their dossier's news."""
