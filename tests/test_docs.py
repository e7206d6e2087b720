"""README and code stay honest: every page, CLI command, setting and make target is documented."""

import re
from pathlib import Path

from data_sources.cli import command_modules

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title):
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match, f"README has no section '{title}'"
    return match.group(1)


def test_every_cli_command_is_documented():
    section = _section("Opdrachtregel")
    for module in command_modules():
        assert f"`{module.NAME}" in section, f"command {module.NAME} missing from README"


def test_every_page_is_documented():
    titles = re.findall(r"st\.Page\([^)]*title=\"([^\"]+)\"", (ROOT / "app.py").read_text(encoding="utf-8"))
    section = _section("Pagina's")
    for title in titles:
        assert f"| {title} |" in section, f"page {title} missing from README"


def test_two_commands_exist_in_makefile_and_ci_calls_the_test_command():
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"`make (\w+)`", README):
        assert re.search(rf"^{target}:", makefile, re.M), f"make {target} is documented but missing"
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_settings_are_documented():
    section = _section("Configuratie")
    code = "\n".join(p.read_text() for p in ROOT.glob("*/*.py"))
    for name in set(re.findall(r'environ(?:\.get)?\(\s*"(KINDKAART_\w+)"', code)):
        assert f"`{name}`" in section, f"setting {name} missing from README"


def test_pinned_requirements_are_explained():
    section = _section("Afhankelijkheden")
    for line in (ROOT / "requirements.txt").read_text().splitlines() + (
            ROOT / "requirements-dev.txt").read_text().splitlines():
        if "==" in line:
            name = line.split("==")[0].strip()
            assert name in section, f"{name} is pinned but not explained in README"


def test_screenshot_exists():
    assert (ROOT / "docs" / "screenshot.png").stat().st_size > 10_000


def test_contents_line_links_every_section():
    """The README's 'Inhoud' line links each '## ' section by the anchor GitHub gives it, in order."""
    contents = re.search(r"^\*\*Inhoud:\*\* (.+)$", README, re.M)
    assert contents, "README has no 'Inhoud' line"
    links = re.findall(r"\[([^\]]+)\]\(#([^)]+)\)", contents.group(1))
    headings = re.findall(r"^## (.+)$", README, re.M)
    assert [title for title, _ in links] == headings
    for title, anchor in links:
        assert anchor == re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-"), title


def _anchors(text: str):
    """The anchors GitHub gives the headings of a markdown text (a repeated heading gets -1, -2)."""
    seen: dict[str, int] = {}
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        heading = not in_code and re.match(r"#{1,6} (.+)$", line)
        if heading:
            base = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            seen[base] = seen.get(base, -1) + 1
            yield base if seen[base] == 0 else f"{base}-{seen[base]}"


def test_local_links_in_readme_and_docs_resolve():
    """Every markdown link to a file or heading in README.md and docs/*.md leads somewhere, also after
    text moved from the README into docs/ (a link there is relative to docs/)."""
    checked = 0
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                continue
            file_part, _, fragment = target.partition("#")
            linked = (path.parent / file_part) if file_part else path
            assert linked.exists(), f"{path.relative_to(ROOT)}: {target} does not exist"
            if fragment:
                assert fragment in set(_anchors(linked.read_text(encoding="utf-8"))), \
                    f"{path.relative_to(ROOT)}: {target} has no such heading"
            checked += 1
    assert checked >= 30
