"""Text from outside (links, files, accounts, organisations, scenarios) shown as plain text.

Every Streamlit text element (st.warning, st.caption, st.markdown, a title, ...) renders markdown,
and pages write text from outside into them: a query parameter, a file or sheet name, a cell, an
organisation, login or scenario name. Unescaped, `![](http://...)` makes every browser that shows
it fetch a foreign image and `[...](https://...)` puts a foreign link in a trusted notice. One
helper, one code path: `plain()` before any such text goes into markdown (or, inside our own HTML,
outputs.html.esc).
"""

from __future__ import annotations

import re

# What could make the browser show a link or fetch anything, each escaped with a backslash (then it
# stands for itself): links and images ([ ] !), HTML tags and <autolinks> (< >), entities (&),
# LaTeX ($), code (`), the backslash itself, and the autolink literals of GitHub markdown:
# "http://" and the like (the colon of "://"), "www." and e-mail addresses (@). Streamlit's colour
# directives (:red[...]) need a "[" too. Emphasis, headings and the like only change how the text
# looks; their characters (* _ # : . -) stay as they are, so that file names, columns
# (a_00_14) and messages read as they are.
_SPECIAL = re.compile(r"([\\\[\]!<>&$`@]|(?<=[A-Za-z]):(?=//)|(?<=[Ww]{3})\.)")


def plain(value: object) -> str:
    """`value` as text that markdown shows literally, on one line (a line break in a name could
    start a heading or a list)."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(value).split()))
