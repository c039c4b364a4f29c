"""Clinic day: attendance meetings with families, offline, with sealed sync."""

__version__ = "0.1.0"
