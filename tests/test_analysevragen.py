"""The Analysevragen page: every question of the handreiking, data answers, stored notes."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb
import pandas as pd
from conftest import run_page, run_page_as_analist

from data_sources import jobs, store
from transforms import analysis

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402


def test_every_question_of_the_handreiking_is_listed_once():
    assert len(analysis.QUESTIONS) == 21
    assert len({q.key for q in analysis.QUESTIONS}) == 21
    assert [q.line for q in analysis.QUESTIONS][:2] == [561, 562]
    assert {q.section for q in analysis.QUESTIONS} == {
        "Algemeen", "Ouders en kinderen", "De kinderopvang", "De inzet van ondersteuning",
        "Financiën"}


def test_support_per_niveau_and_age_is_the_protected_gemeente_cell(app_db):
    con = store.connect(app_db)
    try:
        # the sample: one zorgaanbieder, toddlers only
        assert analysis.support_by_niveau_and_age(con, "GM9999", 2024).to_records(
            index=False).tolist() == [
            ("ondersteuningstrajecten_niveau_2", "2-4", 31.0, 39.0, 921.9, False),
            ("ondersteuningstrajecten_niveau_3", "2-4", 90.0, 121.0, 2619.4, False)]
        # a second organisation coaches 2 toddlers: 33 in all, but without the largest
        # organisation's 31 only 2 remain, so the gemeente cell, its trajecten and hours are hidden
        jobs.import_registration(
            con, filled_template("ondersteuningstrajecten",
                                 [["WK999904", None, "coaching pm'ers", "2-4", 2, 2, 12.5]]),
            "ondersteuningstrajecten", "Coachbureau Klein", "2024", "klein.xlsx")
        got = analysis.support_by_niveau_and_age(con, "GM9999", 2024)
    finally:
        con.close()
    assert got.fillna(-1).to_records(index=False).tolist() == [
        ("ondersteuningstrajecten_niveau_2", "2-4", -1.0, -1.0, -1.0, True),
        ("ondersteuningstrajecten_niveau_3", "2-4", 90.0, 121.0, 2619.4, False)]


def test_page_answers_from_the_data_and_keeps_a_note(app_db):
    at = run_page("analysevragen")
    assert not at.exception, at.exception
    assert [s.value for s in at.header] == [
        "Algemeen", "Ouders en kinderen", "De kinderopvang", "De inzet van ondersteuning",
        "Financiën"]
    tables = [d.value for d in at.dataframe]
    support = next(t for t in tables if "Soort ondersteuning" in t.columns)
    assert support.to_dict("records") == [
        {"Soort ondersteuning": "coaching, niveau 2", "Leeftijd": "2-4 jaar", "Kinderen": "31",
         "Trajecten": "39", "Uren": "922"},
        {"Soort ondersteuning": "specialistisch, niveau 3", "Leeftijd": "2-4 jaar",
         "Kinderen": "90", "Trajecten": "121", "Uren": "2.619"}]
    so = next(t for t in tables if "Onderwijssoort en cluster" in t.columns)
    assert {"ingeschreven", "thuiszitter"} <= set(so.columns)
    assert "sbo" in set(so["Onderwijssoort en cluster"])  # no cluster for sbo
    at.selectbox(key="status_financiering").set_value("in bespreking")
    at.text_area(key="note_financiering").input("IKK-budget, bespreken in juni")
    form_buttons = [b for b in at.button if b.proto.form_id == "vraag_financiering"]
    form_buttons[0].click().run()
    assert not at.exception, at.exception
    con = duckdb.connect(str(app_db))  # the app's own connection config
    stored = con.execute("select status, note from analysis_notes where question_key ="
                         " 'financiering'").fetchall()
    con.close()
    assert stored == [("in bespreking", "IKK-budget, bespreken in juni")]
    assert pd.Series([c.value for c in at.caption]).str.contains("Status 'in bespreking'").any()


def test_group_sizes_compare_professionals_with_places_not_with_placed_children(sample_con):
    # the sample's row 10: 54 regular groups, 864 places, 1.506 placed children, 126 professionals
    # on the groups at the same time; kdc, mkd and plusgroep have fewer than three groups each
    frame = analysis.group_sizes(sample_con, "GM9999", 2024)
    assert frame[["group_kind", "groups", "places_per_group", "children_per_group",
                  "places_per_professional", "children_hidden"]].round(2).to_records(
        index=False).tolist() == [("regulier", 54, 16.0, 27.89, 6.86, False)]


def test_waiting_lists_delivered_without_a_known_wijk_are_not_called_undelivered(app_db):
    # the sample's waiting lists (rows 6 and 9), as if every row named a wijk the gemeente no
    # longer has (CBS redrew its wijken): delivered, but none counts in a table per wijk
    con = store.connect(app_db)
    try:
        con.execute("""update raw_partner__registration_rows set wijk_code = 'WK999999'
                       where load_id in (select load_id from loads
                                         where dataset in ('wachtlijst-so', 'wachtlijst-zorg'))""")
        from transforms import build
        build(con)
        assert analysis.waiting(con, "GM9999", 2024).empty
        assert analysis.waiting_delivered(con, "GM9999", 2024) == (True, True)
        assert analysis.waiting_delivered(con, "GM9999", 2023) == (False, False)
    finally:
        con.close()
    at = run_page("analysevragen")
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "wel wachtlijsten geleverd, maar geen rij noemt een wijk" in captions
    assert "Geen wachtlijsten geleverd" not in captions
    # Tekorten counts the lists per wijk of the gemeente (zeros now) and says what it left out
    at = run_page("tekorten")
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert ("Een deel van de geleverde rijen van een wachtlijst noemt geen wijk die deze gemeente in "
            "dit jaar heeft" in captions)


def test_tekorten_says_that_waiting_list_rows_name_no_known_wijk_but_not_how_many(app_db):
    # The (v)so waiting list of the sample has a row per child (9 rows, 9 children; its gemeente
    # total is hidden on Tekorten). Two of them name a wijk the gemeente no longer has (CBS
    # redrew its wijken): they count in no table. Tekorten said "2 geleverde rij(en) van een
    # wachtlijst noemen geen wijk ...": with a row per child a count of 2 children, unprotected
    # (README Privacy: the number of rows of a delivery is not shown for that reason). It says
    # that some rows are left out, and where to look, without their number.
    con = store.connect(app_db)
    try:
        rows = con.execute("""select load_id, row_number from raw_partner__registration_rows
                              where load_id in (select load_id from loads where status = 'active'
                                                and dataset = 'wachtlijst-so')
                              order by load_id, row_number""").fetchall()
        assert len(rows) == 9
        for load_id, number in rows[:2]:
            con.execute("update raw_partner__registration_rows set wijk_code = 'WK999999'"
                        " where load_id = ? and row_number = ?", [load_id, number])
        from transforms import build
        build(con)
        assert analysis.waiting_delivered(con, "GM9999", 2024) == (True, True)
    finally:
        con.close()
    at = run_page("tekorten")
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert ("Een deel van de geleverde rijen van een wachtlijst noemt geen wijk die deze gemeente in "
            "dit jaar heeft en telt hier niet mee (zie Databronnen)" in captions), captions
    assert not re.search(r"\d+ geleverde rij", captions), captions


def _save_note(at, key: str, status: str, note: str):
    at.selectbox(key=f"status_{key}").set_value(status)
    at.text_area(key=f"note_{key}").input(note)
    next(b for b in at.button if b.proto.form_id == f"vraag_{key}").click().run()
    assert not at.exception, at.exception
    return at


def _notes_and_log(db) -> tuple[list[tuple], list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return (con.execute("select question_key, status, note, updated_by from analysis_notes").fetchall(),
                con.execute("select actor, action, detail, gemeenten from audit_log"
                            " where action = 'analysenotitie' order by event_id").fetchall())
    finally:
        con.close()


def test_a_note_names_who_changed_it_and_is_in_the_audit_log(app_db):
    at = _save_note(run_page_as_analist("analysevragen"), "financiering", "in bespreking",
                    "IKK-budget, bespreken in juni")
    notes, log = _notes_and_log(app_db)
    assert notes == [("financiering", "in bespreking", "IKK-budget, bespreken in juni", "analist")]
    assert log == [("analist", "analysenotitie", "vraag financiering: status 'in bespreking', "
                    "notitie gewijzigd", ["GM9999"])]
    captions = " ".join(c.value for c in at.caption)
    assert "Status 'in bespreking', laatst bijgewerkt" in captions and " door analist." in captions
    # only the status changes: the line says so, without 'notitie gewijzigd'
    _save_note(at, "financiering", "beantwoord", "IKK-budget, bespreken in juni")
    assert _notes_and_log(app_db)[1][-1][2] == "vraag financiering: status 'beantwoord'"


def test_a_note_in_the_demo_is_by_the_demo_user(app_db):
    at = _save_note(run_page("analysevragen"), "financiering", "open", "nog uitzoeken")
    notes, log = _notes_and_log(app_db)
    assert notes == [("financiering", "open", "nog uitzoeken", "demo")]
    assert [(who, action) for who, action, _detail, _gemeenten in log] == [("demo", "analysenotitie")]
    assert " door demo." in " ".join(c.value for c in at.caption)


def test_a_note_whose_audit_line_fails_is_not_stored(app_db, monkeypatch):
    # the note and its audit line are one transaction: a failure writing the line (a full disk, a
    # kill) leaves neither
    from data_sources import accounts

    at = run_page("analysevragen")

    def failing(*_args, **_kwargs):
        raise RuntimeError("stopped here")

    monkeypatch.setattr(accounts, "audit", failing)
    at.selectbox(key="status_financiering").set_value("beantwoord")
    next(b for b in at.button if b.proto.form_id == "vraag_financiering").click().run()
    assert [e.value for e in at.exception] == ["stopped here"]
    assert _notes_and_log(app_db) == ([], [])
