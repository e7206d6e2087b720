"""The gemeente a command is about, by name or code (not a command itself)."""

from __future__ import annotations

from data_sources.errors import InputRefused
from data_sources.gemeentenamen import bundled_names, label, resolve

NAMES_SQL = """
    select region_code, arg_max(region_name, year) from regions
    where region_level = 'gemeente' and region_code in (select unnest(?::varchar[]))
    group by region_code
"""


def loaded_gemeenten(con) -> dict[str, str]:
    """code -> name of every gemeente with any data in the database (names of the bundled 2024
    list where the database has none). A database migrated but never built (an `init` killed
    halfway) has no marts yet: its gemeenten are those of its loads and regions."""
    from data_sources.accounts import loaded_gemeenten as loaded_codes

    codes = sorted(loaded_codes(con))
    stored = dict(con.execute(NAMES_SQL, [codes]).fetchall())
    names = bundled_names()
    return {code: stored.get(code) or names.get(code) or code for code in codes}


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
