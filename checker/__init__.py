"""Rules-as-config compliance checker for marketing-department records."""

__version__ = "0.1.0"
