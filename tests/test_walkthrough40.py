"""Round 40 of the walkthrough as real users: a real gemeente (Zwolle's kwb layout) with nothing but
its CBS figures, a partner who delivers, the LEA slides. What they tripped over, pinned."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
from conftest import (
    add_account,
    app_db_with_files,
    run_page,
    run_page_as_analist,
    shown_text,
    upload_registration,
    uploader,
)
from kwb_files import kwb_rows, write_kwb_xlsx

from data_sources import store
from data_sources.accounts import Account
from data_sources.cbs.loading import EMPTIED_ON_THE_COMMAND_LINE, EMPTIED_ON_THE_PAGE
from data_sources.errors import WouldEmptyValues
from data_sources.jobs import import_cbs_file
from transforms import scenarios
from transforms.planning import REGULAR_GROUPS_NOT_LOADED, Scenario, compute_plan

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402
from test_registrations_page import messages_of  # noqa: E402

PARTNER = Account("kdv", "partner", "Kinderopvang Zwolle")


@pytest.fixture
def zwolle_db(tmp_path, monkeypatch) -> Path:
    """The app's database with nothing but kwb-2024.xlsx of Zwolle: no LRK, no postcodes, no
    partner data, one year."""
    return app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))


def test_analysevragen_names_each_table_that_was_not_delivered(zwolle_db):
    at = run_page_as_analist("analysevragen")
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    # three bare 'Niet geleverd voor dit jaar.' did not say which table was missing
    assert "Niet geleverd voor dit jaar." not in captions
    assert {"Geen kinderen met extra ondersteuning geleverd voor dit jaar (rij 2).",
            "Geen jeugdhulp geleverd voor dit jaar (rij 8).",
            "Geen leerlingen in (v)so en sbo geleverd voor dit jaar (rij 5)."} <= set(captions)


def test_the_continuum_trend_of_one_year_has_no_empty_years_on_its_axis(zwolle_db):
    at = run_page_as_analist("continuum")
    assert not at.exception, at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    trend = next(c for c in charts
                 if "per jaar" in c["layout"]["title"]["text"])
    # one loaded year drew 2023 and 2025 beside it, years with nothing loaded (Trends had it right)
    assert trend["layout"]["xaxis"]["tickvals"] == [2024]


def _partner_page(db: Path):
    add_account(db, "kdv", "partner", "Kinderopvang Zwolle", gemeenten=["GM0193"])
    at = run_page("aanleveren", account=PARTNER)
    assert not at.exception, at.exception
    at.text_input(key="aanleveren_periode").set_value("2024")
    return at


def _uploaded(db, location: str):
    """The partner page after uploading one row of extra-ondersteuning for `location`."""
    at = _partner_page(db)
    con = store.connect(db)
    try:
        data = filled_template("extra-ondersteuning", [[location, None, "2-4", "taal/spraak", "3", 12]],
                               con=con)
    finally:
        con.close()
    upload_registration(at, "extra-ondersteuning", "ondersteuning.xlsx", data)
    return at


def test_a_partner_is_told_whom_to_ask_for_the_postcode_file(zwolle_db):
    at = _uploaded(zwolle_db, "8017 AB")
    assert not at.exception, at.exception
    [message] = messages_of(at)
    assert (message["blad"], message["rij"], message["kolom"]) == ("Gegevens", "2", "A")
    # a partner has neither Gemeente laden nor a command line; the command showed in backticks
    assert "python -m" not in message["melding"] and "`" not in message["melding"]
    assert ("nog niet geladen (dat doet de beheerder of een analist van de gemeente, op de pagina "
            "Gemeente laden); gebruik zolang een wijkcode of wijknaam") in message["melding"]


def test_a_partner_s_save_toast_is_one_sentence_without_view_more(zwolle_db):
    at = _uploaded(zwolle_db, "WK019322")
    next(b for b in at.button if b.label == "Bevestigen en opslaan").click()
    at.run()
    assert not at.exception, at.exception
    notice = at.success[0].value
    assert notice.startswith("Opgeslagen als upload 1: 1 rij. ") and "partners" in notice
    # the whole notice (two sentences for a partner) folded behind Streamlit's English
    # 'view more' in the toast: the toast has the first sentence, the notice stands on the page
    assert [t.value for t in at.toast] == ["Opgeslagen als upload 1: 1 rij."]
    assert uploader(at, "extra-ondersteuning").value is None


def test_the_delivery_slide_names_the_registration_not_its_key(zwolle_db):
    con = store.connect(zwolle_db)
    try:
        store.new_load(con, source="partner", dataset="extra-ondersteuning", gemeente_code="GM0193",
                       year=2024, period="2024", organisation="Kinderopvang Zwolle",
                       file_name="ondersteuning.xlsx")
    finally:
        con.close()
    at = run_page_as_analist("presentatie", params={"dia": "levering"})
    assert not at.exception, at.exception
    text = shown_text(at)
    assert ("Laatste levering: Kinderen met een extra ondersteuningsbehoefte van Kinderopvang Zwolle"
            in text)
    assert "extra-ondersteuning" not in text


def test_a_file_that_empties_values_asks_the_page_for_its_box_not_for_vervang(con, tmp_path):
    import_cbs_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(secret_jeugdzorg=False)))
    with pytest.raises(WouldEmptyValues) as refused:
        import_cbs_file(con, write_kwb_xlsx(tmp_path / "kwb-2024-voorlopig.xlsx",
                                            kwb_rows(secret_jeugdzorg=True)))
    [cli] = refused.value.messages
    [page] = refused.value.on_page
    assert cli.endswith(EMPTIED_ON_THE_COMMAND_LINE) and "--vervang" in cli
    # the page Gemeente laden read 'opnieuw in met --vervang, of bevestig ... op de pagina
    # Gemeente laden' above its own box to tick
    assert page == cli.removesuffix(EMPTIED_ON_THE_COMMAND_LINE) + EMPTIED_ON_THE_PAGE
    assert "--vervang" not in page and "op de pagina Gemeente laden" not in page


def test_a_plan_without_an_lrk_export_does_not_say_about_0_regular_groups(zwolle_db):
    con = store.connect(zwolle_db)
    try:
        inputs = scenarios.plan_inputs(con, "GM0193", 2024)
    finally:
        con.close()
    assert inputs and not any(w.regular_places_known for w in inputs)
    plan = compute_plan(Scenario(name="Inclusief", gemeente_code="GM0193", year=2024,
                                 perspective="inclusief", separate_share=0.0), inputs)
    assert plan.warnings
    # Tekorten says the regular places are not known; the plan said 'ongeveer 0 reguliere groepen'
    assert all(w.endswith(REGULAR_GROUPS_NOT_LOADED) for w in plan.warnings), plan.warnings
    assert not any("ongeveer 0 reguliere groepen" in w for w in plan.warnings)
    # and it puts no new regular groups in the plan for groups that may well exist: it added one
    # for every group with niveau 3 children (76 groups and 4.780 m2 for Zwolle)
    regular = [row for row in plan.rows if row.group_type == "regulier_extra"]
    assert regular and all(row.groups_new == 0 and row.m2_new == 0 for row in regular), regular


@pytest.mark.parametrize("bounds", [
    (6.004, 52.441, 6.211, 52.588),  # Zwolle's wijken of 2024 (../shared/real_data/geo), taller than wide
    (4.0, 52.0, 4.0934, 52.0543),  # as wide and tall as Voorbeeldstad
])
def test_the_first_view_of_the_map_holds_the_whole_gemeente(bounds):
    from ui.maps import MAP_HEIGHT, view_state

    west, south, east, north = bounds
    view = view_state(bounds)
    scale = 512 * 2 ** view.zoom / 360  # pixels per degree of longitude (Web Mercator)

    def mercator(lat: float) -> float:
        return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))

    height = (mercator(north) - mercator(south)) * scale
    # Zwolle's Vechtlanden and Soestweteringlanden ran off the top and bottom (584 of 560 px)
    assert height <= MAP_HEIGHT - 40, height
    assert (east - west) * scale <= 600  # the map is some 730 px wide beside the sidebar at 1280 px


def test_a_plan_without_verzorgingsgebieden_shows_the_gemeente_once(zwolle_db):
    # one catchment ('Hele gemeente') is the gemeente: the chart and the table showed the same
    # figures twice, under 'Hele gemeente' and under 'Gemeente'
    from outputs import plan as plan_output

    con = store.connect(zwolle_db)
    try:
        inputs = scenarios.plan_inputs(con, "GM0193", 2024)
    finally:
        con.close()
    plans = [compute_plan(Scenario(name=name, gemeente_code="GM0193", year=2024, perspective=name,
                                   separate_share=share), inputs)
             for name, share in (("inclusief", 0.0), ("passend", 0.3))]
    assert set(plan_output.comparison_long(plans)["catchment"]) == {plan_output.GEMEENTE_LABEL}
    assert list(plan_output.comparison_frame(plans[:1]).columns) == ["Grootheid", "Gemeente"]
    assert [line.split(":")[0] for line in plan_output.summary_lines(plans[0])
            if line.startswith(("Hele gemeente:", "Gemeente:"))] == ["Gemeente"]
