"""Loaders that bring CBS open data and partner registrations into the Kindkaart DuckDB store."""
