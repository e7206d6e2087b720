"""Beheer: the audit log (who did what, when; exportable), the accounts, and what partners and the LEA see."""

import streamlit as st

from data_sources import accounts, store
from ui.auth import PARTNER_INDICATORS, actor, audited, guard_page
from ui.data import cursor

account = guard_page()
st.title("Beheer")
if account.role != "beheerder":
    # app.py shows this page to the beheerder only; a direct call must not show more
    st.error("Deze pagina is alleen voor de beheerder.")
    st.stop()

st.header("Vrijgave van partnercijfers")
st.write("Cijfers die uit registraties van partners komen, zien partners en de LEA-weergave pas "
         "als de gemeente ze vrijgeeft. Analisten en de beheerder zien ze altijd.")
con = cursor()
for audience, label in accounts.AUDIENCES.items():
    current = accounts.released(con, audience)
    chosen = st.multiselect(f"Vrijgegeven voor {label}", list(PARTNER_INDICATORS),
                            default=sorted(current & set(PARTNER_INDICATORS)),
                            format_func=PARTNER_INDICATORS.get, key=f"vrijgave_{audience}")
    if set(chosen) != current & set(PARTNER_INDICATORS):
        try:
            with store.transaction(con):
                for key in PARTNER_INDICATORS:
                    if (key in chosen) != (key in current):
                        accounts.set_released(con, key, audience, key in chosen, actor())
        except Exception as error:
            # a full disk or a folder without write rights: said here, and the rest of the page
            # (accounts, log) still shows; the transaction was rolled back
            if (reason := store.write_failure_reason(error)) is None:
                raise
            st.error(store.write_refused(reason).messages[0])
        else:
            st.toast(f"Vrijgave voor {label} bijgewerkt.")

st.header("Accounts")
# st.write, not st.caption: inline code in a caption is drawn below the contrast WCAG asks
st.write("Accounts maakt u aan en schakelt u uit (en weer in) op de opdrachtregel: "
         "`python -m data_sources users add LOGIN --rol ROL [--organisatie ORG] --wachtwoord-stdin`, "
         "`users list`, `users disable LOGIN`, `users enable LOGIN`.")
st.table([{"Login": login, "Rol": role, "Organisatie": organisation or "",
           "Status": "actief" if active else "uitgeschakeld", "Inloggen": kind,
           "Aangemaakt": f"{created:%d-%m-%Y}"}
          for login, role, organisation, active, created, kind in accounts.list_accounts(con)])

st.header("Logboek")
st.write("Elke aanlevering, vervanging, terugzetting, wijziging van aannames, export, CBS-lading, "
         "vrijgave en (mislukte) inlogpoging: wie, wat en wanneer.")
log = accounts.audit_log(con)
rows = [{"Nummer": event_id, "Tijdstip": f"{happened:%d-%m-%Y %H:%M:%S}", "Wie": who,
         "Wat": action, "Details": detail} for event_id, happened, who, action, detail in log]
st.dataframe(rows, hide_index=True, width="stretch")


def _log_csv() -> bytes:
    import pandas as pd

    from outputs.exports import csv_bytes

    # csv_bytes writes text that looks like a formula (a typed login) as text
    return csv_bytes(pd.DataFrame(rows, columns=["Nummer", "Tijdstip", "Wie", "Wat", "Details"]))


st.download_button("Logboek (CSV)", data=audited("logboek (csv)", _log_csv), file_name="kindkaart-logboek.csv",
                   mime="text/csv", icon=":material/download:", on_click="ignore")
