"""One rule for comparing names and headers from files, and one table of CBS column titles."""

from data_sources.cbs.columns import KERNCIJFERS_STEMS, TITLE_KEYS, key_for_title
from data_sources.text import compact, normalise


def test_normalise_ignores_case_accents_and_punctuation_but_keeps_the_slash():
    assert normalise("Zuid-Éind ") == "zuid eind"
    assert normalise("  Taal/Spraak ") == "taal/spraak"
    assert normalise("Regio's") == "regio s"
    assert normalise(2024) == "2024"


def test_compact_drops_the_spaces_too():
    assert compact("Opvanglocatie_Postcode") == "opvanglocatiepostcode"
    assert compact("aantal kindplaatsen") == "aantalkindplaatsen"
    assert compact("LRK-ID") == "lrkid"


def test_titles_name_the_same_keys_however_they_are_written():
    assert key_for_title("Regio's") == "RegioS"
    assert key_for_title("0 tot 15 jaar") == "k_0Tot15Jaar"
    assert key_for_title("Jongeren met jeugdzorg in natura") == "JongerenMetJeugdzorgInNatura"
    assert key_for_title("AFSTAND TOT KINDERDAGVERBLIJF") == "AfstandTotKinderdagverblijf"
    assert key_for_title("Leerlingen basisonderwijs") == "LeerlingenPo"
    assert key_for_title("Bedrijfsvestigingen") is None


def test_every_stem_the_model_uses_has_a_title():
    assert set(KERNCIJFERS_STEMS) <= set(TITLE_KEYS.values())
