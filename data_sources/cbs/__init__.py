"""CBS open data: reading StatLine/OData tables and storing them in the Kindkaart store."""
