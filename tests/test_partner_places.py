"""Places that partners delivered (plus-groups, KDC/MKD) reach other partners and the LEA view only
once the gemeente released them (Beheer, key 'plekken_partners'); a partner always sees its own."""

from __future__ import annotations

import duckdb
import pytest
from conftest import add_account, run_page

from data_sources import store
from data_sources.accounts import Account
from ui import wijkprofiel

GGD = "GGD Voorbeeldregio (JGZ)"
ZONNESTRAAL = "Kinderopvang Zonnestraal"  # delivered the plus-group of Centrum (WK999901)
# the map indicators built on partner places, by their labels as the Kaart offers them
PLACES_BUILT = {i.label for i in wijkprofiel.MODEL_INDICATORS
                if i.key in ("tekort_reguliere_plekken", "tekort_niveau_3_passend")}
assert len(PLACES_BUILT) == 2


def release(db, key: str, audience: str) -> None:
    con = duckdb.connect(str(db), config=store.CONNECT_CONFIG)
    try:
        con.execute("insert into indicator_releases (gemeente_code, indicator_key, audience, released_by)"
                    " values ('GM9999', ?, ?, 'beheer')", [key, audience])
    finally:
        con.close()


def profile_of_centrum(account: Account):
    at = run_page("kaart", account=account)
    assert not at.exception
    at.session_state["profiel_wijk"] = "WK999901"
    at.run()
    assert not at.exception
    return at


def places_table(at) -> list[tuple]:
    [table] = [df.value for df in at.dataframe if "Bron" in df.value.columns]
    return list(table[["Soort", "Plekken (gelijktijdig)", "Locaties", "Bron"]].itertuples(index=False,
                                                                                          name=None))


def kaart_options(at) -> set[str]:
    """The labels the Kaart's indicator choice offers."""
    return set(at.selectbox(key="_indicator_choice").options)


def map_value(at, key: str, wijk: str = "Centrum") -> str:
    """The wijk's value in the map's table (its text alternative) for indicator `key`."""
    import re

    at.selectbox(key="_indicator_choice").set_value(key)
    at.run()
    assert not at.exception
    cells = [found.group(1) for m in at.markdown
             if (found := re.search(wijk + r"</t[dh]>\s*<td[^>]*>([^<]+)<", m.value))]
    assert cells, f"no row {wijk} in the map's table"
    return cells[0]


@pytest.mark.parametrize("login, organisation", [("ggd", GGD)])
def test_another_partner_sees_no_unreleased_partner_places(app_db, login, organisation):
    # Before: GGD's wijk profile of Centrum listed 'Plusgroep | 10 | 1 | PARTNER', Zonnestraal's
    # one location, with nothing released; the map's places and the separate-group gap had it too.
    add_account(app_db, login, "partner", organisation)
    at = profile_of_centrum(Account(login, "partner", organisation))
    rows = places_table(at)
    assert {source for *_, source in rows} == {"LRK"}
    assert not [row for row in rows if row[0].startswith(("Plusgroep", "KDC"))]
    assert any("ziet u pas als de gemeente ze vrijgeeft" in c.value for c in at.caption)
    # no gap built on partner places, in the profile or as a map indicator
    assert not [m.value for m in at.markdown if "aparte groep" in m.value]
    assert not PLACES_BUILT & kaart_options(at)
    # the map's places: the LRK's only (96 + 60 + 6 in Centrum; with the plus-group 172)
    assert map_value(at, "kindplaatsen") == "162"


def test_the_partner_that_delivered_them_sees_its_own_places(app_db):
    add_account(app_db, "zon", "partner", ZONNESTRAAL)
    rows = places_table(profile_of_centrum(Account("zon", "partner", ZONNESTRAAL)))
    assert ("Plusgroep", "10", "1", "eigen aanlevering (rij 10)") in [
        (s.split(" (")[0], p, n, b) for s, p, n, b in rows]


def test_once_released_partners_see_every_partners_places(app_db):
    add_account(app_db, "ggd", "partner", GGD)
    release(app_db, "plekken_partners", "partner")
    at = profile_of_centrum(Account("ggd", "partner", GGD))
    rows = places_table(at)
    assert ("Plusgroep", "10", "1", "partners (rij 10)") in [(s.split(" (")[0], p, n, b) for s, p, n, b in rows]
    assert PLACES_BUILT <= kaart_options(at)


def test_the_analist_sees_every_place_without_a_release(app_db, analist):
    rows = places_table(profile_of_centrum(analist))
    assert ("Plusgroep", "10", "1", "partners (rij 10)") in [(s.split(" (")[0], p, n, b) for s, p, n, b in rows]


def deck(at) -> dict[str, str]:
    """Every slide of the presentation this session gets: title -> the text of its markdown."""
    import re

    seen: dict[str, str] = {}
    while True:
        title = at.title[0].value
        if title in seen:
            return seen
        seen[title] = " ".join(m.value for m in at.markdown)
        counter = next(m.value for m in at.markdown if "class='kk-counter'" in m.value)
        assert re.search(r"Dia \d+ van \d+", counter)
        at.button(key="dia_volgende").click()
        at.run()
        assert not at.exception


def test_the_lea_slides_leave_out_what_rests_on_unreleased_partner_places(app_db, analist):
    add_account(app_db, "lea", "lea")
    at = run_page(account=Account("lea", "lea"))  # the LEA starts on the presentation
    assert not at.exception
    slides = deck(at)
    assert "Tekort per wijk" in slides and "Scenario's naast elkaar" not in slides
    gap = slides["Tekort per wijk"]
    assert "Inclusief: kinderen boven de opnamegrens" in gap
    # neither the panel nor the groups needed; the slide says why passend is not on it
    assert "Passend: tekort plekken in aparte groepen" not in gap
    assert "aparte groepen nodig" not in gap
    assert "Passend (aparte groepen) staat niet op deze dia" in gap
    assert not [label for label in PLACES_BUILT if label in slides["Kaart"]]

    release(app_db, "plekken_partners", "lea")
    slides = deck(run_page(account=Account("lea", "lea")))
    assert "Passend: tekort plekken in aparte groepen" in slides["Tekort per wijk"]
