"""motcua: the mobile one-stop desk."""

__version__ = "0.1.0"
