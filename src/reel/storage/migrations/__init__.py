"""Versioned SQL schema migrations, one folder per SQL dialect."""
