"""The Aanleveren page in AppTest: template, a rejected upload, a confirmed upload, restore."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from conftest import XLSX_MIME, delivery_history, run_page, upload_registration, uploader  # noqa: E402
from support import filled_template  # noqa: E402

from data_sources import store  # noqa: E402


def loads_of(db: Path, dataset: str) -> list[tuple]:
    # same configuration as the app's connection in this process (read-write), else DuckDB refuses
    con = duckdb.connect(str(db), config=store.CONNECT_CONFIG)
    try:
        return con.execute(
            "select load_id, organisation, status from loads where dataset = ? order by 1",
            [dataset]).fetchall()
    finally:
        con.close()



def messages_of(at) -> list[dict[str, str]]:
    """The table of messages on the page (plain HTML, see pages/aanleveren.py) as rows."""
    import html
    import re

    table = next(m.value for m in at.markdown if "<caption" in m.value and "Meldingen bij" in m.value)
    def cells(part: str, tag: str) -> list[str]:
        return [html.unescape(c) for c in re.findall(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", part)]

    header = [h.lower() for h in cells(table.split("<tbody>")[0], "th")]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1])
    return [dict(zip(header, cells(row, "td"), strict=True)) for row in rows]


def test_page_offers_every_template(app_db):
    at = run_page("aanleveren")
    assert not at.exception
    assert at.title[0].value == "Gegevens aanleveren"
    assert len(at.selectbox(key="aanleveren_soort").options) == 10
    assert any("Sjabloon" in str(b.label) for b in at.get("download_button"))
    history = delivery_history(at)
    # named in Dutch, not by their keys
    assert set(history["Soort"]) >= {"Kinderen met een vve-indicatie", "Kinderen in de gemeente (BRP)"}


def test_rejected_file_shows_messages_and_stores_nothing(app_db):
    before = loads_of(app_db, "jeugdhulp")
    data = filled_template("jeugdhulp", [["Noordeinde", None, "ambulant", "4-12", 5],
                                         ["Bloemhof", None, "ambulant", "4-12", "2,5"]])
    at = upload_registration(run_page("aanleveren"), "jeugdhulp", "jeugdhulp.xlsx", data)
    assert not at.exception
    assert any("niet in orde (2 melding(en))" in e.value for e in at.error)
    messages = messages_of(at)
    assert [m["rij"] for m in messages] == ["2", "3"]
    assert [m["kolom"] for m in messages] == ["A", "E"]
    assert "'Noordeinde' is geen wijk van Voorbeeldstad" in messages[0]["melding"]
    assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]
    assert loads_of(app_db, "jeugdhulp") == before


def test_personal_data_is_refused_without_echo(app_db):
    data = filled_template("vve-indicaties", [["111222333", "2-4", "SES", 5]])
    at = upload_registration(run_page("aanleveren"), "vve-indicaties", "vve.xlsx", data)
    shown = " ".join(m["melding"] for m in messages_of(at))
    assert "persoonsgegevens geweigerd" in shown and "111222333" not in shown


def test_valid_file_preview_confirm_and_restore(app_db):
    before = loads_of(app_db, "vve-indicaties")
    organisation = before[0][1]
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12],
                                              ["Bloemhof", "2-4", "SES", 2]])
    at = run_page("aanleveren")
    at.text_input(key="aanleveren_organisatie").set_value(organisation)
    at.text_input(key="aanleveren_periode").set_value("2024")
    upload_registration(at, "vve-indicaties", "vve-nieuw.xlsx", data)
    assert not at.exception
    preview = at.dataframe[0].value
    # 2 children are hidden, and 12 too, or it would follow from the total
    assert list(preview["aantal kinderen"]) == ["afgeschermd", "afgeschermd", "14"]
    assert list(preview["wijk"]) == ["Centrum", "Bloemhof", "Totaal"]
    confirm = [b for b in at.button if b.label == "Bevestigen en opslaan"][0]
    confirm.click()
    at.run()
    assert not at.exception
    assert "Opgeslagen als upload" in at.success[0].value
    # under the uploader, where the check stood: a notice above the form was out of sight of
    # whoever clicked below the preview (the browser keeps its scroll position)
    shown = [e.type for e in in_page_order(at)]
    assert shown[shown.index("file_uploader") + 1] == "success", shown
    assert [t.value for t in at.toast] == [at.success[0].value]  # and once as a toast, in sight
    # the saved file is gone from the page: nothing to confirm a second time
    assert uploader(at, "vve-indicaties").value is None
    assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]
    after = loads_of(app_db, "vve-indicaties")
    assert len(after) == len(before) + 1
    assert [s for _, _, s in after] == ["superseded", "active"]
    # the confirmation stays through another rerun (a reconnecting browser reruns the page) ...
    at.run()
    assert [m.value for m in at.success] == [at.success[0].value]
    assert at.success[0].value.startswith("Opgeslagen als upload")
    assert not at.toast
    # ... until the next file goes in
    uploader(at, "vve-indicaties").set_value(("vve-later.xlsx", data, XLSX_MIME))
    at.run()
    assert [m.value for m in at.success if "Opgeslagen" in m.value] == []
    assert "vve-later.xlsx is in orde" in at.success[0].value
    uploader(at, "vve-indicaties").set_value(None)
    at.run()

    at.selectbox(key="aanleveren_herstel").set_value(before[0][0])
    [b for b in at.button if b.label == "Terugzetten"][0].click()
    at.run()
    assert not at.exception
    assert f"Upload {before[0][0]} is weer de actieve versie" in at.success[0].value
    assert [s for _, _, s in loads_of(app_db, "vve-indicaties")] == ["active", "superseded"]
    # the notice stands under the button that was clicked, not at the top of the page, out of
    # sight of whoever scrolled down to the history; and it stays through a rerun
    for _ in range(2):
        shown = [(e.type, getattr(e, "label", None) or getattr(e, "value", None)) for e in in_page_order(at)]
        restore = shown.index(("button", "Terugzetten"))
        notices = [i for i, (kind, value) in enumerate(shown)
                   if kind == "success" and "weer de actieve versie" in str(value)]
        assert notices == [restore + 1], "\n".join(map(str, shown))
        at.run()


def in_page_order(at):
    """The elements of the page's main area, top to bottom."""
    def walk(node):
        children = getattr(node, "children", None)
        if children is None:
            yield node
            return
        for key in sorted(children):
            yield from walk(children[key])

    return list(walk(at.main))


def test_upload_is_checked_once_while_the_page_reruns(app_db, monkeypatch):
    from data_sources.registrations import validate

    checked = []
    real = validate.validate_workbook

    def counting(data, soort, con, file_name, gemeente_code, period):
        checked.append((file_name, period))
        return real(data, soort, con, file_name, gemeente_code, period)

    monkeypatch.setattr(validate, "validate_workbook", counting)
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]])
    at = upload_registration(run_page("aanleveren"), "vve-indicaties", "vve.xlsx", data)
    assert len(checked) == 1 and "in orde" in at.success[0].value
    at.text_input(key="aanleveren_organisatie").set_value("GGD Voorbeeldregio (JGZ)")
    at.run()
    at.run()
    assert len(checked) == 1 and "in orde" in at.success[0].value
    # the period is part of the check (a file may name another period): checked again
    at.text_input(key="aanleveren_periode").set_value("2023")
    at.run()
    assert checked == [("vve.xlsx", "2024"), ("vve.xlsx", "2023")]
    # a corrected file under the same name is a new file
    uploader(at, "vve-indicaties").set_value(
        ("vve.xlsx", filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 13]]), XLSX_MIME))
    at.run()
    assert len(checked) == 3


def test_field_errors_are_shown_under_their_field(app_db):
    """WCAG 3.3.1: a wrong period or a missing organisation is said in that field's column."""
    at = run_page("aanleveren")
    at.text_input(key="aanleveren_organisatie").set_value("")
    at.text_input(key="aanleveren_periode").set_value("2024-Q7")
    at.run()
    assert not at.exception
    organisation_column, period_column = at.columns[:2]  # the registration has a row of its own
    period_errors = [e.value for e in period_column.error]
    assert len(period_errors) == 1 and period_errors[0].startswith("Periode:")
    assert not organisation_column.error  # no file yet: an empty organisation is not an error yet
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]])
    upload_registration(at, "vve-indicaties", "vve.xlsx", data)
    assert not at.exception
    assert any("naam van de organisatie" in e.value for e in at.columns[0].error)
    at.text_input(key="aanleveren_periode").set_value("2024")
    at.run()
    assert not at.columns[1].error


def test_a_period_that_has_not_begun_is_refused_and_nothing_is_stored(app_db):
    """A typo in the period ('2042' for 2024) was stored: the figures went to a year no page
    shows and were missing where they belonged."""
    import datetime as dt

    before = loads_of(app_db, "vve-indicaties")
    at = run_page("aanleveren")
    at.text_input(key="aanleveren_organisatie").set_value("GGD Voorbeeldregio (JGZ)")
    future = str(dt.date.today().year + 1)
    at.text_input(key="aanleveren_periode").set_value(future)
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]])
    upload_registration(at, "vve-indicaties", "vve.xlsx", data)
    assert not at.exception
    assert [e.value for e in at.columns[1].error] == [
        f"Periode: '{future}' is nog niet begonnen; geef de periode op waarin geteld is "
        f"(bijvoorbeeld {int(future) - 2} of {int(future) - 1})."]
    [save] = [b for b in at.button if b.label == "Bevestigen en opslaan"]
    assert save.disabled
    assert loads_of(app_db, "vve-indicaties") == before
    at.text_input(key="aanleveren_periode").set_value(str(dt.date.today().year))
    at.run()
    assert not at.columns[1].error


def test_saving_does_not_check_the_file_again_when_others_uploaded_meanwhile(app_db, monkeypatch):
    # four partners uploading at once: every upload changed the data, and each confirm checked
    # its file twice more (the page's check made again, then the import's own)
    from data_sources import jobs, store
    from data_sources.registrations import importing, validate

    checked = []
    real = validate.validate_workbook

    def counting(data, soort, con, file_name, gemeente_code, period):
        checked.append(file_name)
        return real(data, soort, con, file_name, gemeente_code, period)

    monkeypatch.setattr(validate, "validate_workbook", counting)
    monkeypatch.setattr(importing, "validate_workbook", counting)
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]])
    at = run_page("aanleveren")
    at.text_input(key="aanleveren_organisatie").set_value("GGD Voorbeeldregio (JGZ)")
    upload_registration(at, "vve-indicaties", "vve.xlsx", data)
    assert checked == ["vve.xlsx"]
    con = store.connect(app_db)
    try:
        other = filled_template("wachtlijst-zorg", [["Centrum", None, "behandeling", "2-4", 3, 6]])
        jobs.import_registration(con, other, "wachtlijst-zorg", "Zorggroep De Linde", "2024", "linde.xlsx",
                                 gemeente_code="GM9999")
    finally:
        con.close()
    at.run()
    next(b for b in at.button if b.label == "Bevestigen en opslaan").click()
    at.run()
    assert not at.exception, at.exception
    assert "Opgeslagen als upload" in at.success[0].value
    assert checked == ["vve.xlsx", "linde.xlsx"]  # the other upload's own check, nothing more


def test_a_partners_template_names_its_own_organisation(app_db, monkeypatch):
    # The sheet Organisatie came empty, though the page delivers as the account's organisation:
    # a partner had to type it again, exactly (a different spelling is refused at upload).
    import io

    import openpyxl
    from conftest import add_account
    from test_privacy_sent import _capture_downloads

    from data_sources.accounts import Account

    organisation = "=Kinderopvang 't Zonnetje"  # and text stays text, never a formula
    add_account(app_db, "kdv", "partner", organisation)
    held = _capture_downloads(monkeypatch)
    at = run_page("aanleveren", account=Account("kdv", "partner", organisation))
    at.selectbox(key="aanleveren_soort").set_value("vve-indicaties").run()
    assert not at.exception
    templates = [data for data in held.values() if isinstance(data, bytes | bytearray) and data[:2] == b"PK"]
    template = openpyxl.load_workbook(io.BytesIO(templates[-1]))
    assert [cell.value for cell in template["Gegevens"][1]][0] == "wijk"  # the vve template
    sheet = template["Organisatie"]
    assert (sheet["A2"].value, sheet["B2"].value, sheet["B2"].data_type) == ("organisatie", organisation, "s")

    # the downloaded template delivered as it came, with a row typed in: no organisation mismatch
    filled = openpyxl.load_workbook(io.BytesIO(templates[-1]))
    for column, value in enumerate(["Centrum", "2-4", "SES", 33], start=1):
        filled["Gegevens"].cell(row=2, column=column, value=value)
    buffer = io.BytesIO()
    filled.save(buffer)
    at = upload_registration(at, "vve-indicaties", "vve.xlsx", buffer.getvalue())
    assert not at.exception and not at.error, messages_of(at)


def test_a_template_without_an_organisation_leaves_it_to_the_partner(app_db, monkeypatch):
    import io

    import openpyxl
    from test_privacy_sent import _capture_downloads

    held = _capture_downloads(monkeypatch)
    assert not run_page("aanleveren").exception  # the demo types its organisation on the page
    template = next(data for data in held.values() if isinstance(data, bytes | bytearray) and data[:2] == b"PK")
    assert openpyxl.load_workbook(io.BytesIO(template))["Organisatie"]["B2"].value is None


def test_a_partner_is_told_where_its_saved_figures_show(app_db):
    # A partner saved its vve-indicaties and then looked for them on Overzicht and Kaart, where
    # nothing showed: they wait for the gemeente's release. The notice after a save says so, and
    # once released, under which indicator of the Kaart they are.
    from conftest import add_account

    from data_sources.accounts import Account, set_released

    organisation = "JGZ Voorbeeldstad"
    add_account(app_db, "jgz", "partner", organisation)
    partner = Account("jgz", "partner", organisation)

    def save(soort: str, rows: list[list], name: str) -> str:
        at = upload_registration(run_page("aanleveren", account=partner), soort, name,
                                 filled_template(soort, rows))
        next(b for b in at.button if b.label == "Bevestigen en opslaan").click()
        at.run()
        assert not at.exception, at.exception
        return at.success[0].value

    said = save("vve-indicaties", [["Centrum", "2-4", "SES", 12]], "vve.xlsx")
    assert said == ("Opgeslagen als upload 1: 1 rij. De gemeente ziet ze nu; u ziet ze op de Kaart "
                    "pas als de gemeente ze voor partners vrijgeeft.")
    con = store.connect(app_db)
    try:
        set_released(con, "GM9999", "vve_per_100", "partner", True, "beheer")
    finally:
        con.close()
    said = save("vve-indicaties", [["Centrum", "2-4", "SES", 14]], "vve-2.xlsx")
    assert said == ("Opgeslagen als upload 2: 1 rij; vervangt upload 1. U ziet ze op de Kaart bij "
                    "'Vve-indicaties taal/spraak per 100 kinderen (waargenomen)', 'Vve-indicaties "
                    "sociaal-emotioneel per 100 kinderen (waargenomen)' en 'Vve-indicaties SES "
                    "(sociaaleconomisch) per 100 kinderen (waargenomen)'.")
    said = save("jeugdhulp", [["Centrum", None, "ambulant", "4-12", 9]], "jeugdhulp.xlsx")
    assert said.endswith("De gemeente gebruikt deze cijfers in haar analyses; partners en de "
                         "LEA-weergave zien ze niet per wijk.")


def test_a_refusal_before_the_rows_says_the_rows_come_next(app_db):
    # A child's name in a remark stops the check before the rows; the partner removed it and was
    # surprised by a second round of messages (a misspelled wijk). The first answer now says that
    # the rows themselves were not checked yet; the second, about the rows, does not.
    def errors_for(remark: str):
        import io

        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(filled_template(
            "vve-indicaties", [["Molewijk", "2-4", "SES", 12]])))
        workbook["Gegevens"]["E1"], workbook["Gegevens"]["E2"] = "opmerking", remark
        out = io.BytesIO()
        workbook.save(out)
        at = upload_registration(run_page("aanleveren"), "vve-indicaties", "vve.xlsx", out.getvalue())
        assert not at.exception, at.exception
        error = next(e.value for e in at.error if "niet in orde" in e.value)
        return error, " ".join(m["melding"] for m in messages_of(at))

    error, messages = errors_for("Sven de Vries verhuist")
    assert "persoonsgegevens geweigerd" in messages and "Molewijk" not in messages
    assert error.endswith("De rijen zelf zijn nog niet gecontroleerd: dat gebeurt zodra dit is opgelost.")
    error, messages = errors_for("verhuist")
    assert "'Molewijk' is geen wijk van Voorbeeldstad" in messages
    assert "nog niet gecontroleerd" not in error


def test_the_upload_page_works_at_background_priority_and_the_thread_it_lowers_is_its_own(app_db, monkeypatch):
    import os
    import threading

    from ui import data

    lowered = []
    real = data.background_priority

    def recording():
        real()
        thread = threading.get_native_id()
        lowered.append((thread, os.getpriority(os.PRIO_PROCESS, thread)))

    monkeypatch.setattr(data, "background_priority", recording)
    main = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    data_ = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]])
    upload_registration(run_page("aanleveren"), "vve-indicaties", "vve.xlsx", data_)
    assert lowered and all(nice >= data.BACKGROUND_NICE for _, nice in lowered)
    # the script ran in threads of its own: the test's thread (as the server's) keeps its priority
    assert threading.get_native_id() not in {thread for thread, _ in lowered}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main


def test_background_priority_lowers_only_the_calling_thread():
    import os
    import threading

    from ui import data

    seen = {}

    def work():
        data.background_priority()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["nice"] == max(before, data.BACKGROUND_NICE)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_a_save_leaves_what_other_sessions_read_in_the_cache(app_db, monkeypatch):
    # Every cached query is keyed by the data version, which a save changes. Clearing the whole
    # cache on a save threw away what other sessions had read at the new version (the LEA's
    # slide read everything again after every partner's save).
    from ui import data

    sql = "select count(*) from loads"
    other_session = data._cached_query(sql, (), "versie-van-een-andere-sessie", str(app_db), True)
    organisation = loads_of(app_db, "vve-indicaties")[0][1]
    at = run_page("aanleveren")
    at.text_input(key="aanleveren_organisatie").set_value(organisation)
    upload_registration(at, "vve-indicaties", "vve-nieuw.xlsx",
                        filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]]))
    [b for b in at.button if b.label == "Bevestigen en opslaan"][0].click()
    at.run()
    assert "Opgeslagen als upload" in at.success[0].value

    def no_database():
        raise AssertionError("read again: the cache was cleared")

    monkeypatch.setattr(data, "cursor", no_database)
    assert data._cached_query(sql, (), "versie-van-een-andere-sessie", str(app_db), True) == other_session
