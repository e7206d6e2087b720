"""Databronnen: which datasets are loaded, from where, for which period."""

import pandas as pd
import streamlit as st

from data_sources.text import table_shown
from transforms.deliveries import delivery_status
from transforms.labels import LOAD_SOURCE_LABELS, LoadHint
from transforms.privacy import (
    ROW_COUNT_NOTE,
    empty_or_count,
    format_moment,
    format_number,
    without_child_row_counts,
)
from ui.auth import where_to_load
from ui.data import cursor, query
from ui.population import population_table, profile_mismatch
from ui.safe import plain
from ui.state import current, gemeente_name

gemeente_code, year = current()
st.title(f"Databronnen {plain(gemeente_name(gemeente_code))} {year}")
st.write("Welke gegevens Kindkaart gebruikt, waar ze vandaan komen en voor welke periode.")

st.header("Gegevens uit de handreiking")
st.caption("De tien rijen uit de tabel van de handreiking (Informatie verzamelen): wie ze "
           "aanleverde, voor welke periode en wijken, wanneer, en wat nog ontbreekt. Bij de rijen "
           "van de kinderopvang staat hoeveel locaties in de levering voorkomen naast het aantal "
           "in het LRK: een gedeeltelijke levering is niet de hele gemeente. '0 gemeld' is een "
           "wijk met alleen nullen. Een wijk zonder rijen in een levering staat bij Wijken en op "
           "de pagina's als 0 (de levering noemt er geen kinderen of plekken; ga bij de partner "
           "na of dat klopt): de rij is daarmee niet onvolledig. Een rij is compleet als een "
           "partner haar voor het jaar leverde; 'niet geleverd' is een rij die voor de gemeente "
           "en het jaar niemand leverde. Aanleveren kan op de pagina Aanleveren.")
handreiking = delivery_status(cursor(), gemeente_code, year).rename(columns={
    "rij": "Rij", "gegevens": "Gegevens", "soort": "Soort", "geleverd_door": "Geleverd door",
    "organisaties": "Organisaties", "periode": "Periode", "wijken": "Wijken", "laatst_geleverd": "Laatst geleverd",
    "ontbreekt": "Ontbreekt",
})
owed = handreiking[handreiking["Ontbreekt"] != "niets"]
st.metric("Rijen compleet", f"{len(handreiking) - len(owed)} van {len(handreiking)}")
# what is missing first: the regisseur reads this table to see which partners still owe data
handreiking["Laatst geleverd"] = handreiking["Laatst geleverd"].map(format_moment)
st.dataframe(
    handreiking[["Rij", "Gegevens", "Ontbreekt", "Geleverd door", "Organisaties", "Periode",
                 "Wijken", "Laatst geleverd", "Soort"]],
    hide_index=True, width="stretch",
)

st.header("Alle geladen gegevens")
# Two loaded CBS tables that disagree on the gemeente's children make every estimated wijk too
# high or too low: said where the loads are listed, as on Overzicht
if "cbs-schatting" in population_table(gemeente_code, year).source and (
        mismatch := profile_mismatch(gemeente_code, year, plain(gemeente_name(gemeente_code)))):
    st.warning(mismatch)

loads = query(
    """
    select source, dataset, table_id, coalesce(organisation, '') as organisation,
           coalesce(period, '') as period, coalesce(file_name, '') as file_name, row_count,
           loaded_at, retrieved_at, status, gemeente_code = 'NL01' as national
    from loads
    where gemeente_code = ? or gemeente_code is null or gemeente_code = 'NL01'
    order by loaded_at desc, load_id desc
    """,
    [gemeente_code],
)
loads = loads.assign(
    # a CBS file without a table number by its name, not by the id Kindkaart made up (odata-2024)
    table_id=[table_shown(*load) for load in zip(loads["dataset"], loads["table_id"], loads["file_name"],
                                                 strict=True)],
    # 03759ned of Nederland: the age profile of every gemeente without its own
    dataset=[f"{dataset} (Nederland)" if national else dataset
             for dataset, national in zip(loads["dataset"], loads["national"], strict=True)],
).drop(columns="national")
loads = without_child_row_counts(loads)  # a partner's rows can be its children, one by one
active = loads[loads["status"] == "active"]
st.metric("Actieve gegevenssets", len(active))
LOAD_STATUS_LABELS = {"active": "actief", "superseded": "vervangen", "removed": "verwijderd"}


def shown_loads(frame: pd.DataFrame) -> pd.DataFrame:
    """The loads with Dutch headers and labels, moments as dd-mm-jjjj uu:mm (the earlier versions
    too: they showed the table's English column names and 'superseded')."""
    return frame.assign(
        source=frame["source"].map(lambda s: LOAD_SOURCE_LABELS.get(s, s)),
        loaded_at=frame["loaded_at"].map(format_moment), retrieved_at=frame["retrieved_at"].map(format_moment),
        row_count=frame["row_count"].map(empty_or_count),
        status=frame["status"].map(lambda s: LOAD_STATUS_LABELS.get(s, s)),
    ).rename(columns={
        "source": "Bron", "dataset": "Gegevens", "table_id": "Tabel of soort",
        "organisation": "Organisatie", "period": "Periode", "file_name": "Bestand",
        "row_count": "Rijen", "loaded_at": "Geladen op", "retrieved_at": "Opgehaald op",
        "status": "Status",
    })

st.dataframe(shown_loads(active).drop(columns="Status"), hide_index=True, width="stretch")
st.caption(ROW_COUNT_NOTE)
with st.expander("Eerdere versies (vervangen)"):
    old = loads[loads["status"] != "active"]
    if old.empty:
        st.write("Geen eerdere versies.")
    else:
        st.dataframe(shown_loads(old), hide_index=True, width="stretch")

st.subheader("Controle: wijken opgeteld tegen de gemeente")
reconciliation = query(
    """
    select measure_label, kwb_column, gemeente_value, wijken_sum, difference, wijken_count,
           wijken_unknown_count, within_rounding
    from kerncijfers_reconciliation
    where gemeente_code = ? and year = ?
    order by measure_label
    """,
    [gemeente_code, year],
)
if reconciliation.empty:
    st.info(f"Voor {year} zijn geen CBS Kerncijfers wijken en buurten met wijkcijfers geladen: er "
            f"valt niets op te tellen. {where_to_load(LoadHint(f'kwb-{year}.xlsx', 'CBS-bestand inlezen'))}")
else:
    st.caption(
        "Per CBS-maat de som van de wijken naast het cijfer van de gemeente zelf (CBS Kerncijfers "
        "wijken en buurten). CBS rondt aantallen per wijk aselect af op vijftallen en houdt kleine "
        "aantallen geheim ('.'); een verschil tot 5 per wijk is afronding, een geheime wijk ontbreekt "
        "in de som. Inwoners van wie CBS wel de gemeente kent maar niet de plek waar ze verblijven, "
        "tellen alleen mee in het gemeentecijfer (toelichting van CBS bij de kerncijfers): daardoor "
        "kan de gemeente hoger zijn dan de som van haar wijken."
    )

    def verdict(row) -> str:
        if pd.isna(row["gemeente_value"]):
            return "gemeentecijfer ontbreekt"
        if row["wijken_unknown_count"]:
            count = int(row['wijken_unknown_count'])
            return f"{count} {'wijk' if count == 1 else 'wijken'} geheim"
        if row["within_rounding"]:
            return "binnen afronding"
        if row["difference"] > 0:
            share = format_number(100 * row["difference"] / row["gemeente_value"], 1)
            who = "huishoudens" if str(row["kwb_column"]).startswith("a_hh") else "inwoners"
            return (f"gemeente {format_number(row['difference'])} hoger ({share} %): {who} "
                    "zonder bekende wijk tellen alleen in de gemeente")
        return "som van de wijken hoger dan de gemeente: meer dan afronding"

    # Dutch thousands separators, as every other figure (566.221, not 566221)
    shown = reconciliation.assign(Beoordeling=reconciliation.apply(verdict, axis=1), **{
        name: reconciliation[name].map(format_number)
        for name in ("gemeente_value", "wijken_sum", "difference")})
    st.dataframe(
        shown.rename(columns={
            "measure_label": "Maat", "kwb_column": "kwb-kolom", "gemeente_value": "Gemeente",
            "wijken_sum": "Som van de wijken", "difference": "Verschil", "wijken_count": "Wijken",
            "wijken_unknown_count": "Wijken geheim",
        }).drop(columns="within_rounding"),
        hide_index=True, width="stretch",
    )
