"""Model state for pages: session parameters (sliders), perspective, denominator, cached results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from data_sources.config import min_count  # noqa: F401  (pages show the threshold)
from transforms import model
from transforms.privacy import format_number, protect_contributions, round_estimate
from ui.auth import record
from ui.data import cursor, data_version, query

PARAMS_KEY = "model_parameter_values"  # name -> (low, value, high); survives page switches
CHOICE_KEY = "model_choices"
AGE_NOUNS = {"0-2": "kinderen van 0-2 jaar", "2-4": "peuters (2-4 jaar)",
             "4-12": "kinderen van 4-12 jaar"}
AGE_NOUNS_SHORT = {"0-2": "kinderen van 0-2 jaar", "2-4": "peuters",
                   "4-12": "kinderen van 4-12 jaar"}
PROVISION_LABELS = {
    "regulier": "reguliere opvang",
    "plusgroep": "plusgroepen",
    "kdc_mkd": "KDC/MKD en vergelijkbare behandelplekken",
}
SUPPLY_LABELS = {
    "dagopvang": "Dagopvang (KDV)", "bso": "Buitenschoolse opvang (BSO)",
    "gastouderopvang": "Gastouderopvang", "plusgroep": "Plusgroep", "kdc_mkd": "KDC/MKD e.d.",
}
SIGNAL_LABELS = {
    "vve_indicaties": "vve-indicaties", "jeugdhulp": "jeugdhulp-indicaties",
    "speciaal_onderwijs": "leerlingen (v)so/sbo", "extra_ondersteuning": "extra ondersteuning",
    "ondersteuningstrajecten": "ondersteuningstrajecten", "wachtlijst_so": "wachtlijst (v)so",
    "wachtlijst_zorg": "wachtlijst zorg/ondersteuning",
}
PERCENT_UNITS = {"aandeel"}
DENOMINATOR_PHRASES = {
    "alle_kinderen": "alle kinderen van de leeftijdsgroep (CBS/BRP)",
    "in_opvang": "de kinderen in de kinderopvang (deelname per leeftijdsgroep)",
}
SIGNAL_METHOD_NL = (
    "**Hoe de schatting met lokale signalen werkt.** Het model gaat uit van dezelfde aandelen voor "
    "elke wijk. Waar partners gegevens leverden (vve-indicaties, jeugdhulp, leerlingen in het "
    "(voortgezet) speciaal onderwijs, extra ondersteuning of ondersteuningstrajecten), kijken we "
    "per wijk hoeveel kinderen dat zijn per 100 kinderen van de leeftijdsgroep, en vergelijken dat "
    "met de hele gemeente. Heeft een wijk bijvoorbeeld 1,5 keer zoveel signalen per 100 kinderen "
    "als de gemeente, dan wordt de middenschatting voor niveau 3 en 4 met 1,5 vermenigvuldigd. "
    "Bij meer soorten signalen nemen we het gemiddelde van die verhoudingen (afgerond op één "
    "decimaal). De uitkomst blijft altijd binnen de bandbreedte (laag-hoog) van het model. "
    "Signalen van minder dan {min} kinderen in een wijk tellen niet mee: te onzeker, en ze "
    "zouden kinderen herkenbaar kunnen maken. Wachtlijsten tellen niet mee in de schatting: zij "
    "laten het tekort zien, niet de vraag. Dezelfde kinderen kunnen in meer bronnen voorkomen; "
    "daarom tellen we signalen nooit bij elkaar op."
)


def _defaults() -> pd.DataFrame:
    return model.default_parameters()


def _stored() -> dict[str, tuple[float, float, float]]:
    if PARAMS_KEY not in st.session_state:
        st.session_state[PARAMS_KEY] = {
            r.name: (r.low, r.value, r.high) for r in _defaults().itertuples(index=False)
        }
    return st.session_state[PARAMS_KEY]


def session_parameters() -> pd.DataFrame:
    """The parameters of this session: the defaults with the user's slider values."""
    frame = _defaults()
    stored = _stored()
    for index, row in frame.iterrows():
        if row["name"] in stored:
            low, value, high = stored[row["name"]]
            frame.loc[index, ["low", "value", "high"]] = [low, min(max(value, low), high), high]
    return frame


def parameters_changed() -> bool:
    """True when the session's parameters differ from the defaults."""
    defaults = _defaults().set_index("name")[["low", "value", "high"]]
    current = session_parameters().set_index("name")[["low", "value", "high"]]
    return not defaults.equals(current)


def choices() -> tuple[str, str]:
    """(perspective, denominator) of this session; from the URL on first use."""
    if CHOICE_KEY not in st.session_state:
        perspective = st.query_params.get("perspectief", model.DEFAULT_PERSPECTIVE)
        denominator = st.query_params.get("noemer", model.DEFAULT_DENOMINATOR)
        st.session_state[CHOICE_KEY] = (
            perspective if perspective in model.PERSPECTIVES else model.DEFAULT_PERSPECTIVE,
            denominator if denominator in model.DENOMINATORS else model.DEFAULT_DENOMINATOR,
        )
    return st.session_state[CHOICE_KEY]


def choice_controls() -> tuple[str, str]:
    """Radios for perspective and denominator (shared by the model pages, kept in the URL)."""
    perspective, denominator = choices()
    left, right = st.columns(2)
    perspective = left.radio(
        "Perspectief", list(model.PERSPECTIVES), index=list(model.PERSPECTIVES).index(perspective),
        format_func=model.PERSPECTIVES.get, key="w_perspective",
    )
    denominator = right.radio(
        "Vraag berekend over", list(model.DENOMINATORS),
        index=list(model.DENOMINATORS).index(denominator), format_func=model.DENOMINATORS.get,
        key="w_denominator",
    )
    st.session_state[CHOICE_KEY] = (perspective, denominator)
    st.query_params["perspectief"] = perspective
    st.query_params["noemer"] = denominator
    return perspective, denominator


def _reset() -> None:
    record("parameter", "terug naar de standaardwaarden")
    st.session_state.pop(PARAMS_KEY, None)
    for key in list(st.session_state):
        if str(key).startswith("w_param_"):
            del st.session_state[key]


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
        st.button("Terug naar de standaardwaarden", on_click=_reset, key="w_param_reset")
        for row in _defaults().itertuples(index=False):
            low, value, high = stored[row.name]
            percent = row.unit in PERCENT_UNITS
            scale = 100.0 if percent else 1.0
            unit = "%" if percent else f" {row.unit}"
            st.markdown(f"**{row.label_nl}**  \n<small>Bron: {row.source}</small>",
                        unsafe_allow_html=True)
            left, right = st.columns(2)
            top = 100.0 if percent else max(30.0, high * 2)
            step = 0.5 if percent else 1.0
            band = left.slider(
                f"Bandbreedte ({unit.strip()})", 0.0, top, (low * scale, high * scale), step=step,
                key=f"w_param_{row.name}_band",
            )
            mid = right.slider(
                f"Middenwaarde ({unit.strip()})", 0.0, top, value * scale, step=step,
                key=f"w_param_{row.name}_mid",
            )
            new_low, new_high = band[0] / scale, band[1] / scale
            new_mid = min(max(mid / scale, new_low), new_high)
            if not band[0] <= mid <= band[1]:
                right.caption(f"De middenwaarde ligt buiten de bandbreedte; gebruikt wordt "
                              f"{format_number(new_mid * scale, 1)}{unit}.")
            stored[row.name] = (new_low, new_mid, new_high)
        st.session_state[PARAMS_KEY] = stored
    changed = [f"{name} {_triple(before[name])} -> {_triple(stored[name])}"
               for name in stored if stored[name] != before[name]]
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
                else format_number(value, 0))

    return pd.DataFrame({
        "Parameter": frame["label_nl"],
        "Laag": [show(v, u) for v, u in zip(frame["low"], frame["unit"], strict=True)],
        "Midden": [show(v, u) for v, u in zip(frame["value"], frame["unit"], strict=True)],
        "Hoog": [show(v, u) for v, u in zip(frame["high"], frame["unit"], strict=True)],
        "Bron": frame["source"],
    })


@st.cache_data(show_spinner="Model doorrekenen…", max_entries=64)
def _evaluate(target: str, parameters: tuple, perspective: str, denominator: str,
              gemeente_code: str | None, version: str) -> pd.DataFrame:
    frame = pd.DataFrame(list(parameters), columns=list(model.PARAMETER_COLUMNS))
    return model.evaluate(cursor(), target, frame, perspective, denominator,
                          gemeente_code=gemeente_code)


def _key() -> tuple:
    return tuple(tuple(r) for r in session_parameters().itertuples(index=False))


def _model_mart(target: str, gemeente_code: str) -> pd.DataFrame:
    """`target` for the gemeente: from the built mart while the session keeps the defaults (the
    mart is the model evaluated with them; tests/test_model_marts.py), else evaluated with the
    session's parameters and choices."""
    perspective, denominator = choices()
    if _defaults_in_use(perspective, denominator):
        return query(f"select * from {target} where gemeente_code = ?"
                     " order by wijk_code, year, age_group, niveau", [gemeente_code])
    return _evaluate(target, _key(), perspective, denominator, gemeente_code, data_version())


def _defaults_in_use(perspective: str, denominator: str) -> bool:
    return ((perspective, denominator) == (model.DEFAULT_PERSPECTIVE, model.DEFAULT_DENOMINATOR)
            and not parameters_changed())


def demand(gemeente_code: str) -> pd.DataFrame:
    """demand_by_wijk_niveau for the gemeente with this session's parameters and choices."""
    return _model_mart("demand_by_wijk_niveau", gemeente_code)


def gap(gemeente_code: str) -> pd.DataFrame:
    """gap_by_wijk_niveau for the gemeente with this session's parameters and choices."""
    return _model_mart("gap_by_wijk_niveau", gemeente_code)


def national_per_wijk(target: str, column: str, year: int, niveau: int) -> pd.DataFrame:
    """`column` of a model mart summed per wijk for every gemeente (the national map): wijk_code,
    wijk_name, value. With the default parameters and choices the built mart answers in one
    query; with this session's own the model is evaluated for the whole country once (cached for
    every year and niveau)."""
    perspective, denominator = choices()
    if _defaults_in_use(perspective, denominator):
        return query(
            f"select wijk_code, wijk_name, sum({column}) as value from {target}"
            " where year = ? and niveau = ? group by all order by wijk_code",
            [year, niveau],
        )
    return per_wijk(_evaluate(target, _key(), perspective, denominator, None, data_version()),
                    column, year, niveau)


def per_wijk(frame: pd.DataFrame, column: str, year: int, niveau: int) -> pd.DataFrame:
    """`column` of a model frame summed per wijk over the age groups, for one year and niveau:
    wijk_code, wijk_name, value."""
    rows = frame[(frame["year"] == year) & (frame["niveau"] == niveau)]
    out = rows.groupby(["wijk_code", "wijk_name"], as_index=False)[column].sum()
    return out.rename(columns={column: "value"})


def national_supply(year: int) -> pd.DataFrame:
    """supply() for every gemeente: each gemeente's export nearest before `year`."""
    return query(
        """
        with chosen as (
            select gemeente_code, coalesce(max(year) filter (where year <= ?), min(year)) as year
            from supply_by_wijk group by gemeente_code
        )
        select s.* from supply_by_wijk as s join chosen using (gemeente_code, year)
        order by s.gemeente_code, s.wijk_code, s.provision_type
        """,
        [year],
    )


def national_signals(year: int) -> pd.DataFrame:
    """signals() for every gemeente."""
    return query(
        "select * from signals_by_wijk where year = ? order by gemeente_code, signal_type,"
        " age_group, wijk_code",
        [year],
    )


def supply(gemeente_code: str, year: int) -> pd.DataFrame:
    """Places per wijk and provision type (observed; the export nearest before `year`)."""
    return query(
        """
        with chosen as (
            select coalesce(max(year) filter (where year <= ?), min(year)) as year
            from supply_by_wijk where gemeente_code = ?
        )
        select s.* from supply_by_wijk as s, chosen
        where s.gemeente_code = ? and s.year = chosen.year
        order by s.wijk_code, s.provision_type
        """,
        [year, gemeente_code, gemeente_code],
    )


def signals(gemeente_code: str, year: int) -> pd.DataFrame:
    """Observed partner signals per wijk for a year (counts not yet protected)."""
    return query(
        "select * from signals_by_wijk where gemeente_code = ? and year = ?"
        " order by signal_type, age_group, wijk_code",
        [gemeente_code, year],
    )


def contributions(gemeente_code: str | None, year: int) -> pd.DataFrame:
    """Each organisation's children per signal type, age group and wijk (for the contributor rule
    of transforms.privacy.protect_contributions); every gemeente when gemeente_code is None."""
    where = "year = ?" + ("" if gemeente_code is None else " and gemeente_code = ?")
    return query(
        "select gemeente_code, signal_type, age_group, wijk_code, organisation,"
        " sum(children_count) as children_count from int_signals__partner_counts"
        f" where {where} and wijk_code is not null group by all",
        [year] if gemeente_code is None else [year, gemeente_code],
    )


def _joint_table(whole: pd.DataFrame, contributions_frame: pd.DataFrame | None):
    """One signal type of one gemeente and year as ONE protected table: wijken x age groups with
    the wijk totals (the map), the gemeente per age group and the grand total. Every view of
    these counts takes its figures from here, so no view's margin gives away another's cell."""
    wijken = list(dict.fromkeys(whole["wijk_code"]))
    ages = sorted(whole["age_group"].unique()) if "age_group" in whole else [None]
    row_of = {code: i for i, code in enumerate(wijken)}
    col_of = {age: j for j, age in enumerate(ages)}
    if contributions_frame is None or contributions_frame.empty:
        parts = np.zeros((1, len(wijken), len(ages)))
        for row in whole.itertuples(index=False):
            parts[0, row_of[row.wijk_code], col_of[getattr(row, "age_group", None)]] += row.children_count
    else:
        mine = contributions_frame
        if "signal_type" in whole:
            mine = mine[mine["signal_type"] == whole["signal_type"].iloc[0]]
        mine = mine[mine["wijk_code"].isin(row_of) & mine["age_group"].isin(col_of)]
        organisations = {name: k for k, name in enumerate(dict.fromkeys(mine["organisation"]))}
        parts = np.zeros((max(len(organisations), 1), len(wijken), len(ages)))
        for row in mine.itertuples(index=False):
            parts[organisations[row.organisation], row_of[row.wijk_code], col_of[row.age_group]] += \
                row.children_count
    counts, hidden = protect_contributions(parts)
    return row_of, col_of, counts, hidden


def protected_signal(frame: pd.DataFrame, whole: pd.DataFrame | None = None,
                     contributions_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """One signal type and age group per wijk, protected as part of the whole signal type
    (`whole`: every age group of it, for this gemeente and year; default `frame`) with each
    organisation's share (`contributions_frame`, from contributions(); without it every cell
    counts as one organisation's). The rate is hidden wherever the count is, and the gemeente
    rate wherever the gemeente total is."""
    whole = frame if whole is None else whole
    row_of, col_of, counts, hidden = _joint_table(whole, contributions_frame)
    column = col_of[frame["age_group"].iloc[0] if "age_group" in frame else None]
    rows = [row_of[code] for code in frame["wijk_code"]]
    out = frame.reset_index(drop=True).copy()
    out["hidden"] = hidden[rows, column]
    out["children_count"] = np.where(out["hidden"], np.nan, counts[rows, column])
    for name in ("rate_per_100", "ratio_to_gemeente"):
        if name in out:
            out.loc[out["hidden"], name] = float("nan")
    out["gemeente_count"] = counts[-1, column]
    out["gemeente_hidden"] = bool(hidden[-1, column])
    if "gemeente_rate_per_100" in out and "gemeente_population_children" in out:
        # from the protected total (wijk rows), never from a hidden one
        out["gemeente_rate_per_100"] = (float("nan") if out["gemeente_hidden"].iloc[0] else
                                        100 * counts[-1, column] / out["gemeente_population_children"])
    return out


def protected_signal_totals(whole: pd.DataFrame,
                            contributions_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """One signal type per wijk summed over its age groups (the map): the wijk totals of the same
    protected table as protected_signal. Columns wijk_code, wijk_name, children_count (NaN where
    hidden), population_children, rate_per_100, hidden."""
    row_of, _, counts, hidden = _joint_table(whole, contributions_frame)
    per_wijk = whole.groupby(["wijk_code", "wijk_name"], as_index=False, sort=False).agg(
        population_children=("population_children", "max"))
    rows = [row_of[code] for code in per_wijk["wijk_code"]]
    per_wijk["hidden"] = hidden[rows, -1]
    per_wijk["children_count"] = np.where(per_wijk["hidden"], np.nan, counts[rows, -1])
    per_wijk["rate_per_100"] = 100 * per_wijk["children_count"] / per_wijk["population_children"]
    return per_wijk


def estimate_text(low: float, high: float) -> str:
    """A modelled range in words: '12-20' (rounded; one number when both round the same)."""
    lo, hi = round_estimate(low), round_estimate(high)
    if lo == hi:
        return format_number(lo)
    if lo < 0:  # '-9 tot -3' reads better than '-9--3'
        return f"{format_number(lo)} tot {format_number(hi)}"
    return f"{format_number(lo)}-{format_number(hi)}"


def gap_sentence(row) -> str:
    """The handreiking's question answered for one wijk, niveau and age group, in a sentence."""
    noun = AGE_NOUNS_SHORT.get(row.age_group, f"kinderen van {row.age_group} jaar")
    places = round_estimate(row.places)
    provision = PROVISION_LABELS.get(row.provision_type, row.provision_type)
    if row.provision_type == "regulier":
        where = f"{format_number(places)} plekken in de {provision} (naar rato gedeeld met de " \
                "andere niveaus die daar opgevangen worden)"
    else:
        where = f"{format_number(places)} plekken in {provision}"
    sentence = (f"In {row.wijk_name} zijn naar schatting {estimate_text(row.demand_low, row.demand_high)} "
                f"{noun} op niveau {row.niveau}; er zijn {where}.")
    if row.demand_low > row.places:
        sentence += f" Tekort: {estimate_text(row.gap_low, row.gap_high)} plekken."
    elif row.demand_high <= row.places:
        sentence += " Er zijn genoeg plekken, ook bij de hoge schatting."
    else:
        sentence += " Of er een tekort is, hangt af van de aannames (binnen de bandbreedte)."
    return sentence
