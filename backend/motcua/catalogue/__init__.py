"""The procedure catalogue: versioned procedure documents, their validation, guides and posters."""
