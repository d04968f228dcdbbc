"""Casebook: an offline, encrypted safeguarding casebook for a school's DSL."""

__version__ = "0.1.0"
