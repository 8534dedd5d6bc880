"""Dossiers: a resident's declaration for one procedure, its photographed papers and signature."""
