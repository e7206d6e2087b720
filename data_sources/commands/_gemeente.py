"""The gemeente a command is about, by name or code (not a command itself)."""

from __future__ import annotations

from data_sources.errors import InputRefused
from data_sources.gemeentenamen import bundled_names, label, resolve

LOADED_SQL = """
    select l.gemeente_code, arg_max(r.region_name, r.year) as name
    from ({loaded}) as l
    left join regions as r on r.region_code = l.gemeente_code and r.region_level = 'gemeente'
    group by l.gemeente_code order by l.gemeente_code
"""


def loaded_gemeenten(con) -> dict[str, str]:
    """code -> name of every gemeente with any data in the database (names of the bundled 2024
    list where the database has none)."""
    from transforms.population import LOADED_GEMEENTEN_SQL

    names = bundled_names()
    return {code: name or names.get(code) or code
            for code, name in con.execute(LOADED_SQL.format(loaded=LOADED_GEMEENTEN_SQL)).fetchall()}


def listing(gemeenten: dict[str, str]) -> str:
    """'Voorbeeldstad (GM9999, fictief), Zwolle (GM0193)' or 'geen'."""
    return ", ".join(label(code, gemeenten) for code in gemeenten) or "geen"


def choose(con, wanted: str | None, among: dict[str, str] | None = None) -> str | None:
    """The loaded gemeente meant by `wanted` (name or code); without `wanted` the only one loaded
    (None when nothing is loaded). Never picks one of several: refuses, listing them."""
    loaded = loaded_gemeenten(con) if among is None else among
    if wanted is None or not wanted.strip():
        if len(loaded) > 1:
            raise InputRefused([f"Er zijn {len(loaded)} gemeenten geladen: {listing(loaded)}. Kies er "
                                "een met --gemeente (naam of code)."])
        return next(iter(loaded), None)
    code = resolve(wanted, {**bundled_names(), **loaded})
    if code not in loaded:
        raise InputRefused([f"Gemeente {label(code, {**bundled_names(), **loaded})} is niet geladen. "
                            f"Geladen: {listing(loaded)}."])
    return code
