"""The texts the Excel template writes on its sheets: written by `template`, and passed over by the
upload check (`validate`), which looks for personal data a partner typed, not for Kindkaart's own
words (a help text that says 'geen namen' is no name)."""

from __future__ import annotations

from functools import cache

from data_sources.registrations.schemas import RegistrationType, registration_type

DATA_SHEET = "Gegevens"
META_SHEET = "Organisatie"
INSTRUCTIONS_SHEET = "Toelichting"
LISTS_SHEET = "Lijsten"
# The template's line on personal data on its sheet Toelichting, which names them.
NO_PERSONAL_DATA_LINE = ("5. Geen persoonsgegevens: geen burgerservicenummers, namen, adressen "
                         "of geboortedatums. Een bestand met persoonsgegevens wordt geweigerd.")
COLUMNS_HEADER = ("kolom", "verplicht", "uitleg", "toegestane waarden")


def instruction_lines(rtype: RegistrationType, gemeente_name: str | None) -> list[tuple[str, str | None]]:
    """The lines at the top of the sheet Toelichting, each with its style ('title', 'bold' or
    None); the table of columns (COLUMNS_HEADER, one row per column) follows them."""
    gemeente = f" voor {gemeente_name}" if gemeente_name else ""
    return [
        (f"Kindkaart — sjabloon {rtype.key}{gemeente}", "title"),
        (rtype.label, "bold"),
        (rtype.description, None),
        ("", None),
        ("Zo vult u het sjabloon in", "bold"),
        (f"1. Vul in het blad '{META_SHEET}' uw organisatie en de periode in.", None),
        (f"2. Vul in het blad '{DATA_SHEET}' één rij per wijk (of locatie) en indeling, "
         "onder de kopregel. Verander de kopregel niet.", None),
        ("3. Een plaats mag een CBS-wijkcode, een wijknaam, een buurtcode of een postcode "
         "(1234 AB of 1234) zijn.", None),
        (("4. Houdt u gegevens per kind bij? Dan mag u één rij per kind invullen en 'aantal "
          "kinderen' leeg laten; Kindkaart telt op en bewaart alleen de totalen."
          if rtype.per_child else "4. Vul elke rij volledig in; één rij per groep."), None),
        (NO_PERSONAL_DATA_LINE, None),
        ("6. Geen totaalrijen en geen samengevoegde cellen; Kindkaart telt zelf op.", None),
        ("7. Lever het bestand aan op de pagina Aanleveren. U ziet meteen wat er eventueel "
         "verbeterd moet worden; er wordt pas iets opgeslagen als alles klopt.", None),
        ("", None),
        ("Kolommen", "bold"),
    ]


def column_row(column) -> tuple[str, str, str, str]:
    """A column's row in the table of columns on Toelichting (COLUMNS_HEADER)."""
    return column.label, "ja" if column.required else "nee", column.help, ", ".join(column.choices)


@cache
def own_texts(soort: str) -> frozenset[str]:
    """Every text the template of `soort` writes on Toelichting and Lijsten whatever the gemeente:
    its lines (the title without a gemeente), the table of columns, and each column's name and
    choices as Lijsten lists them. The title with a gemeente's name and the gemeente's wijken on
    Lijsten are not in it: they are checked as a partner's text is (a wijk is a known place)."""
    rtype = registration_type(soort)
    texts = {text for text, _ in instruction_lines(rtype, None)} | set(COLUMNS_HEADER)
    for column in rtype.columns:
        texts |= {*column_row(column), *column.choices}
    return frozenset(texts - {""})
