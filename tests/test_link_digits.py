"""Links with digits that are no digits for int(): '?jaar=2024²', '?dia=²', '?scenarios=1,²'. Before,
str.isdigit() took the superscript for a digit and int() then failed: the page stopped with an
error. Now such a parameter is ignored like any other that names nothing."""

from __future__ import annotations

import pytest
from conftest import run_page


@pytest.mark.parametrize(("page", "params"), [
    (None, {"jaar": "2024²"}),
    ("presentatie", {"dia": "²"}),
    ("scenarios", {"scenarios": "1,²"}),
], ids=["jaar", "dia", "scenarios"])
def test_a_superscript_digit_in_a_link_opens_the_page(app_db, page, params):
    at = run_page(page, params=params)
    assert not at.exception, at.exception
    assert at.title or at.header or at.markdown  # the page itself, not an error alone
