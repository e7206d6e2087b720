"""The CBS columns Kindkaart reads, by OData stem, and the titles and short names other formats use."""

from __future__ import annotations

from data_sources.text import normalise

# The stems of Kerncijfers wijken en buurten that the model and the pages use; a table version
# without one of them loads with a warning (the figures are then missing for that year).
KERNCIJFERS_STEMS = (
    "k_0Tot15Jaar", "HuishoudensMetKinderen", "LeerlingenPo", "JongerenMetJeugdzorgInNatura",
    "PercentageJongerenMetJeugdzorg", "AfstandTotKinderdagverblijf", "AfstandTotSchool",
    "MateVanStedelijkheid",
)

# CBS's indicator of a changed indeling per region and year, compared with the year before: 1 code
# and area unchanged (a new name is possible), 2 another code for the same area, 3 another area
# (the figures cannot simply be compared). OData types it as text ('1'); stored as a number.
INDELING_STEM = "IndelingswijzigingGemeenteWijkBuurt"
INDELING_OTHER_AREA = 3

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
    # the Jeugdmonitor per wijk (85075NED, 85685NED: "Jongeren met jeugdzorg en
    # jeugdzorgtrajecten in natura; wijken"): its regions are the dimension 'Wijken', its forms of
    # care a dimension, the young people with jeugdzorg in natura in total and by age
    "wijken": "WijkenEnBuurten", "vormen van jeugdzorg": "VormenVanJeugdzorg",
    "totaal jongeren met jeugdzorg in natura": "TotaalJongerenMetJeugdzorgInNatura",
    "0 tot 4 jaar": "k_0Tot4Jaar", "4 tot 12 jaar": "k_4Tot12Jaar",
    "12 tot 18 jaar": "k_12Tot18Jaar", "18 tot 23 jaar": "k_18Tot23Jaar",
}
# The Jeugdmonitor's key of its regions ('Wijken') is read as the kerncijfers' WijkenEnBuurten
KEY_ALIASES = {"Wijken": "WijkenEnBuurten"}
_BY_TITLE = {normalise(title): key for title, key in TITLE_KEYS.items()}

# Short names of the kwb-<year> download -> stems of the OData topics (CBS "Toelichting
# variabelen kwb-2024": same definitions, matched by title; jeugdzorg and wmo by definition).
KWB_STEMS: dict[str, str] = {
    "a_inw": "AantalInwoners", "a_man": "Mannen", "a_vrouw": "Vrouwen",
    "a_00_14": "k_0Tot15Jaar", "a_15_24": "k_15Tot25Jaar", "a_25_44": "k_25Tot45Jaar",
    "a_45_64": "k_45Tot65Jaar", "a_65_oo": "k_65JaarOfOuder",
    "a_ongeh": "Ongehuwd", "a_gehuwd": "Gehuwd", "a_gesch": "Gescheiden", "a_verwed": "Verweduwd",
    "a_geb": "GeboorteTotaal", "p_geb": "GeboorteRelatief", "a_ste": "SterfteTotaal",
    "p_ste": "SterfteRelatief", "a_hh": "HuishoudensTotaal", "a_1p_hh": "Eenpersoonshuishoudens",
    "a_hh_z_k": "HuishoudensZonderKinderen", "a_hh_m_k": "HuishoudensMetKinderen",
    "g_hhgro": "GemiddeldeHuishoudensgrootte", "bev_dich": "Bevolkingsdichtheid",
    "a_woning": "Woningvoorraad", "g_wozbag": "GemiddeldeWOZWaardeVanWoningen",
    "p_1gezw": "PercentageEengezinswoning", "p_mgezw": "PercentageMeergezinswoning",
    "p_koopw": "Koopwoningen", "p_huurw": "HuurwoningenTotaal",
    "p_wcorpw": "InBezitWoningcorporatie", "p_ov_hw": "InBezitOverigeVerhuurders",
    "g_ele": "GemiddeldeElektriciteitsleveringTotaal", "g_gas": "GemiddeldAardgasverbruikTotaal",
    "p_stadsv": "PercentageWoningenMetStadsverwarming", "p_arb_pp": "Nettoarbeidsparticipatie",
    "p_arb_wn": "PercentageWerknemers", "p_arb_zs": "PercentageZelfstandigen",
    "a_inkont": "AantalInkomensontvangers", "g_ink_po": "GemiddeldInkomenPerInkomensontvanger",
    "g_ink_pi": "GemiddeldInkomenPerInwoner", "p_ink_li": "k_40PersonenMetLaagsteInkomen",
    "p_ink_hi": "k_20PersonenMetHoogsteInkomen", "g_hh_sti": "GemGestandaardiseerdInkomenVanHuish",
    "p_hh_li": "k_40HuishoudensMetLaagsteInkomen", "p_hh_hi": "k_20HuishoudensMetHoogsteInkomen",
    "p_hh_lkk": "HuishoudensMetEenLaagInkomen", "p_hh_osm": "HuishOnderOfRondSociaalMinimum",
    "p_hh_110": "HuishoudensTot110VanSociaalMinimum",
    "p_hh_120": "HuishoudensTot120VanSociaalMinimum",
    "m_hh_ver": "MediaanVermogenVanParticuliereHuish",
    "a_soz_wb": "PersonenPerSoortUitkeringBijstand", "a_soz_ao": "PersonenPerSoortUitkeringAO",
    "a_soz_ww": "PersonenPerSoortUitkeringWW", "a_soz_ow": "PersonenPerSoortUitkeringAOW",
    "a_jz_tn": "JongerenMetJeugdzorgInNatura", "p_jz_tn": "PercentageJongerenMetJeugdzorg",
    "a_wmo_t": "WmoClienten", "p_wmo_t": "WmoClientenRelatief",
    "a_bedv": "BedrijfsvestigingenTotaal", "a_pau": "PersonenautoSTotaal",
    "g_pau_hh": "PersonenautoSPerHuishouden", "a_m2w": "Motorfietsen",
    "g_afs_hp": "AfstandTotHuisartsenpraktijk", "g_afs_gs": "AfstandTotGroteSupermarkt",
    "g_afs_kv": "AfstandTotKinderdagverblijf", "g_afs_sc": "AfstandTotSchool",
    "g_3km_sc": "ScholenBinnen3Km", "a_opp_ha": "OppervlakteTotaal", "a_lan_ha": "OppervlakteLand",
    "a_wat_ha": "OppervlakteWater", "pst_dekp": "Dekkingspercentage",
    "ste_mvs": "MateVanStedelijkheid", "ste_oad": "Omgevingsadressendichtheid",
    # names in other years: pupils of primary schools (kwb2024.xlsx, kwb2025.xlsx; "Leerlingen po"
    # in 85984NED, measure A025301 of 86165NED), and the average WOZ value as kwb-2016 to
    # kwb-2019 name it (g_wozbag from 2020 on)
    "a_ons_po": "LeerlingenPo", "g_woz": "GemiddeldeWOZWaardeVanWoningen",
    # CBS's own mark of a changed indeling (1 unchanged, 2 other code, 3 other area than the year
    # before): a wijk's line on Trends breaks where its area changed
    "ind_wbi": INDELING_STEM,
}
# The titles of those columns in the StatLine table of the kwb (85984NED's DataProperties, the same
# words in every year): a kwb CSV "met titels" gives the same stems as the kwb-<year> download.
# Matched on the last title of the path: the kwb's "Nabijheid voorzieningen/Basisonderwijs/Afstand
# tot school" is its own AfstandTotSchool, not the Nabijheid table's measure.
KWB_TITLES: dict[str, str] = {
    "Aantal inwoners": "AantalInwoners", "Mannen": "Mannen", "Vrouwen": "Vrouwen",
    "0 tot 15 jaar": "k_0Tot15Jaar", "15 tot 25 jaar": "k_15Tot25Jaar",
    "25 tot 45 jaar": "k_25Tot45Jaar", "45 tot 65 jaar": "k_45Tot65Jaar",
    "65 jaar of ouder": "k_65JaarOfOuder", "Ongehuwd": "Ongehuwd", "Gehuwd": "Gehuwd",
    "Gescheiden": "Gescheiden", "Verweduwd": "Verweduwd", "Geboorte totaal": "GeboorteTotaal",
    "Geboorte relatief": "GeboorteRelatief", "Sterfte totaal": "SterfteTotaal",
    "Sterfte relatief": "SterfteRelatief", "Huishoudens totaal": "HuishoudensTotaal",
    "Eenpersoonshuishoudens": "Eenpersoonshuishoudens",
    "Huishoudens zonder kinderen": "HuishoudensZonderKinderen",
    "Huishoudens met kinderen": "HuishoudensMetKinderen",
    "Gemiddelde huishoudensgrootte": "GemiddeldeHuishoudensgrootte",
    "Bevolkingsdichtheid": "Bevolkingsdichtheid", "Woningvoorraad": "Woningvoorraad",
    "Gemiddelde WOZ-waarde van woningen": "GemiddeldeWOZWaardeVanWoningen",
    "Percentage eengezinswoning": "PercentageEengezinswoning",
    "Percentage meergezinswoning": "PercentageMeergezinswoning", "Koopwoningen": "Koopwoningen",
    "Huurwoningen totaal": "HuurwoningenTotaal",
    "In bezit woningcorporatie": "InBezitWoningcorporatie",
    "In bezit overige verhuurders": "InBezitOverigeVerhuurders",
    "Gemiddelde elektriciteitslevering totaal": "GemiddeldeElektriciteitsleveringTotaal",
    "Gemiddeld aardgasverbruik totaal": "GemiddeldAardgasverbruikTotaal",
    "Percentage woningen met stadsverwarming": "PercentageWoningenMetStadsverwarming",
    "Nettoarbeidsparticipatie": "Nettoarbeidsparticipatie",
    "Percentage werknemers": "PercentageWerknemers",
    "Percentage zelfstandigen": "PercentageZelfstandigen",
    "Aantal inkomensontvangers": "AantalInkomensontvangers",
    "Gemiddeld inkomen per inkomensontvanger": "GemiddeldInkomenPerInkomensontvanger",
    "Gemiddeld inkomen per inwoner": "GemiddeldInkomenPerInwoner",
    "40% personen met laagste inkomen": "k_40PersonenMetLaagsteInkomen",
    "20% personen met hoogste inkomen": "k_20PersonenMetHoogsteInkomen",
    "Gem. gestandaardiseerd inkomen van huish": "GemGestandaardiseerdInkomenVanHuish",
    "40% huishoudens met laagste inkomen": "k_40HuishoudensMetLaagsteInkomen",
    "20% huishoudens met hoogste inkomen": "k_20HuishoudensMetHoogsteInkomen",
    "Huishoudens met een laag inkomen": "HuishoudensMetEenLaagInkomen",
    "Huish. onder of rond sociaal minimum": "HuishOnderOfRondSociaalMinimum",
    "Huishoudens tot 110% van sociaal minimum": "HuishoudensTot110VanSociaalMinimum",
    "Huishoudens tot 120% van sociaal minimum": "HuishoudensTot120VanSociaalMinimum",
    "Mediaan vermogen van particuliere huish.": "MediaanVermogenVanParticuliereHuish",
    "Personen per soort uitkering; Bijstand": "PersonenPerSoortUitkeringBijstand",
    "Personen per soort uitkering; AO": "PersonenPerSoortUitkeringAO",
    "Personen per soort uitkering; WW": "PersonenPerSoortUitkeringWW",
    "Personen per soort uitkering; AOW": "PersonenPerSoortUitkeringAOW",
    "Jongeren met jeugdzorg in natura": "JongerenMetJeugdzorgInNatura",
    "Percentage jongeren met jeugdzorg": "PercentageJongerenMetJeugdzorg",
    "Wmo-cliënten": "WmoClienten", "Wmo-cliënten relatief": "WmoClientenRelatief",
    "Bedrijfsvestigingen totaal": "BedrijfsvestigingenTotaal",
    "Personenauto's totaal": "PersonenautoSTotaal",
    "Personenauto's per huishouden": "PersonenautoSPerHuishouden", "Motorfietsen": "Motorfietsen",
    "Afstand tot huisartsenpraktijk": "AfstandTotHuisartsenpraktijk",
    "Afstand tot grote supermarkt": "AfstandTotGroteSupermarkt",
    "Afstand tot kinderdagverblijf": "AfstandTotKinderdagverblijf",
    "Afstand tot school": "AfstandTotSchool", "Scholen binnen 3 km": "ScholenBinnen3Km",
    "Oppervlakte totaal": "OppervlakteTotaal", "Oppervlakte land": "OppervlakteLand",
    "Oppervlakte water": "OppervlakteWater", "Dekkingspercentage": "Dekkingspercentage",
    "Mate van stedelijkheid": "MateVanStedelijkheid",
    "Omgevingsadressendichtheid": "Omgevingsadressendichtheid",
    # the title of 85984NED (2024) and of older tables
    "Indelingswijziging gemeente, wijk, buurt": INDELING_STEM,
    "Indelingswijziging wijken en buurten": INDELING_STEM,
}
_BY_KWB_TITLE = {normalise(title): key for title, key in KWB_TITLES.items()}
# the kwb's region code column (gwb_code in older files), and its columns of codes and names
KWB_CODE_COLUMNS = ("gwb_code_10", "gwb_code")
KWB_TEXT_COLUMNS = {"gwb_code_10", "gwb_code_8", "gwb_code", "regio", "gm_naam", "recs",
                    "pst_mvp", "wk_code", "bu_code", "gm_code"}

# Dimension keys of the CBS tables -> their type in DataProperties, for formats without it
DIMENSION_KEYS = {"WijkenEnBuurten": "GeoDetail", "RegioS": "GeoDimension",
                  "Perioden": "TimeDimension", "Geslacht": "Dimension", "Leeftijd": "Dimension",
                  "BurgerlijkeStaat": "Dimension", "VormenVanJeugdzorg": "Dimension",
                  "Wijken": "GeoDetail"}

# The measures Kindkaart uses, matched on the end of their title path in the StatLine CSV header
# ("Kinderopvang/Kinderdagverblijf/Afstand tot kinderdagverblijf (km)") or in the OData topic
# groups. The same last title occurs under several groups ("Afstand tot school" under
# Basisonderwijs, Voortgezet onderwijs totaal, Vmbo, Havo/vwo), so the group decides.
# Stems start with Nabijheid: the kwb has its own AfstandTotKinderdagverblijf and AfstandTotSchool.
NABIJHEID_PATHS: dict[tuple[str, ...], str] = {
    ("kinderdagverblijf", "afstand tot kinderdagverblijf"): "NabijheidAfstandKinderdagverblijf",
    ("aantal kinderdagverblijven", "binnen 1 km"): "NabijheidKinderdagverblijvenBinnen1Km",
    ("aantal kinderdagverblijven", "binnen 3 km"): "NabijheidKinderdagverblijvenBinnen3Km",
    ("buitenschoolse opvang", "afstand tot buitenschoolse opvang"): "NabijheidAfstandBso",
    ("aantal buitenschoolse opvang", "binnen 1 km"): "NabijheidBsoBinnen1Km",
    ("aantal buitenschoolse opvang", "binnen 3 km"): "NabijheidBsoBinnen3Km",
    ("basisonderwijs", "afstand tot school"): "NabijheidAfstandBasisschool",
    ("basisonderwijs", "aantal scholen", "binnen 1 km"): "NabijheidBasisscholenBinnen1Km",
    ("basisonderwijs", "aantal scholen", "binnen 3 km"): "NabijheidBasisscholenBinnen3Km",
}
NABIJHEID_STEMS = frozenset(NABIJHEID_PATHS.values())


def key_for_title(title: str) -> str | None:
    """The key of a column named by its title (case, accents and punctuation do not matter), or
    None for a title Kindkaart does not read."""
    return _BY_TITLE.get(normalise(title))


def kwb_key_for_title(title: str) -> str | None:
    """The stem of a kerncijfers (kwb) column named by its last title, or None."""
    return _BY_KWB_TITLE.get(normalise(title)) or key_for_title(title)
