"""Analysevragen: the handreiking's analysis questions, answered from the data where possible."""

import pandas as pd
import streamlit as st

from data_sources.analysis_notes import STATUSES, notes, save_note
from data_sources.config import min_count
from data_sources.store import transaction
from transforms import analysis
from transforms.labels import WAITING_WITHOUT_WIJK
from transforms.privacy import TOTAL_LABEL, format_number, hidden_label, hidden_rule
from ui.auth import actor, record
from ui.continuum import SIGNAL_KIND_LABELS
from ui.data import READ_ONLY_NOTE, clear_caches, cursor, read_only, written
from ui.population import secret_left_out
from ui.safe import plain
from ui.state import current_loaded, gemeente_name

gemeente_code, year = current_loaded()

name = gemeente_name(gemeente_code)
st.title(f"Analysevragen {plain(name)} {year}")
st.write(
    "De vragen uit de stap *Analyse* van de handreiking (regels 559-600). Waar Kindkaart een "
    "antwoord uit de gegevens kan geven, staat het erbij met een link naar de pagina. De andere "
    "vragen kunnen alleen mensen beantwoorden: houd per vraag een status en een notitie bij voor "
    "het LEA-overleg. Tellingen van partners zijn afgeschermd. " + hidden_rule(min_count())
)
if secret_note := secret_left_out(gemeente_code, year):
    st.info(secret_note)

PAGE_TITLES = {"pages/tekorten.py": "Tekorten", "pages/continuum.py": "Continuüm"}
SUPPORT_COLUMNS = {"support_type": "Soort ondersteuning", "youth_care_type": "Soort jeugdhulp",
                   "soort": "Onderwijssoort en cluster", "niveau": "Niveau (partner)",
                   TOTAL_LABEL: "Totaal"}


def show_table(table, caption: str, missing: str) -> None:
    # `missing`: what was not delivered, named (three bare 'Niet geleverd' under one question
    # did not say which of its tables was missing)
    if table is None:
        st.caption(missing)
        return
    shown = table.display().rename(columns=SUPPORT_COLUMNS)
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption(caption)


def answer(key: str) -> None:
    con = cursor()
    if key == "niveau_observed":
        st.markdown("Vraag en plekken per wijk, niveau en perspectief staan op Tekorten. Naast het "
                    "model: de kinderen die kinderopvangorganisaties zelf met extra ondersteuning "
                    "registreerden (rij 2), naar het niveau dat zij gaven.")
        show_table(analysis.niveau_observed(con, gemeente_code, year),
                   "Waargenomen (rij 2); alleen de organisaties die leverden, kinderen met een "
                   "wijk. Dezelfde afgeschermde cijfers als op Continuüm.",
                   "Geen kinderen met extra ondersteuning geleverd voor dit jaar (rij 2).")
    elif key == "waiting":
        frame = analysis.waiting(con, gemeente_code, year)
        if frame.empty:
            st.caption(WAITING_WITHOUT_WIJK if analysis.waiting_delivered(con, gemeente_code, year)[0]
                       else "Geen wachtlijsten geleverd voor dit jaar.")
            return
        st.dataframe(pd.DataFrame({
            "Wachtlijst": frame["list"], "Soort": frame["kind"],
            "Kinderen": [hidden_label() if hide else format_number(n)
                         for n, hide in zip(frame["children"], frame["hidden"], strict=True)],
            "Gemiddelde wachttijd (weken)": [
                "" if hide or pd.isna(w) else format_number(w, 1)
                for hide, w in zip(frame["hidden"], frame["weeks"], strict=True)],
        }), hide_index=True, width="stretch")
        st.caption("Waargenomen (rijen 6 en 9), kinderen met een wijk; kleine aantallen en hun "
                   "wachttijd afgeschermd, en "
                   "waar nodig meer, zodat niets terug te rekenen is uit het gemeentetotaal van "
                   "de wachtlijst op Tekorten.")
    elif key == "group_sizes":
        frame = analysis.group_sizes(con, gemeente_code, year)
        if frame.empty:
            st.caption("Geen groepsgroottes geleverd (rij 10), of minder dan drie groepen per soort.")
        else:
            st.dataframe(pd.DataFrame({
                "Soort groep": frame["group_kind"], "Groepen": frame["groups"],
                "Plekken per groep (gemiddeld)": [format_number(v, 1)
                                                  for v in frame["places_per_group"]],
                "Geplaatste kinderen per groep (gemiddeld)": [
                    "afgeschermd" if hide else format_number(v, 1)
                    for v, hide in zip(frame["children_per_group"], frame["children_hidden"],
                                       strict=True)],
                "Kinderen per professional bij een volle groep": [
                    format_number(v, 1) if pd.notna(v) else ""
                    for v in frame["places_per_professional"]],
            }), hide_index=True, width="stretch")
            st.caption("Waargenomen (rij 10): gemiddelden over de groepen van de organisaties die "
                       "leverden. Plekken zijn gelijktijdig en de professionals staan tegelijk op "
                       "de groep: kinderen per professional is plekken ÷ professionals (een volle "
                       "groep). Geplaatste kinderen komen deeltijds, dus meer dan de plekken. Het "
                       "model rekent met een opnamegrens per reguliere groep (perspectief "
                       "inclusief, zie Tekorten).")
    elif key == "participation":
        frame = analysis.participation(con, gemeente_code, year)
        if frame.empty:
            st.caption("Geen kinderopvang-bezetting geleverd (rij 3).")
            return
        st.dataframe(pd.DataFrame({
            "Soort opvang": frame["care_type"], "Leeftijd": frame["age_group"],
            "Organisaties": frame["organisations"],
            "Kinderen per plek": [
                "afgeschermd" if hide else format_number(v, 2) if pd.notna(v) else ""
                for v, hide in zip(frame["children_per_place"], frame["hidden"], strict=True)],
            "Deel van alle kinderen (ten minste)": [
                "afgeschermd" if hide else f"{format_number(100 * v, 0)}%" if pd.notna(v) else ""
                for v, hide in zip(frame["share_of_children"], frame["hidden"], strict=True)],
        }), hide_index=True, width="stretch")
        # which figure the model uses (pooled over ages, peuteropvang with dagopvang): one source
        # with Tekorten's column, not 'these' (1,63, 1,64 and 1,70 against the model's 1,65)
        st.caption("Waargenomen (rij 3): kinderen ÷ plekken van de organisaties die leverden. "
                   + analysis.model_children_per_place(con, gemeente_code, year)
                   + " Het deel van alle kinderen is een ondergrens zolang niet elke organisatie "
                   "leverde.")
    elif key == "support_by_age":
        support = analysis.support_by_niveau_and_age(con, gemeente_code, year)
        if support is None:
            st.caption("Geen ondersteuningstrajecten geleverd voor dit jaar (rij 7).")
        else:
            hidden = support["hidden"]

            def shown(values, label: str = hidden_label()) -> list[str]:
                return [label if hide else "" if pd.isna(v) else format_number(v)
                        for v, hide in zip(values, hidden, strict=True)]

            st.dataframe(pd.DataFrame({
                "Soort ondersteuning": [SIGNAL_KIND_LABELS.get(k, k).split(": ", 1)[-1]
                                        for k in support["signal_kind"]],
                "Leeftijd": [a if a == "alle" else f"{a} jaar" for a in support["age_group"]],
                "Kinderen": shown(support["children_count"]),
                "Trajecten": shown(support["trajectories_count"]),
                "Uren": shown(support["support_hours"], "afgeschermd"),
            }), hide_index=True, width="stretch")
            st.caption("Waargenomen (rij 7), in de gemeente: coaching van pedagogisch medewerkers "
                       "(niveau 2); ondersteuning in of naast de groep, ambulante begeleiding, "
                       "logopedie en fysiotherapie (niveau 3); behandeling (niveau 4). Dezelfde "
                       "afgeschermde cijfers als op Tekorten en de Kaart; trajecten en uren zijn "
                       "afgeschermd waar de kinderen het zijn.")
        show_table(analysis.jeugdhulp_by_type_and_age(con, gemeente_code, year),
                   "Waargenomen (rij 8): kinderen met jeugdhulp per soort en leeftijd, met een "
                   "wijk. Dezelfde afgeschermde cijfers als op Continuüm, Tekorten en de Kaart.",
                   "Geen jeugdhulp geleverd voor dit jaar (rij 8).")
        so = analysis.so_by_type_and_status(con, gemeente_code, year)
        # only the totals row, of pupils there are: no breakdown was safe (protect_beside)
        totals_only = (so is not None and len(so.values) == 1
                       and so.values[TOTAL_LABEL].iloc[0] != 0)
        show_table(so, "Waargenomen (rij 5): leerlingen per onderwijssoort en cluster, met "
                   "thuiszitters en niet-bereik apart, met een wijk. Dit zijn dezelfde leerlingen "
                   "als het signaal speciaal onderwijs op de andere pagina's: de totalen per "
                   "status zijn die van dat signaal, afgeschermd waar het signaal ze afschermt, "
                   "en de kruistabel schermt zo af dat ze samen met de signaalcijfers geen "
                   "afgeschermd aantal verraden."
                   + ("" if not totals_only else " Elke uitsplitsing naar onderwijssoort zou dat wel "
                      "doen: alleen de totalen staan er."),
                   "Geen leerlingen in (v)so en sbo geleverd voor dit jaar (rij 5).")


stored = notes(cursor(), gemeente_code)
locked = read_only()  # a read-only copy: the notes show, saving is off
if locked:
    st.info(READ_ONLY_NOTE, icon=":material/lock:")
section = None
for question in analysis.QUESTIONS:
    if question.section != section:
        section = question.section
        st.header(section)
    status = stored.get(question.key, ("open", "", ""))
    label = f"{question.text} (r. {question.line})"
    with st.expander(label, expanded=question.answer is not None):
        if question.answer is not None:
            answer(question.answer)
            if question.page:
                st.page_link(question.page, label=f"Naar {PAGE_TITLES[question.page]}",
                             icon=":material/arrow_forward:")
        with st.form(f"vraag_{question.key}"):
            chosen = st.selectbox("Status", STATUSES, index=STATUSES.index(status[0]),
                                  key=f"status_{question.key}")
            note = st.text_area("Notitie voor het LEA", value=status[1], key=f"note_{question.key}")
            if st.form_submit_button("Opslaan", disabled=locked):
                def keep(key: str = question.key, chosen: str = chosen, note: str = note,
                         before: str = status[1]) -> bool:
                    # the note with who wrote it and its audit line, or neither
                    with transaction(writer := cursor()):
                        save_note(writer, gemeente_code, key, chosen, note, updated_by=actor())
                        record("analysenotitie", f"vraag {key}: status '{chosen}'"
                               + (", notitie gewijzigd" if note.strip() != before else ""),
                               con=writer, gemeenten=[gemeente_code])
                    return True

                if written(keep):
                    clear_caches()
                    st.rerun()
        if status[2]:
            st.caption(f"Status '{plain(status[0])}', laatst bijgewerkt {plain(status[2])}.")
