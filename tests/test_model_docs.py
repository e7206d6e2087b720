"""The model's documentation stays true: every parameter and model mart is described."""

import re
from pathlib import Path

from transforms import model

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def _model_section() -> str:
    match = re.search(r"^## Het model: vraag, aanbod en tekort\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match, "README has no section 'Het model: vraag, aanbod en tekort'"
    return match.group(1)


def test_every_parameter_is_in_the_readme_with_a_source():
    section = _model_section()
    for row in model.default_parameters().itertuples(index=False):
        assert f"| `{row.name}` |" in section, f"parameter {row.name} missing from README"
        assert row.source and row.label_nl, f"parameter {row.name} has no source or label"


def test_every_model_mart_is_in_the_architecture():
    for mart in ("demand_by_wijk_niveau", "supply_by_wijk", "gap_by_wijk_niveau",
                 "signals_by_wijk", "vso_bso_by_wijk"):
        assert (ROOT / "transforms" / "sql" / "marts" / f"{mart}.sql").exists()
        assert f"| `{mart}` |" in ARCHITECTURE, f"mart {mart} missing from docs/architecture.md"
