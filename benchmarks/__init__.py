"""National-scale benchmark of Kindkaart (see run.py)."""
