"""The Analysevragen page: every question of the handreiking, data answers, stored notes."""

from __future__ import annotations

import duckdb
import pandas as pd
from conftest import run_page

from transforms import analysis


def test_every_question_of_the_handreiking_is_listed_once():
    assert len(analysis.QUESTIONS) == 21
    assert len({q.key for q in analysis.QUESTIONS}) == 21
    assert [q.line for q in analysis.QUESTIONS][:2] == [561, 562]
    assert {q.section for q in analysis.QUESTIONS} == {
        "Algemeen", "Ouders en kinderen", "De kinderopvang", "De inzet van ondersteuning",
        "Financiën"}


def test_support_by_type_and_age_is_protected_with_its_totals(con):
    from data_sources import store

    load_id = store.new_load(con, source="partner", dataset="ondersteuningstrajecten", year=2024,
                             gemeente_code="GM0001")
    con.execute("update loads set status = 'active' where load_id = ?", [load_id])
    rows = [("logopedie", "2-4", 12), ("logopedie", "4-12", 3), ("coaching pm'ers", "2-4", 20),
            ("coaching pm'ers", "4-12", 9)]
    for number, (kind, age, n) in enumerate(rows, start=1):
        payload = (f'{{"support_type": "{kind}", "age_group": "{age}", '
                   f'"children_count": {n}}}').replace("'", "''")
        con.execute("insert into raw_partner__registration_rows (load_id, registration_type,"
                    " row_number, gemeente_code, wijk_code, payload) values"
                    f" (?, 'ondersteuningstrajecten', ?, 'GM0001', 'WK000101', '{payload}')",
                    [load_id, number])
    import data_sources.registrations  # noqa: F401  (the staging views)
    import transforms

    transforms.build(con)
    table = analysis.support_by_type_and_age(con, "GM0001", 2024).display()
    # 3 is hidden, and so is a second cell of its row and column: nothing can be subtracted back
    assert list(table.columns) == ["support_type", "2-4", "4-12", "Totaal"]
    assert table.set_index("support_type").loc["logopedie", "4-12"] == "< 5"
    assert (table == "< 5").sum().sum() >= 4
    assert table.set_index("support_type").loc["Totaal", "Totaal"] == "44"


def test_page_answers_from_the_data_and_keeps_a_note(app_db):
    at = run_page("analysevragen")
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == [
        "Algemeen", "Ouders en kinderen", "De kinderopvang", "De inzet van ondersteuning",
        "Financiën"]
    tables = [d.value for d in at.dataframe]
    support = next(t for t in tables if "Soort ondersteuning" in t.columns and "2-4" in t.columns)
    assert "coaching pm'ers" in set(support["Soort ondersteuning"])
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
