"""Working time: desk hours per commune, public holidays, overrides, and deadlines counted in them."""
