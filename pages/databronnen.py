"""Databronnen: which datasets are loaded, from where, for which period."""

import pandas as pd
import streamlit as st

from transforms.deliveries import delivery_status
from ui.data import cursor, query
from ui.state import current

gemeente_code, year = current()
st.title("Databronnen")
st.write("Welke gegevens Kindkaart gebruikt, waar ze vandaan komen en voor welke periode.")

st.subheader("Gegevens uit de handreiking")
st.caption("De tien rijen uit de tabel van de handreiking (Informatie verzamelen): wie ze "
           "aanleverde, voor welke periode en wijken, wanneer, en wat nog ontbreekt. Bij de rijen "
           "van de kinderopvang staat hoeveel locaties in de levering voorkomen naast het aantal "
           "in het LRK: een gedeeltelijke levering is niet de hele gemeente. '0 gemeld' is een "
           "wijk met alleen nullen; een wijk zonder rijen is niet geleverd. "
           "Aanleveren kan op de pagina Aanleveren.")
handreiking = delivery_status(cursor(), gemeente_code, year).rename(columns={
    "rij": "Rij", "gegevens": "Gegevens", "soort": "Soort", "geleverd_door": "Geleverd door",
    "organisaties": "Organisaties", "periode": "Periode", "wijken": "Wijken", "laatst_geleverd": "Laatst geleverd",
    "ontbreekt": "Ontbreekt",
})
owed = handreiking[handreiking["Ontbreekt"] != "niets"]
st.metric("Rijen compleet", f"{len(handreiking) - len(owed)} van {len(handreiking)}")
# what is missing first: the regisseur reads this table to see which partners still owe data
handreiking["Laatst geleverd"] = handreiking["Laatst geleverd"].map(
    lambda moment: "" if moment is None or pd.isna(moment) else f"{moment:%d-%m-%Y %H:%M}")
st.dataframe(
    handreiking[["Rij", "Gegevens", "Ontbreekt", "Geleverd door", "Organisaties", "Periode",
                 "Wijken", "Laatst geleverd", "Soort"]],
    hide_index=True, width="stretch",
)

st.subheader("Alle geladen gegevens")

SOURCE_LABELS = {"cbs": "CBS", "pdok": "PDOK", "sample": "Voorbeeldgegevens", "brp": "BRP",
                 "partner": "Partner", "lrk": "LRK"}
loads = query(
    """
    select source, dataset, table_id, coalesce(organisation, '') as organisation,
           coalesce(period, '') as period, coalesce(file_name, '') as file_name, row_count,
           loaded_at, retrieved_at, status
    from loads
    where gemeente_code = ? or gemeente_code is null
    order by loaded_at desc, load_id desc
    """,
    [gemeente_code],
)
active = loads[loads["status"] == "active"]
st.metric("Actieve gegevenssets", len(active))
shown = active.assign(source=active["source"].map(lambda s: SOURCE_LABELS.get(s, s))).rename(
    columns={
        "source": "Bron", "dataset": "Gegevens", "table_id": "Tabel of soort",
        "organisation": "Organisatie", "period": "Periode", "file_name": "Bestand",
        "row_count": "Rijen", "loaded_at": "Geladen op", "retrieved_at": "Opgehaald op",
    }
).drop(columns="status")
st.dataframe(shown, hide_index=True, width="stretch")
with st.expander("Eerdere versies (vervangen)"):
    old = loads[loads["status"] != "active"]
    if old.empty:
        st.write("Geen eerdere versies.")
    else:
        st.dataframe(old, hide_index=True, width="stretch")
