"""Helpers for accessibility browser tests: wait for Streamlit to finish, run axe-core, open expanders."""

from __future__ import annotations

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Not WCAG success criteria in axe's tags, but what the issue asks of headings.
OUTLINE_RULES = ["heading-order", "page-has-heading-one", "empty-heading"]
# No rule is excluded: ui.a11y repairs the one violation Streamlit's own markup caused (the
# grouped sidebar navigation's `list`/`listitem`). One that cannot be repaired would be excluded
# here by rule and element, with its cause, and named in the README and docs/toegankelijkheid.md.


def settle(page) -> None:
    """Wait until Streamlit has finished the run and drawn every chart (axe sees the final page)."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)
    page.wait_for_function(
        """() => !document.querySelector("[data-testid='stStatusWidget']")
            && document.querySelectorAll("[data-stale='true']").length === 0
            && document.documentElement.lang === 'nl'
            && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stAppSkeleton']")
            && [...document.querySelectorAll("[data-testid='stPlotlyChart']")]
                   .every((chart) => chart.querySelector('.main-svg'))""",
        timeout=60_000)


def axe_violations(page, rules: list[str] | None = None) -> list[str]:
    """axe-core's violations on the page as 'rule: target (summary)' lines, one per element:
    the WCAG 2.0/2.1 A and AA rules, or the named `rules`."""
    from axe_playwright_python.sync_playwright import Axe

    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_TAGS}
    # axe judges the page as it stays, not a frame of a fade: an element Streamlit is still fading
    # in (or out) is half transparent and measured grey (#838383 on Databronnen, once in a CI run)
    page.add_style_tag(content="*, *::before, *::after { transition: none !important;"
                               " animation: none !important; }")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    results = Axe().run(page, options={"runOnly": run_only, "resultTypes": ["violations"]})
    return [f"{violation['id']}: {node['target']} ({(node.get('failureSummary') or '').splitlines()[-1]})"
            for violation in results.response["violations"] for node in violation["nodes"]]


def open_expanders(page) -> None:
    """Open every expander, so that axe checks the tables and controls inside as well."""
    closed = page.locator("[data-testid='stExpander'] details:not([open]) > summary")
    while closed.count():
        closed.first.click()
    settle(page)
    # Streamlit opens an expander with an animation that holds its height for a moment
    page.wait_for_function("() => !document.querySelector(\"[data-testid='stExpander'] details[style*='height']\")",
                           timeout=10_000)


# Chart text is SVG inside an image for screen readers, so axe does not check its colour: the
# fill of every text plotly drew, against the white chart background (ui.theme.screen_look).
_CHART_TEXT_CONTRAST = """() => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = (rgb) => 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
  return [...document.querySelectorAll('.js-plotly-plot svg text')]
    .filter((t) => t.textContent.trim() && getComputedStyle(t).fill.startsWith('rgb'))
    .map((t) => {
      const rgb = getComputedStyle(t).fill.match(/[0-9.]+/g).map(Number);
      return [t.textContent.trim().slice(0, 30), (1.05) / (luminance(rgb) + 0.05)];
    });
}"""


def low_contrast_chart_text(page, minimum: float = 4.5) -> list[str]:
    """Texts of the page's charts whose colour on white is below `minimum` (WCAG 1.4.3)."""
    found = page.evaluate(_CHART_TEXT_CONTRAST)
    assert found, "geen grafiektekst gevonden"
    return [f"{text!r} {ratio:.2f}:1" for text, ratio in found if ratio < minimum]


# Text the reader cannot see in full (WCAG 1.4.10 Reflow, 1.4.12 Tekstafstand): every text on the
# page, in HTML or in a chart's SVG, that sticks out of a box that cuts it off (overflow hidden,
# a chart's SVG, an ellipsis) or out of the window sideways. Text in a box that scrolls (a table
# or a chart of panels in its own box) can be scrolled to; text hidden on purpose for screen
# readers only (a box of 1 px) is not shown at all.
_CUT_OFF_TEXT = """() => {
  const width = document.documentElement.clientWidth, cut = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.nodeValue.trim() || node.parentElement.closest('script, style, noscript')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const text = range.getBoundingClientRect();
    if (text.width === 0 || text.height === 0) continue;
    let where = null, shown = true;
    for (let box = node.parentElement; box; box = box.parentElement) {
      const style = getComputedStyle(box), rect = box.getBoundingClientRect();
      if (rect.width <= 2 || rect.height <= 2 || style.visibility === 'hidden') { shown = false; break; }
      const outside = [text.left < rect.left - 1 || text.right > rect.right + 1,
                       text.top < rect.top - 1 || text.bottom > rect.bottom + 1];
      // the page itself scrolls down, never sideways
      if (box.dataset.testid === 'stMain' || ['HTML', 'BODY'].includes(box.tagName)) {
        if (text.left < -1 || text.right > width + 1) where = 'venster';
        break;
      }
      if (['auto', 'scroll'].includes(style.overflowX) || ['auto', 'scroll'].includes(style.overflowY)) break;
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible' || box.tagName === 'svg') {
        if (outside[0] || outside[1]) where = box.getAttribute('data-testid') || box.tagName.toLowerCase();
        if (where) break;
      }
    }
    if (shown && where) cut.push(`${node.nodeValue.trim().slice(0, 60)} (${where})`);
  }
  return cut;
}"""

# The WCAG 1.4.12 test values, on every element: line height 1.5, paragraphs 2 em apart,
# letters 0.12 em and words 0.16 em.
TEXT_SPACING = ("* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
                " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }")


def titled_chart_tops(page) -> list[float]:
    """The room above the plot area (px) of every chart with a title: the title stands above the
    chart as page text and is hidden in it, so a chart keeps only the room that hidden title needs
    (one line of 21 px and its padding), not 60-100 px of white (ui.safe.tight_title)."""
    return page.evaluate("[...document.querySelectorAll('.js-plotly-plot')]"
                         ".filter(p => p.querySelector('.gtitle')).map(p => p._fullLayout._size.t)")


def cut_off_text(page) -> list[str]:
    """The texts on the page that cannot be read in full where they stand (see _CUT_OFF_TEXT)."""
    return page.evaluate(_CUT_OFF_TEXT)


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])


def contrast(first: tuple[int, ...], second: tuple[int, ...]) -> float:
    """WCAG's contrast ratio of two sRGB colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def focus_change(focused_png: bytes, unfocused_png: bytes) -> int:
    """The number of pixels whose colour changes by at least 3:1 between two screenshots of the
    same place, with and without the focus: the area of a focus indicator one can see (WCAG 2.4.7
    with the 3:1 of 1.4.11 for the state of a control). A light, half-transparent ring (Streamlit's
    own, 2.1:1 on white) or a grey background on the navigation changes no pixel that much."""
    import io

    from PIL import Image

    focused = Image.open(io.BytesIO(focused_png)).convert("RGB")
    unfocused = Image.open(io.BytesIO(unfocused_png)).convert("RGB")
    before, after = unfocused.tobytes(), focused.tobytes()
    seen: dict[tuple, bool] = {}
    changed = 0
    for start in range(0, len(after), 3):
        pair = (tuple(after[start:start + 3]), tuple(before[start:start + 3]))
        if pair[0] != pair[1]:
            if pair not in seen:
                seen[pair] = contrast(*pair) >= 3
            changed += seen[pair]
    return changed
