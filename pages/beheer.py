"""Beheer: the audit log (who did what, when; exportable), the accounts, and what partners and the LEA see."""

import streamlit as st

from data_sources import accounts, store
from ui.auth import PARTNER_INDICATORS, actor, audited, current_account, gemeente_scope
from ui.data import cursor, read_only, written
from ui.population import nothing_loaded
from ui.safe import plain
from ui.state import current, gemeente_name

gemeente_code, _year = current()
account = current_account()
st.title("Beheer")
if account.role != "beheerder":
    # app.py shows this page to the beheerder only; a direct call must not show more
    st.error("Deze pagina is alleen voor de beheerder.")
    st.stop()

con = cursor()
# A beheerder tied to gemeenten (users set-gemeente) sees the accounts and the log of those only;
# None: a beheerder of every gemeente sees everything.
scope = gemeente_scope(account)
st.header("Vrijgave van partnercijfers")
st.write("Cijfers die uit registraties van partners komen, zien partners en de LEA-weergave pas "
         "als de gemeente ze vrijgeeft; per gemeente (kies de gemeente in de zijbalk). Analisten en "
         "de beheerder zien ze altijd.")
if gemeente_code is None:
    st.info(nothing_loaded())
else:
    st.write(f"Vrijgave voor **{plain(gemeente_name(gemeente_code))}** ({gemeente_code}):")
    for audience, label in accounts.AUDIENCES.items():
        current_release = accounts.released(con, audience, gemeente_code)
        # a key per gemeente: a choice made for one gemeente is never saved for the next one chosen
        chosen = st.multiselect(f"Vrijgegeven voor {label}", list(PARTNER_INDICATORS),
                                default=sorted(current_release & set(PARTNER_INDICATORS)),
                                format_func=PARTNER_INDICATORS.get, key=f"vrijgave_{audience}_{gemeente_code}",
                                placeholder="nog niets vrijgegeven")
        if set(chosen) != current_release & set(PARTNER_INDICATORS):
            def release(audience: str = audience, chosen: list = chosen,
                        current_release: set = current_release) -> bool:
                with store.transaction(writer := cursor()):
                    for key in PARTNER_INDICATORS:
                        if (key in chosen) != (key in current_release):
                            accounts.set_released(writer, gemeente_code, key, audience, key in chosen,
                                                  actor())
                return True

            # a full disk, a folder without write rights or another session's write of the same
            # rows: said here (ui.data.written), and the rest of the page (accounts, log) still
            # shows; the transaction was rolled back
            if written(release):
                st.toast(f"Vrijgave voor {label} in {gemeente_name(gemeente_code)} bijgewerkt.")

st.header("Accounts")
# st.write, not st.caption: inline code in a caption is drawn below the contrast WCAG asks
st.write("Accounts maakt u aan en schakelt u uit (en weer in) op de opdrachtregel: "
         "`python -m data_sources users add LOGIN --rol ROL [--organisatie ORG] [--gemeente GEMEENTE] "
         "--wachtwoord-stdin`, `users list`, `users disable LOGIN`, `users enable LOGIN`, "
         "`users set-gemeente LOGIN --gemeente GEMEENTE | --alle`.")
scopes = accounts.all_scopes(con)
if scope is not None:
    st.write(f"U ziet alleen de accounts van uw gemeenten ({plain(', '.join(sorted(scope)))}), en per "
             "account alleen die gemeenten. Accounts van andere gemeenten en accounts die alle "
             "gemeenten zien, beheert de beheerder van de server.")
shown = accounts.list_accounts(con, scope)
if shown:
    st.table([{"Login": login, "Rol": role, "Organisatie": organisation or "",
               "Gemeenten": accounts.scope_label(scopes.get(login) if scope is None
                                                 else sorted(set(scopes.get(login) or ()) & scope)),
               "Status": "actief" if active else "uitgeschakeld", "Inloggen": kind,
               "Aangemaakt": f"{created:%d-%m-%Y}"}
              for login, role, organisation, active, created, kind in shown])
else:
    st.info("Er zijn (nog) geen accounts van uw gemeenten.")

st.header("Logboek")
st.write("Elke aanlevering, vervanging, terugzetting, wijziging van aannames, export, CBS-lading, "
         "vrijgave (met de gemeente), wijziging van de gemeenten van een account en (mislukte) "
         "inlogpoging: wie, wat en wanneer.")
if scope is not None:
    st.write("U ziet de regels over uw gemeenten en de in- en uitlogregels van hun accounts.")


def _log_rows(shown_scope: set[str] | None) -> list[dict]:
    return [{"Nummer": event_id, "Tijdstip": f"{happened:%d-%m-%Y %H:%M:%S}", "Wie": who,
             "Wat": action, "Details": detail}
            for event_id, happened, who, action, detail in accounts.audit_log(cursor(), scope=shown_scope)]


if read_only():
    st.warning("Deze database is alleen te lezen, dus komt er niets bij in dit logboek. Inloggen "
               "(ook mislukt), uitloggen en downloads staan daarom in het log van de server (de "
               "foutuitvoer van het Streamlit-proces, regels 'kindkaart.logboek'); mislukte "
               "inlogpogingen telt de app zelf, met dezelfde grenzen, tot hij opnieuw start. Vrijgeven "
               "en andere wijzigingen kunnen hier niet.", icon=":material/lock:")
st.dataframe(_log_rows(scope), hide_index=True, width="stretch")


def _log_csv() -> bytes:
    import pandas as pd

    from outputs.exports import csv_bytes

    # made on click: the gemeenten of the account as they are now (users set-gemeente may have
    # narrowed them since the page was drawn)
    rows = _log_rows(accounts.gemeente_scope(cursor(), account.login))
    # csv_bytes writes text that looks like a formula (a typed login) as text
    return csv_bytes(pd.DataFrame(rows, columns=["Nummer", "Tijdstip", "Wie", "Wat", "Details"]))


st.download_button("Logboek (CSV)", data=audited("logboek (csv)", _log_csv), file_name="kindkaart-logboek.csv",
                   mime="text/csv", icon=":material/download:", on_click="ignore")
