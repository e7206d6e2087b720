"""Where to load what is missing, said per role: a partner or the LEA view cannot open Gemeente
laden and has no command line, so its messages say whom to ask (ui.auth.where_to_load)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from conftest import add_account, app_db_with_files, run_page
from kwb_files import KWB_COLUMNS, kwb_rows
from streamlit.testing.v1 import AppTest

from data_sources import store
from data_sources.accounts import Account

GGD = "GGD Voorbeeldregio (JGZ)"
VOORBEELDSTAD = ("GM9999", "Voorbeeldstad")
WIJKEN = [("WK999901", "Centrum", 7000, 900), ("WK999902", "Noord", 9000, 1400)]
AGE_COLUMNS = {"a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo"}
ASK = "Vraag de beheerder of een analist van de gemeente om"
MISSING = "kolom a_00_14"


def _kwb_without_ages(path: Path) -> Path:
    """kwb-2024.xlsx of the sample gemeente in CBS's layout without the age columns: the wijken are
    there, their children are not (as in the real kwb-2024 files)."""
    keep = [i for i, name in enumerate(KWB_COLUMNS) if name not in AGE_COLUMNS]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "kwb_2024"
    sheet.append([KWB_COLUMNS[i] for i in keep])
    for row in kwb_rows(VOORBEELDSTAD, WIJKEN):
        sheet.append([row[i] for i in keep])
    workbook.save(path)
    return path


@pytest.fixture
def ageless_db(tmp_path, monkeypatch) -> Path:
    """An app database with the sample gemeente's wijken but no children (no ages loaded); the
    sample gemeente, so that the demo shows it too."""
    return app_db_with_files(tmp_path, monkeypatch, _kwb_without_ages(tmp_path / "kwb-2024.xlsx"))


@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> Path:
    """An app database with nothing loaded."""
    path = tmp_path / "kindkaart.duckdb"
    store.connect(path).close()
    monkeypatch.setenv("KINDKAART_DB", str(path))
    return path


def _texts(at: AppTest) -> list[str]:
    return [str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.warning, *at.error,
                                   *at.sidebar.markdown, *at.sidebar.caption, *at.sidebar.warning]]


def _as(db: Path, role: str, page: str | None, params: dict[str, str] | None = None) -> AppTest:
    """`page` as an account of `role` (tied to the sample gemeente), created as test_access does.
    None: the role's start page through app.py, with the sidebar (a switched page runs alone)."""
    organisation = GGD if role == "partner" else None
    add_account(db, role, role, organisation, gemeenten=["GM9999"])
    at = run_page(page, 90, account=Account(role, role, organisation), params=params)
    assert not at.exception, at.exception
    return at


def _pages(role: str) -> list[str | None]:
    from ui.auth import ROLE_PAGES

    return [None, *sorted(ROLE_PAGES[role])]


def _slides() -> list[str]:
    from ui.slides import all_slides

    return [slide.key for slide in all_slides()]


@pytest.mark.parametrize("role, page", [("partner", page) for page in _pages("partner")]
                         + [("lea", page) for page in _pages("lea")])
def test_partner_and_lea_are_told_whom_to_ask_not_a_page_they_cannot_open(ageless_db, role, page):
    at = _as(ageless_db, role, page)
    texts = _texts(at)
    said = " ".join(texts)
    assert "Gemeente laden" not in said and "python -m" not in said, said
    # the pages that need the children (a partner starts on Aanleveren)
    if page in ("overzicht", "kaart", "presentatie") or (page, role) == (None, "lea"):
        missing = [t for t in texts if MISSING in t]
        # nor Aanleveren for the BRP count: the gemeente delivers that, not a partner
        assert missing and all(f"{ASK} kwb-2024.xlsx te laden of de BRP-telling per wijk aan te "
                               "leveren." in t and "Aanleveren" not in t for t in missing), texts


@pytest.mark.parametrize("dia", _slides())
def test_no_slide_sends_the_lea_view_to_gemeente_laden(ageless_db, dia):
    at = _as(ageless_db, "lea", "presentatie", {"gemeente": "GM9999", "dia": dia})
    said = " ".join(_texts(at))
    assert "Gemeente laden" not in said and "python -m" not in said and "Aanleveren" not in said, said


@pytest.mark.parametrize("role, page, expected", [
    ("partner", None, f"Er is nog geen gemeente geladen. {ASK} de gemeente te laden. Daarna kunt u hier aanleveren."),
    ("partner", "kaart", f"Er zijn nog geen gegevens geladen. {ASK} een gemeente te laden."),
    ("lea", None, f"Er zijn nog geen gegevens geladen. {ASK} een gemeente te laden."),
    ("lea", "overzicht", f"Er zijn nog geen gegevens geladen. {ASK} een gemeente te laden."),
])
def test_with_nothing_loaded_partner_and_lea_are_told_whom_to_ask(empty_db, role, page, expected):
    at = _as(empty_db, role, page)
    said = " ".join(_texts(at))
    assert expected in [i.value for i in at.info]
    assert "Gemeente laden" not in said and "python -m" not in said, said


@pytest.mark.parametrize("role", ["beheerder", "analist"])
def test_beheerder_and_analist_are_sent_to_gemeente_laden(ageless_db, role):
    at = _as(ageless_db, role, "overzicht")
    [warning] = [w.value for w in at.warning if MISSING in w.value]
    assert ("Laad kwb-2024.xlsx op de pagina **Gemeente laden** (onderdeel CBS-bestand inlezen, of "
            "van CBS) of met `python -m data_sources import-cbs kwb-2024.xlsx --gemeente GM9999`") in warning
    # the BRP count is delivered on Aanleveren, which the analist cannot open
    if role == "analist":
        assert warning.endswith("Vraag de beheerder om de BRP-telling per wijk aan te leveren.")
    else:
        assert warning.endswith("; of lever de BRP-telling per wijk aan op de pagina **Aanleveren** "
                                "(soort bevolking).")


def test_the_demo_names_the_page_and_when_it_comes(ageless_db):
    # the demo has no Gemeente laden (ui.auth.ROLE_PAGES): the page comes with an account
    at = run_page(timeout=90)  # the demo starts on Overzicht
    assert not at.exception, at.exception
    assert "Demomodus" in at.sidebar.warning[0].value
    [warning] = [w.value for w in at.warning if MISSING in w.value]
    assert "Laad kwb-2024.xlsx op de pagina **Gemeente laden**" in warning
    assert "`python -m data_sources import-cbs kwb-2024.xlsx --gemeente GM9999`" in warning
    assert "De pagina **Gemeente laden** is er pas met een account (beheerder of analist" in warning


def test_the_presentation_says_what_is_missing_once(ageless_db):
    # the first slide (Kerncijfers) says it; the factsheet picker below said it a second time
    add_account(ageless_db, "analist", "analist")
    at = run_page("presentatie", 90, account=Account("analist", "analist", None),
                  params={"gemeente": "GM9999"})
    assert not at.exception, at.exception
    assert at.main.title[-1].value == "Kerncijfers"
    assert sum(MISSING in text for text in _texts(at)) == 1, _texts(at)
    assert any("wijkfactsheet" in i.value and "dia Kerncijfers" in i.value for i in at.info)
