"""Model state for pages: session parameters (sliders), cached results, sentences per figure."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import streamlit as st

from data_sources.config import (
    db_path,
    min_count,  # noqa: F401  (pages show the threshold)
)
from transforms import model, partner_tables
from transforms.labels import (
    CAPACITY_UNKNOWN,
    PLUS_PLACES_NOT_DELIVERED,
    REGULAR_PLACES_UNKNOWN,
    SUPPORT_HIDDEN,
    SUPPORT_NOT_DELIVERED,
    as_sentence,
    capacity_text,
    places_text,
)
from transforms.partner_tables import (
    CHILDREN_BY_ORGANISATION_SQL,
    CHILDREN_PER_PLACE_SQL,
    CONTRIBUTIONS_SQL,
    PUBLISHED_SQL,
    PUBLISHED_TABLE,
    SIGNALS_SQL,
    Patterns,
    Rows,
    as_rows,
    column_keys,
    cube_rows,
    joint_table,
    protect_gap,
    published_patterns,
)
from transforms.privacy import BELOW_ONE, estimate_range, format_number, round_estimate
from transforms.rates import base_too_small
from ui.auth import record
from ui.data import READ_ONLY_NOTE, cursor, data_version, per_run, query, read_only
from ui.data import rows as rows_of

PARAMS_KEY = "model_parameter_values"  # name -> (low, value, high); survives page switches
AGE_NOUNS = {"0-2": "kinderen van 0-2 jaar", "2-4": "peuters (2-4 jaar)",
             "4-12": "kinderen van 4-12 jaar"}
AGE_NOUNS_SHORT = {"0-2": "kinderen van 0-2 jaar", "2-4": "peuters",
                   "4-12": "kinderen van 4-12 jaar"}
PROVISION_LABELS = {
    "regulier": "reguliere opvang",
    "plusgroep": "plusgroepen",
    "kdc_mkd": "KDC/MKD en vergelijkbare behandelplekken",
}
PERSPECTIVE_SHORT = {"passend": "passend", "inclusief": "inclusief", "beide": "beide perspectieven"}
CPP_SOURCES = {"kinderopvang-bezetting": "rij 3 (kinderopvang-bezetting)",
               "groepsgrootte": "rij 10 (groepsgrootte)", "parameter": "aanname"}
SUPPLY_LABELS = {
    "dagopvang": "Dagopvang (KDV)", "bso": "Buitenschoolse opvang (BSO)",
    "gastouderopvang": "Gastouderopvang", "plusgroep": "Plusgroep", "kdc_mkd": "KDC/MKD e.d.",
}
SIGNAL_KINDS_KEY = "model_signal_kinds"
SIGNAL_KIND_LABELS = {
    "vve_taal_spraak": "vve-indicatie: taal/spraak",
    "vve_sociaal_emotioneel": "vve-indicatie: sociaal-emotioneel",
    "vve_ses": "vve-indicatie: SES (sociaaleconomisch)",
    "vve_onbekend": "vve-indicatie: criterium onbekend",
    "jeugdhulp_ambulant": "jeugdhulp: ambulant",
    "jeugdhulp_dagbehandeling": "jeugdhulp: dagbehandeling",
    "jeugdhulp_verblijf": "jeugdhulp: verblijf",
    "jeugdhulp_pleegzorg": "jeugdhulp: pleegzorg",
    "jeugdhulp_jeugdbescherming": "jeugdhulp: jeugdbescherming",
    "jeugdhulp_overig": "jeugdhulp: overig",
    "jeugdhulp_onbekend": "jeugdhulp: soort onbekend",
    "extra_ondersteuning_niveau_2": "extra ondersteuning (rij 2): niveau 2",
    "extra_ondersteuning_niveau_3": "extra ondersteuning (rij 2): niveau 3",
    "extra_ondersteuning_niveau_4": "extra ondersteuning (rij 2): niveau 4",
    "extra_ondersteuning_niveau_onbekend": "extra ondersteuning (rij 2): niveau onbekend",
    "so_ingeschreven": "leerlingen s(b)o/vso",
    "so_thuiszitter": "thuiszitters",
    "so_niet_bereik": "niet bereikt (geen onderwijs)",
    "ondersteuningstrajecten_niveau_2": "ondersteuningstrajecten (aanbod): coaching, niveau 2",
    "ondersteuningstrajecten_niveau_3": "ondersteuningstrajecten (aanbod): specialistisch, niveau 3",
    "ondersteuningstrajecten_niveau_4": "ondersteuningstrajecten (aanbod): behandeling, niveau 4",
    "ondersteuningstrajecten_niveau_overig": "ondersteuningstrajecten (aanbod): overig",
    "wachtlijst_so": "wachtlijst (v)so",
    "wachtlijst_zorg": "wachtlijst zorg/ondersteuning",
    "cbs_jeugdzorg": "CBS: jongeren met jeugdzorg (terugval)",
}
# Whom a signal counts and its rate is per 100 of, where that is not the children of its age group:
# CBS jeugdzorg (a_jz_tn) counts young people up to 23 years (signals_by_wijk uses CBS's own
# percentage p_jz_tn).
SIGNAL_POPULATION = {"cbs_jeugdzorg": ("Jongeren", "jongeren tot 23 jaar")}


def signal_population(signal_kind: str, age_group: str) -> tuple[str, str]:
    """(column header, group in words) of a signal kind: ('Kinderen', '2-4 jaar') or, for CBS
    jeugdzorg, ('Jongeren', 'jongeren tot 23 jaar')."""
    if signal_kind in SIGNAL_POPULATION:
        return SIGNAL_POPULATION[signal_kind]
    return "Kinderen", "alle leeftijden" if age_group == "alle" else f"{age_group} jaar"


SIGNAL_LABELS = {
    "vve_indicaties": "vve-indicaties", "jeugdhulp": "jeugdhulp-indicaties",
    "speciaal_onderwijs": "leerlingen (v)so/sbo", "extra_ondersteuning": "extra ondersteuning",
    "ondersteuningstrajecten": "ondersteuningstrajecten", "wachtlijst_so": "wachtlijst (v)so",
    "wachtlijst_zorg": "wachtlijst zorg/ondersteuning", "cbs_jeugdzorg": "CBS jeugdzorg",
}
PERCENT_UNITS = {"aandeel"}
SIGNAL_METHOD_NL = (
    "**Hoe de schatting met lokale signalen werkt.** Het model gaat uit van dezelfde aandelen voor "
    "elke wijk. Waar partners gegevens leverden (vve-indicaties, jeugdhulp, leerlingen in het "
    "(voortgezet) speciaal onderwijs, extra ondersteuning of ondersteuningstrajecten), kijken we "
    "per wijk hoeveel kinderen dat zijn per 100 kinderen van de leeftijdsgroep, en vergelijken dat "
    "met de hele gemeente. Heeft een wijk bijvoorbeeld 1,5 keer zoveel signalen per 100 kinderen "
    "als de gemeente, dan wordt de middenschatting voor niveau 3 en 4 met 1,5 vermenigvuldigd. "
    "De CBS-jeugdzorg per wijk (terugval) telt jongeren tot 23 jaar: daar vergelijken we het "
    "percentage van het CBS (jongeren met jeugdzorg per 100 jongeren tot 23 jaar). "
    "Bij meer soorten signalen nemen we het gemiddelde van die verhoudingen (afgerond op één "
    "decimaal). De uitkomst blijft altijd binnen de bandbreedte (laag-hoog) van het model. "
    "Signalen van minder dan {min} kinderen in een wijk tellen niet mee: te onzeker, en ze "
    "zouden kinderen herkenbaar kunnen maken. Wachtlijsten tellen niet mee in de schatting: zij "
    "laten het tekort zien, niet de vraag. Dezelfde kinderen kunnen in meer bronnen voorkomen; "
    "daarom tellen we signalen nooit bij elkaar op."
)


@functools.cache
def _shipped() -> pd.DataFrame:
    return model.default_parameters()


def _defaults() -> pd.DataFrame:
    """The shipped parameters (transforms/parameters.csv), read once per process; a copy."""
    return _shipped().copy()


def _stored() -> dict[str, tuple[float, float, float]]:
    if PARAMS_KEY not in st.session_state:
        st.session_state[PARAMS_KEY] = {
            r.name: (r.low, r.value, r.high) for r in _defaults().itertuples(index=False)
        }
    return st.session_state[PARAMS_KEY]


def session_parameters() -> pd.DataFrame:
    """The parameters of this session: the defaults with the user's slider values."""
    return _parameters_with(_stored_items()).copy()


def _stored_items() -> tuple:
    return tuple(sorted(_stored().items()))


@functools.lru_cache(maxsize=64)
def _parameters_with(stored_items: tuple) -> pd.DataFrame:
    """The defaults with these (name, (low, value, high)) values, each value kept within its
    band; niveau 1 the rest. Cached: every slide and page asks for it, a slider changes it."""
    stored = dict(stored_items)
    frame = _defaults()
    triples = [stored.get(name, (low, value, high)) for name, low, value, high
               in zip(frame["name"], frame["low"], frame["value"], frame["high"], strict=True)]
    frame["low"] = [low for low, _value, _high in triples]
    frame["value"] = [min(max(value, low), high) for low, value, high in triples]
    frame["high"] = [high for _low, _value, high in triples]
    return _with_remainder(frame)


REMAINDER = "share_niveau_1"


def _with_remainder(frame: pd.DataFrame) -> pd.DataFrame:
    # niveau 1 is the rest after niveau 2-4 (the model computes it the same way), its range
    # widened to hold it (continuum_by_wijk_niveau); shown as such
    values = frame.set_index("name")["value"]
    rest = 1 - sum(float(values[f"share_niveau_{n}"]) for n in (2, 3, 4))
    remainder = frame["name"] == REMAINDER
    frame.loc[remainder, "value"] = rest
    frame.loc[remainder, "low"] = frame.loc[remainder, "low"].clip(upper=max(rest, 0.0))
    frame.loc[remainder, "high"] = frame.loc[remainder, "high"].clip(lower=rest)
    return frame


def parameters_changed() -> bool:
    """True when the session's parameters differ from the defaults."""
    return _differs_from_defaults(_stored_items())


@functools.lru_cache(maxsize=64)
def _differs_from_defaults(stored_items: tuple) -> bool:
    defaults = _defaults().set_index("name")[["low", "value", "high"]]
    current = _parameters_with(stored_items).set_index("name")[["low", "value", "high"]]
    # the remainder is recomputed from the other shares: equal up to rounding is unchanged
    return not ((defaults - current.loc[defaults.index]).abs() < 1e-9).all().all()


def signal_kinds() -> tuple[str, ...]:
    """The signal kinds that adjust the estimate in this session (default: real support signals)."""
    return tuple(st.session_state.get(SIGNAL_KINDS_KEY, model.DEFAULT_SIGNAL_KINDS))


def signal_kind_control(present: list[str]) -> tuple[str, ...]:
    """A multiselect of the signal kinds that adjust the estimate, defaulting to the valid ones."""
    options = sorted(set(present) | set(model.DEFAULT_SIGNAL_KINDS),
                     key=lambda k: SIGNAL_KIND_LABELS.get(k, k))
    chosen = st.multiselect(
        "Signalen die de schatting bijstellen", options, default=list(signal_kinds()),
        format_func=lambda k: SIGNAL_KIND_LABELS.get(k, k), key="w_signal_kinds",
        placeholder="geen signalen gekozen",
        help="Standaard alleen signalen van een ondersteuningsbehoefte: vve taal/spraak en "
             "sociaal-emotioneel, jeugdhulp ambulant en dagbehandeling, extra ondersteuning "
             "niveau 3 en 4, en CBS-jeugdzorg waar partners niets leverden. Vve op SES, "
             "pleegzorg, jeugdbescherming en wachtlijsten zeggen weinig over ondersteuning in "
             "de opvang.",
    )
    st.session_state[SIGNAL_KINDS_KEY] = tuple(chosen)
    return tuple(chosen)


def _reset() -> None:
    record("parameter", "terug naar de standaardwaarden")
    st.session_state.pop(PARAMS_KEY, None)
    for key in list(st.session_state):
        if str(key).startswith("w_param_"):
            del st.session_state[key]


def _same(values: tuple, others: tuple) -> bool:
    return all(abs(float(a) - float(b)) < 1e-9 for a, b in zip(values, others, strict=True))


def _triple(values: tuple) -> str:
    return "/".join(f"{value:.4g}" for value in values)


def parameter_expander(expanded: bool = False) -> None:
    """The parameters with their sources, editable per session with sliders, and resettable."""
    stored = _stored()
    before = dict(stored)
    with st.expander("Aannames van het model en hun bronnen", expanded=expanded):
        st.write("Elke aanname is een parameter met een middenwaarde, een bandbreedte (laag-hoog) "
                 "en een bron. Wijzig ze hier voor deze sessie; de gedeelde tabellen blijven de "
                 "standaardwaarden gebruiken.")
        # a read-only copy: every change of an assumption goes into the audit log, which takes
        # nothing there, so the sliders show the values and cannot be moved
        locked = read_only()
        if locked:
            st.info(READ_ONLY_NOTE, icon=":material/lock:")
        st.button("Terug naar de standaardwaarden", on_click=_reset, key="w_param_reset", disabled=locked)
        for row in _defaults().itertuples(index=False):
            low, value, high = stored[row.name]
            percent = row.unit in PERCENT_UNITS
            scale = 100.0 if percent else 1.0
            unit = "%" if percent else f" {row.unit}"
            st.markdown(f"**{row.label_nl}**  \n<small>Bron: {row.source}</small>",
                        unsafe_allow_html=True)
            left, right = st.columns(2)
            small = not percent and high <= 5
            top = 100.0 if percent else (max(3.0, high * 2) if small else max(30.0, high * 2))
            step = 0.5 if percent else (0.1 if small else 1.0)
            band = left.slider(
                f"Bandbreedte ({unit.strip()})", 0.0, top, (low * scale, high * scale), step=step,
                key=f"w_param_{row.name}_band", disabled=locked,
            )
            if row.name == REMAINDER:
                # said after the sliders of niveau 2-4 below, which the rest follows (before, it
                # showed the rest of the previous run: 80,5% with niveau 3 just set to 4%)
                rest_caption = right.empty()
                stored[row.name] = (band[0] / scale, value, band[1] / scale)
                continue
            mid = right.slider(
                f"Middenwaarde ({unit.strip()})", 0.0, top, value * scale, step=step,
                key=f"w_param_{row.name}_mid", disabled=locked,
            )
            new_low, new_high = band[0] / scale, band[1] / scale
            new_mid = min(max(mid / scale, new_low), new_high)
            if not band[0] <= mid <= band[1]:
                right.caption(f"De middenwaarde ligt buiten de bandbreedte; gebruikt wordt "
                              f"{format_number(new_mid * scale, 1)}{unit}.")
            stored[row.name] = (new_low, new_mid, new_high)
        rest = 1 - sum(stored[f"share_niveau_{n}"][1] for n in (2, 3, 4))
        low, _value, high = stored[REMAINDER]
        stored[REMAINDER] = (low, rest, high)
        outside = ("" if low - 1e-9 <= rest <= high + 1e-9 else
                   " Dat ligt buiten de bandbreedte; de bandbreedte van niveau 1 loopt daarom tot "
                   "de middenwaarde.")
        try:
            model.validate_parameters(_parameters_with(tuple(sorted(stored.items()))))
        except ValueError as problem:
            # the model cannot use them (niveau 2-4 above all children, 0 children per place):
            # said, and the last assumptions it could use stay (before: a traceback)
            st.error(f"Deze aannames kan het model niet gebruiken: {problem} De vorige aannames blijven "
                     "gelden.")
            stored = before
            rest = 1 - sum(stored[f"share_niveau_{n}"][1] for n in (2, 3, 4))
            outside = ""
        rest_caption.caption(f"Middenwaarde: de rest na niveau 2-4, nu "
                             f"{format_number(rest * 100, 1)}% (niet apart in te stellen).{outside}")
        st.session_state[PARAMS_KEY] = stored
    # the sliders give back value × scale ÷ scale and the remainder is recomputed: equal up to
    # rounding is unchanged (a page view writes no audit line)
    # niveau 1's middle follows niveau 2-4 (logged there): only its band is a change of its own
    changed = [f"{name} {_triple(before[name])} -> {_triple(stored[name])}"
               for name in stored if not _same(*((stored[name][::2], before[name][::2])
                                                 if name == REMAINDER else (stored[name], before[name])))]
    if changed:
        record("parameter", "; ".join(changed))
    if parameters_changed():
        st.info("Let op: de aannames zijn in deze sessie aangepast; de getallen wijken af van de "
                "standaard. Terugzetten kan in het blok 'Aannames van het model en hun bronnen'.")


def parameter_table() -> pd.DataFrame:
    """The session parameters as a readable Dutch table (value, range, unit, source)."""
    frame = session_parameters()

    def show(value, unit):
        return (f"{format_number(value * 100, 1)}%" if unit in PERCENT_UNITS
                else format_number(value, 0 if float(value).is_integer() else 1))

    return pd.DataFrame({
        "Parameter": frame["label_nl"],
        "Laag": [show(v, u) for v, u in zip(frame["low"], frame["unit"], strict=True)],
        "Midden": [show(v, u) for v, u in zip(frame["value"], frame["unit"], strict=True)],
        "Hoog": [show(v, u) for v, u in zip(frame["high"], frame["unit"], strict=True)],
        "Eenheid": ["%" if u in PERCENT_UNITS else u for u in frame["unit"]],
        "Bron": frame["source"],
    })


@st.cache_data(show_spinner="Model doorrekenen…", max_entries=64)
def _evaluate(target: str, parameters: tuple, kinds: tuple, gemeente_code: str | None,
              version: str) -> pd.DataFrame:
    frame = pd.DataFrame(list(parameters), columns=list(model.PARAMETER_COLUMNS))
    return model.evaluate(cursor(), target, frame, gemeente_code=gemeente_code,
                          signal_kinds=kinds)


def defaults_in_use() -> bool:
    """True when this session uses the shared marts' assumptions and signal kinds (the exports')."""
    return (not parameters_changed()
            and set(signal_kinds()) == set(model.DEFAULT_SIGNAL_KINDS))


def _key() -> tuple:
    return tuple(tuple(r) for r in _parameters_with(_stored_items()).itertuples(index=False))


ORDER = {
    "demand_by_wijk_niveau": "wijk_code, year, age_group, niveau",
    "gap_by_wijk_niveau": "wijk_code, year, age_group, niveau, perspective, component",
    "groups_by_gemeente": "year, age_group",
    "niveau4_by_gemeente": "year, age_group",
}


def _model_mart(target: str, gemeente_code: str, year: int | None = None) -> pd.DataFrame:
    """`target` for the gemeente (every year, or only `year`): from the built mart while the
    session keeps the defaults (the mart is the model evaluated with them;
    tests/test_model_marts.py), else evaluated with the session's parameters."""
    if defaults_in_use():
        one_year = "" if year is None else " and year = ?"
        return query(f"select * from {target} where gemeente_code = ?{one_year}"
                     f" order by {ORDER[target]}", [gemeente_code, *([] if year is None else [year])])
    frame = _evaluate(target, _key(), signal_kinds(), gemeente_code, data_version())
    return frame if year is None else frame[frame["year"] == year].reset_index(drop=True)


def demand(gemeente_code: str, year: int | None = None) -> pd.DataFrame:
    """demand_by_wijk_niveau for the gemeente (every year, or `year`) with this session's
    parameters."""
    return _model_mart("demand_by_wijk_niveau", gemeente_code, year)


def gap(gemeente_code: str, year: int | None = None) -> pd.DataFrame:
    """gap_by_wijk_niveau (both perspectives) for the gemeente (every year, or `year`) with this
    session's parameters. Its row 7 support is not yet protected: pages show protected_gap."""
    return _model_mart("gap_by_wijk_niveau", gemeente_code, year)


def protected_gap(gemeente_code: str, year: int) -> pd.DataFrame:
    """gap() for one year as every page shows it (transforms.partner_tables.protect_gap): the
    children reached by row 7 support (and their trajecten, hours and gap) as cells of the one
    table of the signal 'ondersteuningstrajecten', and children per place hidden where the
    children behind it are."""
    return _protected_gap(gemeente_code, year, _key(), signal_kinds(), data_version())


@st.cache_data(show_spinner=False, max_entries=64)
def _protected_gap(gemeente_code: str, year: int, parameters: tuple, kinds: tuple,
                   version: str) -> pd.DataFrame:
    # the session's parameters and signal kinds and the data version are the cache key
    frame = gap(gemeente_code)
    return protect_gap(frame[frame["year"] == year], signals(gemeente_code, year),
                       contributions(gemeente_code, year), hidden_provisions(gemeente_code, year),
                       published(gemeente_code, year))


def gemeente_cells(signal_type: str, signal_kind: str, gemeente_code: str,
                   year: int) -> dict[str, tuple[float, bool]]:
    """The protected gemeente totals of a signal kind per age group
    (transforms.partner_tables.gemeente_cells)."""
    return partner_tables.gemeente_cells(signals(gemeente_code, year),
                                         contributions(gemeente_code, year), signal_type,
                                         signal_kind, published(gemeente_code, year))


def hidden_provisions(gemeente_code: str, year: int) -> set[str]:
    """Provision types whose observed children per place is hidden
    (transforms.partner_tables.hidden_provisions)."""
    return partner_tables.hidden_provisions(query(CHILDREN_PER_PLACE_SQL, [gemeente_code, year]),
                                            query(CHILDREN_BY_ORGANISATION_SQL, [gemeente_code]))


def groups(gemeente_code: str) -> pd.DataFrame:
    """groups_by_gemeente: plus-groups needed (passend), per gemeente, year and age group."""
    return _model_mart("groups_by_gemeente", gemeente_code)


def niveau4(gemeente_code: str) -> pd.DataFrame:
    """niveau4_by_gemeente: niveau 4 against KDC/MKD places, regional, per year and age group."""
    return _model_mart("niveau4_by_gemeente", gemeente_code)


def national_per_wijk(target: str, column: str, year: int, niveau: int,
                      component: str | None = None, shortages_only: bool = False) -> pd.DataFrame:
    """`column` of a model mart summed per wijk for every gemeente (the national map): wijk_code,
    wijk_name, value (as per_wijk). With the default parameters the built mart answers in one
    query; with this session's own the model is evaluated for the whole country once (cached)."""
    if defaults_in_use():
        where_component = "" if component is None else " and component = ?"
        if component in ON_LRK_PLACES:
            where_component += " and supply_year is not null"
        if component in ON_ROW_10_PLACES:
            where_component += " and supply is not null"
        summed_column = f"greatest({column}, 0)" if shortages_only else column
        return query(
            f"select wijk_code, wijk_name, sum({summed_column}) as value from {target}"
            f" where year = ? and niveau = ?{where_component} group by all order by wijk_code",
            [year, niveau, *([] if component is None else [component])],
        )
    return per_wijk(_evaluate(target, _key(), signal_kinds(), None, data_version()), column,
                    year, niveau, component, shortages_only)


# Components of the gap whose supply is the regular places of the LRK: without an export of the
# gemeente they are unknown (the map leaves the gemeente out, the pages say why).
ON_LRK_PLACES = ("reguliere_plekken", "opnamegrens")
# Components whose supply is the plus-group places of row 10 (groepsgrootte): null where no
# partner delivered it (not 0), so the map leaves those wijken out and the pages say why.
ON_ROW_10_PLACES = ("aparte_groep",)


def per_wijk(frame: pd.DataFrame, column: str, year: int, niveau: int,
             component: str | None = None, shortages_only: bool = False) -> pd.DataFrame:
    """`column` of a model frame summed per wijk over the age groups, for one year and niveau
    (and one component of the gap): wijk_code, wijk_name, value. With `shortages_only` (a gap)
    each age group counts only with its shortage, never with its room: a spare BSO place cannot
    take a baby, so room in one age group never cancels a shortage in another (the sum of the
    per-age shortages, 0 where every age group has room)."""
    rows = frame[(frame["year"] == year) & (frame["niveau"] == niveau)]
    if component is not None:
        rows = rows[rows["component"] == component]
    if component in ON_LRK_PLACES and "supply_year" in rows:
        # without an LRK export the places are unknown, not 0: no shortage of the whole demand
        rows = rows[rows["supply_year"].notna()]
    if component in ON_ROW_10_PLACES and "supply" in rows:
        # row 10 not delivered: the places and the shortage are unknown, not 0
        rows = rows[rows["supply"].notna()]
    if shortages_only:
        rows = rows.assign(**{column: rows[column].clip(lower=0)})
    out = rows.groupby(["wijk_code", "wijk_name"], as_index=False)[column].sum()
    return out.rename(columns={column: "value"})


def national_supply(year: int) -> pd.DataFrame:
    """supply() for every gemeente: each gemeente's export nearest before `year`."""
    return query(
        """
        with chosen as (
            select gemeente_code, nearest_year(year, ?) as year
            from supply_by_wijk group by gemeente_code
        )
        select s.* from supply_by_wijk as s join chosen using (gemeente_code, year)
        order by s.gemeente_code, s.wijk_code, s.provision_type
        """,
        [year],
    )


# The signal types of a national map: those named, and those of the kinds named (so_ingeschreven
# is a kind of speciaal_onderwijs); ? = year, ? = the names.
_TYPES_OF = ("signal_type in (select distinct signal_type from signals_by_wijk where year = ?"
             " and (signal_type in (select unnest(?::varchar[]))"
             " or signal_kind in (select unnest(?::varchar[]))))")


def national_signals(year: int, signal_types: tuple[str, ...]) -> pd.DataFrame:
    """signals() for every gemeente, of the signal types (or kinds) named."""
    return query(
        f"select * from signals_by_wijk where year = ? and {_TYPES_OF}"
        " order by gemeente_code, signal_type, age_group, wijk_code",
        [year, year, list(signal_types), list(signal_types)],
    )


def national_contributions(year: int, signal_types: tuple[str, ...]) -> pd.DataFrame:
    """contributions() for every gemeente, of the signal types (or kinds) named."""
    return query(CONTRIBUTIONS_SQL.format(where=f"year = ? and {_TYPES_OF}"),
                 [year, year, list(signal_types), list(signal_types)])


def supply(gemeente_code: str, year: int) -> pd.DataFrame:
    """Places per wijk and provision type (observed; the export nearest before `year`)."""
    return query(
        """
        with chosen as (
            select nearest_year(year, ?) as year
            from supply_by_wijk where gemeente_code = ?
        )
        select s.* from supply_by_wijk as s, chosen
        where s.gemeente_code = ? and s.year = chosen.year
        order by s.wijk_code, s.provision_type
        """,
        [year, gemeente_code, gemeente_code],
    )


def own_partner_places(gemeente_code: str, year: int, organisation: str) -> pd.DataFrame:
    """One organisation's own delivered places (plus-groups, KDC/MKD) per wijk and provision type,
    as supply() has them (the same year as supply() chooses): what a partner always sees of
    partner places, released or not."""
    return query(
        """
        with chosen as (
            select nearest_year(year, ?) as year
            from supply_by_wijk where gemeente_code = ?
        )
        select g.wijk_code,
               case when g.group_kind in ('plusgroep', 'bso-plus') then 'plusgroep'
                    else 'kdc_mkd' end as provision_type,
               sum(g.places)::double as places,
               count(*) as locations_count
        from stg_partner__groepsgrootte as g, chosen
        where g.gemeente_code = ? and g.organisation = ? and g.year = chosen.year
          and g.group_kind in ('plusgroep', 'bso-plus', 'kdc', 'mkd', 'djk', 'moc')
          and g.wijk_code is not null and g.places is not null
        group by all
        order by g.wijk_code, provision_type
        """,
        [year, gemeente_code, gemeente_code, organisation],
    )


def signals(gemeente_code: str, year: int) -> pd.DataFrame:
    """Observed partner signals per wijk for a year (counts not yet protected)."""
    return query(SIGNALS_SQL, [gemeente_code, year])


def contributions(gemeente_code: str, year: int) -> pd.DataFrame:
    """Each organisation's children per signal type and kind, age group and wijk (for the
    contributor rule of transforms.privacy.protect_contributions)."""
    return query(CONTRIBUTIONS_SQL.format(where="year = ? and gemeente_code = ?"),
                 [year, gemeente_code])


def published(gemeente_code: str, year: int) -> Patterns:
    """The signal tables of the gemeente and year as the build published them
    (transforms.partner_tables.read_published): every view protects a table with them, so that
    it shows the pattern the build made beside the versions before."""
    if not _has_published():
        return {}
    # once per run: a page protects a table once per kind and age group it shows
    key = f"published:{db_path()}:{data_version()}:{gemeente_code}:{year}"
    return per_run(key, lambda: published_patterns(query(PUBLISHED_SQL, [gemeente_code, year])))


def national_published(year: int, signal_types: tuple[str, ...]) -> Patterns:
    """published() of every gemeente for the year, of the signal types (or kinds) named."""
    if not _has_published():
        return {}
    return published_patterns(query(f"select * from {PUBLISHED_TABLE} where year = ? and {_TYPES_OF}",
                                    [year, year, list(signal_types), list(signal_types)]))


def _has_published() -> bool:
    # a database from before the migration that makes it (read only: not yet migrated)
    return bool(rows_of("select count(*) from duckdb_tables() where schema_name = 'main'"
                        " and table_name = ?", [PUBLISHED_TABLE])[0][0])


def published_of(whole: pd.DataFrame | Rows) -> Patterns | None:
    """published() of the gemeente and year of `whole` (rows of SIGNALS_SQL); None without them."""
    if "gemeente_code" not in whole or len(whole["wijk_code"]) == 0:
        return None
    codes, years = np.asarray(whole["gemeente_code"]), np.asarray(whole["year"])
    return published(str(codes[0]), int(years[0]))


def protected_signal(frame: pd.DataFrame, whole: pd.DataFrame | None = None,
                     contributions_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """One signal kind and age group per wijk, protected as part of the whole signal type
    (`whole`: every kind and age group of it, for this gemeente and year; default `frame`) with
    each organisation's share (`contributions_frame`, from contributions(); without it every cell
    counts as one organisation's). The rate is hidden wherever the count is, and wherever the
    population it divides by is (signals_by_wijk: population_hidden, a hidden BRP cell); the
    gemeente rate wherever the gemeente total or the gemeente's population is. `rate_hidden` and
    `gemeente_rate_hidden` say so (the rates are then NaN, as are the hidden counts, the hidden
    gemeente total and a wijk's ratio to a hidden gemeente rate); `rate_unknown` where the rate is not
    hidden but unknown (population_unknown: CBS keeps the wijk's children secret), and
    `gemeente_rate_unknown` where the gemeente has such a wijk. `rate_base_too_small` and
    `gemeente_rate_base_too_small` where the children the rate divides by are fewer than the
    minimum base (transforms.rates; not CBS jeugdzorg, CBS's own percentage): the rate is then
    hidden too (rate_hidden), and a page says 'basis te klein'."""
    whole = frame if whole is None else whole
    row_of, col_of, counts, hidden = joint_table(whole, contributions_frame, published_of(whole))
    column = col_of[column_keys(frame.iloc[:1])[0]]
    rows = [row_of[code] for code in frame["wijk_code"]]
    out = frame.reset_index(drop=True).copy()
    out["hidden"] = hidden[rows, column]
    out["children_count"] = np.where(out["hidden"], np.nan, counts[rows, column])
    population_hidden = (out["population_hidden"].fillna(False).astype(bool)
                         if "population_hidden" in out else False)
    # a rate over fewer children than the minimum base is not shown (CBS's own jeugdzorg
    # percentage excepted: CBS published it); the count stays under the count rules
    own_rate = (out["signal_type"] != "cbs_jeugdzorg").to_numpy() if "signal_type" in out else True
    out["rate_base_too_small"] = (own_rate & base_too_small(out["population_children"])
                                  if "population_children" in out else False)
    out["rate_hidden"] = out["hidden"] | population_hidden | out["rate_base_too_small"]
    # a wijk whose children CBS keeps secret: its count is shown, its rate is unknown
    out["rate_unknown"] = ~out["rate_hidden"] & (
        out["population_unknown"].fillna(False).astype(bool) if "population_unknown" in out
        else False)
    for name in ("rate_per_100", "ratio_to_gemeente"):
        if name in out:
            out.loc[out["rate_hidden"], name] = float("nan")
    out["gemeente_hidden"] = bool(hidden[-1, column])
    out["gemeente_count"] = float("nan") if out["gemeente_hidden"].iloc[0] else counts[-1, column]
    out["gemeente_rate_base_too_small"] = (
        own_rate & base_too_small(out["gemeente_population_children"])
        if "gemeente_population_children" in out else False)
    out["gemeente_rate_hidden"] = out["gemeente_hidden"] | (
        out["gemeente_population_hidden"].fillna(False).astype(bool)
        if "gemeente_population_hidden" in out else False) | out["gemeente_rate_base_too_small"]
    # A wijk whose children CBS keeps secret counts in the gemeente total but not in the children
    # it divides by: the rate would be too high (6,4 where 5,6 per 100 is true). Over the other
    # wijken alone it would be the total minus that wijk's count, which may be hidden. So the
    # gemeente rate is unknown in a gemeente with such a wijk, whatever its count.
    out["gemeente_rate_unknown"] = ~out["gemeente_rate_hidden"] & bool(
        "population_unknown" in whole and whole["population_unknown"].fillna(False).astype(bool).any())
    if "gemeente_rate_per_100" in out and "gemeente_population_children" in out:
        # from the protected total (wijk rows), never from a hidden one
        out["gemeente_rate_per_100"] = (
            float("nan") if out["gemeente_rate_hidden"].iloc[0] or out["gemeente_rate_unknown"].iloc[0]
            else 100 * counts[-1, column] / out["gemeente_population_children"])
    if "ratio_to_gemeente" in out:
        # a wijk's rate over the gemeente rate: with the wijk's rate shown it gives the gemeente
        # rate back, so it goes where that rate is hidden (or unknown)
        out.loc[out["gemeente_rate_unknown"] | out["gemeente_rate_hidden"], "ratio_to_gemeente"] = float("nan")
    return out


def protected_signal_totals(whole: pd.DataFrame, contributions_frame: pd.DataFrame | None = None,
                            kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One signal type per wijk summed over its kinds and age groups (the map): the wijk totals of
    the same protected table as protected_signal. With `kinds` only those kinds (so_ingeschreven:
    pupils, not thuiszitters): one kind is the table's margin per wijk and kind, hidden where it
    is; several are the sum of those margins, hidden where any of them is.
    Columns wijk_code, wijk_name, population_children, hidden, children_count (NaN where hidden),
    rate_per_100, rate_hidden (the count is hidden, or a population cell the rate divides by:
    any of the wijk's rows of signals_by_wijk with population_hidden; the rate is then NaN),
    rate_base_too_small (fewer children than the minimum base: the rate is hidden too),
    rate_unknown (not hidden, but CBS keeps the wijk's children secret: population_unknown)."""
    shares = (None if contributions_frame is None or contributions_frame.empty
              else as_rows(contributions_frame))
    return pd.DataFrame(signal_totals(as_rows(whole), shares, kinds, published_of(whole)))


def signal_totals(whole: Rows, shares: Rows | None, kinds: tuple[str, ...] | None,
                  published: Patterns | None = None) -> Rows:
    """protected_signal_totals on rows as arrays (transforms.partner_tables.as_rows);
    `published` as cube_rows reads it."""
    cube = cube_rows(whole, shares, published)
    row_of = cube.row_of
    codes = whole["wijk_code"].tolist()
    names = dict(zip(reversed(codes), reversed(whole["wijk_name"].tolist()), strict=True))
    population = _covered_population(whole, row_of, kinds)

    def any_per_wijk(column: str) -> np.ndarray:
        # per wijk: whether any of its rows sets the flag (a missing flag or NaN does not)
        per_wijk = np.zeros(len(row_of), dtype=bool)
        if column in whole:
            flags = np.asarray([bool(flag) if flag is not None and flag == flag else False
                                for flag in whole[column].tolist()], dtype=bool)
            np.logical_or.at(per_wijk, [row_of[code] for code in codes], flags)
        return per_wijk

    # a rate over a hidden population cell (of any age group of the signal) gives it back
    population_hidden = any_per_wijk("population_hidden")
    population_unknown = any_per_wijk("population_unknown")
    chosen = [k for k, kind in enumerate(cube.kinds) if kinds is None or kind in kinds]
    if kinds is None or len(chosen) == 1:
        # a margin of the protected table: the wijk total, or the wijk's total of one kind
        kind = -1 if kinds is None else chosen[0]
        hide, total = cube.hidden[:-1, kind, -1], cube.counts[:-1, kind, -1]
    else:
        # several kinds but not all: no margin of the table, so the sum of its wijk-by-kind
        # margins, hidden where any of them is
        hide = cube.hidden[:-1, chosen, -1].any(axis=1)
        total = cube.counts[:-1, chosen, -1].sum(axis=1)
    children = np.where(hide, np.nan, total)
    # no rate over fewer children than the minimum base (transforms.rates)
    too_small = base_too_small(population) & bool(
        "signal_type" not in whole or any(t != "cbs_jeugdzorg" for t in whole["signal_type"].tolist()))
    rate_hidden = hide | population_hidden | too_small
    return {"wijk_code": np.array(list(row_of), dtype=object),
            "wijk_name": np.array([names[code] for code in row_of], dtype=object),
            "population_children": population, "hidden": hide, "children_count": children,
            "rate_per_100": np.where(rate_hidden, np.nan, 100 * children / population),
            "rate_hidden": rate_hidden, "rate_base_too_small": too_small,
            "rate_unknown": population_unknown & ~rate_hidden}


def _covered_population(whole: Rows, row_of: dict, kinds: tuple[str, ...] | None) -> np.ndarray:
    """Per wijk (in the order of `row_of`) the children of the age groups the signal's (chosen
    kinds') rows cover: the sum over those age groups, or the 'alle' population where a row covers
    every age. NaN where one of them is unknown or hidden, so that no rate is made over part of
    the children. Every row of one wijk and age group carries the same population."""
    cells: dict[str, dict[str, float]] = {code: {} for code in row_of}
    for code, age, kind, children in zip(whole["wijk_code"].tolist(), whole["age_group"].tolist(),
                                         whole["signal_kind"].tolist(),
                                         whole["population_children"].astype(float).tolist(),
                                         strict=True):
        if kinds is None or kind in kinds:
            cells[code][age] = children
    population = np.full(len(row_of), np.nan)
    for index, code in enumerate(row_of):
        ages = cells[code]
        if ages:
            population[index] = ages["alle"] if "alle" in ages else sum(ages.values())
    return population


def estimate_text(low: float, high: float) -> str:
    """A modelled range in words: '12-20' (transforms.privacy.estimate_range)."""
    return estimate_range(low, high)


def children_per_place_text(row) -> str:
    """Children per place of a gap row, '1,23', or 'afgeschermd' where the count behind it is."""
    if getattr(row, "children_per_place_hidden", False):
        return "afgeschermd"
    return format_number(row.children_per_place, 2)


# The supply of a regular-place balance without an LRK export (gap_sentence, Tekorten's table).
LRK_PLACES_UNKNOWN = as_sentence(REGULAR_PLACES_UNKNOWN)


def gap_sentence(row) -> str:
    """One row of gap_by_wijk_niveau in a sentence a controller can check: what is modelled, over
    which noemer and perspective, the supply in its own unit, and the balance."""
    noun = AGE_NOUNS_SHORT.get(row.age_group, f"kinderen van {row.age_group} jaar")
    perspective = "" if row.perspective == "beide" else f" (perspectief {row.perspective})"
    children = estimate_text(row.demand_low, row.demand_high)
    # without an LRK export of the gemeente the regular places are unknown, not 0: the demand
    # side stands (as on Tekorten), the supply and the balance do not
    lrk_missing = row.component in ON_LRK_PLACES and pd.isna(getattr(row, "supply_year", 0))
    if row.component == "reguliere_plekken":
        sentence = (f"In {row.wijk_name} gebruiken of zoeken naar schatting {children} {noun} "
                    "reguliere opvang (niveau 1-3, zonder wie in een bestaande plusgroep zit); bij "
                    f"{children_per_place_text(row).replace('afgeschermd', 'een afgeschermd aantal')}"
                    " kinderen per plek zijn dat "
                    f"{estimate_text(row.need_low, row.need_high)} plekken (gelijktijdig). "
                    + (LRK_PLACES_UNKNOWN if lrk_missing else as_sentence(places_text(row.supply))))
        if lrk_missing:
            return sentence
    elif row.component == "opnamegrens" and lrk_missing:
        return (f"In {row.wijk_name} zijn naar schatting {children} {noun} op niveau 3, allemaal "
                f"in reguliere groepen{perspective}; {CAPACITY_UNKNOWN}.")
    elif row.component == "aparte_groep":
        sentence = (f"In {row.wijk_name} horen naar schatting {children} {noun} van niveau 3 in een "
                    f"aparte groep{perspective}: {estimate_text(row.need_low, row.need_high)} "
                    "plekken (gelijktijdig); "
                    + (f"{PLUS_PLACES_NOT_DELIVERED}."
                       if pd.isna(row.supply) else f"{places_text(row.supply)} in plusgroepen."))
    elif row.component == "opnamegrens":
        sentence = (f"In {row.wijk_name} zijn naar schatting {children} {noun} op niveau 3, allemaal "
                    f"in reguliere groepen{perspective}; {capacity_text(row.supply)}.")
    else:
        niveau = "niveau 2" if row.niveau == 2 else "niveau 3 in de reguliere groep"
        if pd.isna(row.supply):
            return (f"In {row.wijk_name} zijn naar schatting {children} {noun} op {niveau}"
                    f"{perspective}; {SUPPORT_NOT_DELIVERED}.")
        if getattr(row, "supply_hidden", False):
            return (f"In {row.wijk_name} zijn naar schatting {children} {noun} op {niveau}"
                    f"{perspective}; {SUPPORT_HIDDEN}.")
        sentence = (f"In {row.wijk_name} zijn naar schatting {children} {noun} op {niveau}"
                    f"{perspective}; partners bereikten er {format_number(row.supply)} kinderen "
                    "(rij 7, waargenomen).")
    if pd.isna(row.gap_low):
        return sentence
    if (row.component in ("reguliere_plekken", "aparte_groep", "opnamegrens")
            and round_estimate(row.demand_high) == 0 and round_estimate(row.supply) == 0):
        # nothing (or less than one child) asked and nothing there: no question of assumptions
        if children == BELOW_ONE:
            return sentence + (" Er is dus minder dan één kind op niveau 3 en ook geen ruimte om het op te "
                               "nemen: hoogstens een tekort van minder dan één kind."
                               if row.component == "opnamegrens" else
                               " Er is dus minder dan één kind dat een plek vraagt en er zijn geen plekken: "
                               "hoogstens een tekort van minder dan één plek.")
        return sentence + (" Er zijn dus geen kinderen op niveau 3 en ook geen ruimte om ze op te nemen: "
                           "geen tekort." if row.component == "opnamegrens"
                           else " Er is dus geen vraag en er zijn geen plekken: geen tekort.")
    unit = "plekken" if row.supply_unit.startswith("plekken") else "kinderen"
    if row.gap_low > 0:
        sentence += f" Tekort: {estimate_text(row.gap_low, row.gap_high)} {unit}."
    elif row.gap_high <= 0:
        sentence += " Genoeg, ook bij de hoge schatting."
    else:
        sentence += " Of er een tekort is, hangt af van de aannames (binnen de bandbreedte)."
    return sentence
