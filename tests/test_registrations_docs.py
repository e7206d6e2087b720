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


def test_every_build_has_every_partner_view_with_the_schema_columns():
    # transforms.build imports the registrations package itself: a bare build has the views too.
    import transforms
    from data_sources import store

    con = store.connect(":memory:")
    transforms.build(con)
    for rtype in REGISTRATION_TYPES.values():
        if rtype.target != "partner":
            continue
        columns = [(c[0], c[1].lower()) for c in con.execute(f"describe {rtype.view_name}").fetchall()]
        assert [name for name, _ in columns] == [name for name, _ in view_columns(rtype)], rtype.view_name
