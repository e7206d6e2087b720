"""Generate docs/registraties.md from the schemas: `python -m data_sources.registrations.docs`."""

from __future__ import annotations

from pathlib import Path

from data_sources.config import PROJECT_ROOT
from data_sources.registrations.schemas import REGISTRATION_TYPES, view_columns

DOCS_PATH = PROJECT_ROOT / "docs" / "registraties.md"
_KINDS = {
    "location": "plaats", "choice": "keuze", "count": "heel getal ≥ 0", "number": "getal ≥ 0",
    "text": "tekst", "age": "leeftijd 0-12", "date": "datum",
}


def _kind(column) -> str:
    if column.maximum is not None:
        return f"getal 0 tot en met {column.maximum:g}"
    return _KINDS[column.kind]


def render() -> str:
    """The Markdown reference of every registration type, as generated from the schemas."""
    out = [
        "# Registraties: kolommen per soort",
        "",
        "<!-- Gegenereerd uit data_sources/registrations/schemas.py met "
        "`python -m data_sources.registrations.docs`; niet met de hand bewerken. -->",
        "",
        "Elke soort heeft een Excel-sjabloon (`python -m data_sources template --soort SOORT -o "
        "BESTAND.xlsx` of de pagina Aanleveren). Een plaats mag een CBS-wijkcode, een wijknaam "
        "(hoofdletters en accenten maken niet uit), een buurtcode of een postcode (PC6 of PC4) "
        "zijn. Waar 'één rij per kind' mag, laat u 'aantal kinderen' leeg; Kindkaart telt op en "
        "bewaart alleen de totalen. Zet de gegevens direct onder de kopregel, zonder rij met "
        "uitleg zoals '(aantal)' of 'kies uit de lijst'. Een datum typt u als dd-mm-jjjj. Werkt u in Google Sheets, "
        "zet dan eerst de landinstelling op Nederland (Bestand > Instellingen > Landinstelling): "
        "met Engelse (VS) instellingen wordt 1-10-2024 10 januari, en een datum die zo op twee "
        "manieren te lezen is, weigert Kindkaart.",
        "",
    ]
    for rtype in sorted(REGISTRATION_TYPES.values(), key=lambda t: t.handreiking_row):
        out += [
            f"## {rtype.key}: {rtype.label}",
            "",
            f"Rij {rtype.handreiking_row} van de tabel uit de handreiking. Levert meestal: "
            f"{rtype.supplier}. {rtype.description}",
            "",
            "Eén rij per kind toegestaan: " + ("ja" if rtype.per_child else "nee") + ".",
            "",
            "| kolom in Excel | verplicht | soort | toegestane waarden | uitleg |",
            "|---|---|---|---|---|",
        ]
        for column in rtype.columns:
            out.append(
                f"| {column.label} | {'ja' if column.required else 'nee'} | "
                f"{_kind(column)} | {', '.join(column.choices)} | {column.help} |"
            )
        out.append("")
        if rtype.target == "partner":
            columns = ", ".join(f"`{name}` {sql_type}" for name, sql_type in view_columns(rtype))
            out += [f"Staging view `{rtype.view_name}`: {columns}.", ""]
        else:
            out += ["Komt in `raw_brp__population` (year, region_code = buurt- of wijkcode, "
                    "age, children) en via `stg_brp__population` in de bevolkingscijfers.", ""]
    return "\n".join(out)


def write(path: Path = DOCS_PATH) -> Path:
    """Write the generated reference to docs/registraties.md."""
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"Geschreven: {write()}")
