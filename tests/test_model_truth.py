"""One truth across pages (issue 15), as a controller checks it: the same figure read from every
place it is shown (Overzicht, Kaart, Continuüm, Tekorten, the slides, the workbook, the report,
the factsheet, the CLI export) has the same value, rounding, suppression and unit; and every
source line the model cites says what the model says it does."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
MODEL_DOC = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
PARAMETERS = (ROOT / "transforms" / "parameters.csv").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
CITATION = re.compile(r"\b(00[0-4]):L(\d+)(?:-L?(\d+))?")

needs_seeds = pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds ontbreekt")


def _seed(number: str) -> list[str]:
    path = next(SEEDS.glob(f"{number}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()


def _cited(number: str, first: str, last: str | None) -> str:
    lines = _seed(number)
    start, end = int(first), int(last or first)
    assert 1 <= start <= end <= len(lines), f"{number}:L{first}-{last} is not in the seed text"
    return " ".join(lines[start - 1:end])


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


@needs_seeds
@pytest.mark.parametrize("name, text", [("docs/model.md", MODEL_DOC),
                                        ("transforms/parameters.csv", PARAMETERS)])
def test_every_cited_seed_line_exists_and_has_text(name, text):
    citations = CITATION.findall(text)
    assert len(citations) > 10, name
    for number, first, last in citations:
        assert _cited(number, first, last).strip(), f"{name}: {number}:L{first} is an empty line"


@needs_seeds
def test_quoted_seed_lines_say_what_is_quoted():
    quotes = [
        # parameters.csv: 000:L204 'Voor ca. 1-5% van de kinderen'
        *re.findall(r"(00[0-4]):L(\d+)(?:-(\d+))? '([^']+)'", PARAMETERS),
        # model.md: (000:L200: "versterking van de professionals rond het kind")
        *re.findall(r"(00[0-4]):L(\d+)(?:-(\d+))?: \"([^\"]+)\"", MODEL_DOC),
        # model.md: "aangewezen op ... DJK/MKD/MOC/KDC", 000:L210
        *[(n, a, b, q) for q, n, a, b in
          re.findall(r"\"([^\"]+)\", (00[0-4]):L(\d+)(?:-(\d+))?", MODEL_DOC)],
        # model.md's niveau table: | 3 ... | "Voor ca. 1-5% van de kinderen" | 1-3-5 % | 000:L204 |
        *[(n, a, "", q) for q, n, a in
          re.findall(r"^\|[^|]*\| \"([^\"]+)\" \|[^|]*\| (00[0-4]):L(\d+) \|$", MODEL_DOC, re.M)],
    ]
    assert len(quotes) >= 10
    for number, first, last, quote in quotes:
        assert _plain(quote) in _plain(_cited(number, first, last)), \
            f"{number}:L{first} does not say {quote!r}"


# The rows of the handreiking's data table (000:L543-553) by the name the model uses for them
DATA_TABLE_ROWS = {
    "kinderopvang-bezetting": "Totaal aantal kinderen in de kinderopvang",  # row 3
    "vve criteria": "Aantal vve-indicaties",  # row 4
    "groepsgrootte": "Gemiddelde groepsgrootte",  # row 10
    "row 2": "Aantal kinderen met extra ondersteuningsbehoefte",
    "row 5": "Aantal kinderen in (voortgezet) speciaal onderwijs",
    "row 7": "Inzet van extra ondersteuningsmogelijkheden",
    "row 8": "Aantal kinderen met een jeugdhulpindicatie",
}


@needs_seeds
def test_the_data_table_rows_are_cited_at_their_own_line():
    # before: row 3 (kinderopvang-bezetting) was cited as 000:L547, the vve row, and the vve
    # criteria as 000:L548, the (v)so row
    checked = 0
    for text in (MODEL_DOC, PARAMETERS, README):
        for name, row_text in DATA_TABLE_ROWS.items():
            for line in re.findall(rf"{re.escape(name)}\*?,? (?:\(|)?000:L(\d+)\b", text):
                assert _cited("000", line, None).startswith(row_text), (name, line)
                checked += 1
    assert checked >= 10
