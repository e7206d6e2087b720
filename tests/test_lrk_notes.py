"""The notes after reading an LRK export carry a severity, as the CBS notes do: the loader says
which only informs (rows passed over as asked, words read) and which warns (places unknown, a
postcode without a wijk). Gemeente laden showed every one as information starting 'Let op:';
now it shows the warnings first as warnings, and import-lrk marks only those 'Let op:'."""

from __future__ import annotations

from conftest import add_account, run_page
from test_lrk_exports import _amsterdam, _open_data_export, _open_data_rows

from data_sources import cli
from data_sources.accounts import Account

WITHOUT_PLACES = ("1 ingeschreven locatie(s) zonder aantal kindplaatsen (rij 4): hun plekken zijn "
                  "onbekend en tellen niet mee.")
STATUS_READ = ("Kolom status: 'Afgemeld' (1 rij) gelezen als Uitgeschreven (Ingeschreven telt mee, "
               "Uitgeschreven niet).")
OTHER_GEMEENTE = ("1 locatie(s) van 1 andere gemeente(n) niet opgeslagen: alleen de locaties van "
                  "Voorbeeldstad (GM9999) horen bij uw account.")


def _export(path):
    """The register's open-data download for Voorbeeldstad: a location without its number of
    places (row 4), one 'Afgemeld' (row 5), and one of Amsterdam (row 6)."""
    rows = _open_data_rows()[:2]
    for row, postcode in zip(rows, ("9901DM", "9901GP"), strict=True):
        row.update(opvanglocatie_postcode=postcode, opvanglocatie_woonplaats="Voorbeeldstad",
                   cbs_code="9999", verantwoordelijke_gemeente="Voorbeeldstad")
    rows += [{**rows[0], "lrk_id": "204857362", "aantal_kindplaatsen": ""},
             {**rows[1], "lrk_id": "309182737", "status": "Afgemeld"},
             _amsterdam(rows[0])]
    return _open_data_export(path, rows)


def _alerts(node) -> list[tuple[str, str]]:
    """The page's warnings and information boxes in the order they are shown."""
    found = []
    for child in getattr(node, "children", {}).values():
        if child.type in ("warning", "info", "alert") or type(child).__name__ in ("Warning", "Info"):
            found.append((type(child).__name__.lower(), child.value))
        else:
            found += _alerts(child)
    return found


def test_gemeente_laden_shows_lrk_warnings_first_as_warnings_and_the_rest_as_information(app_db):
    add_account(app_db, "ana", "analist", gemeenten=["GM9999"])
    data = _export(app_db.parent / "export_opendata_lrk.csv").read_bytes()
    at = run_page("gemeente_laden", account=Account("ana", "analist"))
    at.file_uploader(key="laden_lrk").set_value(("export_opendata_lrk.csv", data, "text/csv"))
    at.number_input(key="laden_lrk_jaar").set_value(2024)
    at.run()
    next(b for b in at.button if b.label == "LRK-export inlezen").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [w.value for w in at.warning] == [WITHOUT_PLACES]
    infos = [i.value for i in at.info]
    assert STATUS_READ in infos and OTHER_GEMEENTE in infos
    assert not [text for _, text in _alerts(at.main) if text.startswith("Let op")]
    shown = _alerts(at.main)
    first_note = min(i for i, (_, text) in enumerate(shown)
                     if text in (WITHOUT_PLACES, STATUS_READ, OTHER_GEMEENTE))
    assert shown[first_note] == ("warning", WITHOUT_PLACES)


def test_import_lrk_marks_only_warnings_let_op_and_prints_them_first(app_db, capsys):
    path = _export(app_db.parent / "export_opendata_lrk_2024.csv")
    assert cli.main(["import-lrk", str(path), "--db", str(app_db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    warnings = [line for line in lines if line.startswith("Let op: ")]
    assert warnings == [
        "Let op: 1 postcode(s) niet gevonden in de postcodetabel (1012AB); die locaties tellen niet "
        "mee per wijk.",
        f"Let op: {WITHOUT_PLACES}"]
    deregistered = ("1 uitgeschreven locatie(s) in de export zijn bewaard maar tellen niet mee. Dat "
                    "zijn locaties met een uitschrijfdatum in 2024 of eerder, of met de status "
                    "Uitgeschreven zonder uitschrijfdatum.")
    assert lines[-2:] == [deregistered, STATUS_READ]
    assert lines.index(warnings[-1]) < lines.index(deregistered)
