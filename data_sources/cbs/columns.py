"""The CBS columns Kindkaart reads, by OData stem, and the titles other formats name them by."""

from __future__ import annotations

from data_sources.text import normalise

# The stems of Kerncijfers wijken en buurten that the model and the pages use; a table version
# without one of them loads with a warning (the figures are then missing for that year).
KERNCIJFERS_STEMS = (
    "k_0Tot15Jaar", "HuishoudensMetKinderen", "LeerlingenPo", "JongerenMetJeugdzorgInNatura",
    "PercentageJongerenMetJeugdzorg", "AfstandTotKinderdagverblijf", "AfstandTotSchool",
    "MateVanStedelijkheid",
)

# Titles -> keys, for a StatLine export with titles as column headers and for OData v4, which
# names measures by code (M000352) and title. Without the unit in parentheses.
TITLE_KEYS = {
    "wijken en buurten": "WijkenEnBuurten", "regio's": "RegioS", "perioden": "Perioden",
    "geslacht": "Geslacht", "leeftijd": "Leeftijd", "burgerlijke staat": "BurgerlijkeStaat",
    "gemeentenaam": "Gemeentenaam", "soort regio": "SoortRegio", "codering": "Codering",
    "bevolking op 1 januari": "BevolkingOp1Januari",
    "aantal inwoners": "AantalInwoners", "0 tot 15 jaar": "k_0Tot15Jaar",
    "huishoudens met kinderen": "HuishoudensMetKinderen", "huishoudens totaal": "HuishoudensTotaal",
    "leerlingen po": "LeerlingenPo", "leerlingen basisonderwijs": "LeerlingenPo",
    "jongeren met jeugdzorg in natura": "JongerenMetJeugdzorgInNatura",
    "percentage jongeren met jeugdzorg": "PercentageJongerenMetJeugdzorg",
    "afstand tot kinderdagverblijf": "AfstandTotKinderdagverblijf",
    "afstand tot school": "AfstandTotSchool", "mate van stedelijkheid": "MateVanStedelijkheid",
}
_BY_TITLE = {normalise(title): key for title, key in TITLE_KEYS.items()}


def key_for_title(title: str) -> str | None:
    """The key of a column named by its title (case, accents and punctuation do not matter), or
    None for a title Kindkaart does not read."""
    return _BY_TITLE.get(normalise(title))
