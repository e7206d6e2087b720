"""The registration docs are generated from the schemas and kept in step with them."""

from __future__ import annotations

from pathlib import Path

from data_sources.registrations import docs
from data_sources.registrations.schemas import REGISTRATION_TYPES, view_columns

ROOT = Path(__file__).resolve().parent.parent


def test_registraties_md_is_up_to_date():
    on_disk = (ROOT / "docs" / "registraties.md").read_text(encoding="utf-8")
    assert on_disk == docs.render(), "run: python -m data_sources.registrations.docs"


def test_architecture_lists_the_exact_columns_of_every_staging_view():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for rtype in REGISTRATION_TYPES.values():
        if rtype.target != "partner":
            continue
        line = f"- `{rtype.view_name}` ({rtype.key}): " + ", ".join(
            f"{name} {sql_type}" for name, sql_type in view_columns(rtype))
        assert line in text, f"docs/architecture.md is out of date for {rtype.view_name}"


def test_readme_names_every_registration_type():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Gegevens aanleveren (partners)")[1].split("\n## ")[0]
    for key in REGISTRATION_TYPES:
        assert f"`{key}`" in section


def test_model_stand_ins_match_the_generated_views():
    # transforms.model keeps a copy of the contract for builds without this package: keep in step
    from transforms.model import PARTNER_COMMON, PARTNER_VIEWS

    for rtype in REGISTRATION_TYPES.values():
        if rtype.target != "partner":
            continue
        expected = view_columns(rtype)
        assert list(PARTNER_COMMON.items()) + list(PARTNER_VIEWS[rtype.view_name].items()) == (
            expected), rtype.view_name
