"""The model's documentation stays true: every parameter and model mart is described."""

import re
from pathlib import Path

from conftest import documented_mart_grains

import transforms
from transforms import model

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


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
    marts = {m.name for m in transforms.all_models() if m.layer == "marts"}
    assert "population_by_wijk_age" in marts
    assert marts == set(documented_mart_grains()), \
        "docs/architecture.md's mart table differs from the marts in transforms/sql/marts"
