#!/usr/bin/env python3
"""Regenerate the two rustdoc inputs that typeset the formulas of the API docs with KaTeX,
offline, from the vendored KaTeX files in this directory (npm package `katex`, MIT, see
`LICENSE` here; version in `VERSION`):

* `docs/katex-header.html` (rustdoc `--html-in-header`, copied into every page): katex.min.js
  and contrib/auto-render.min.js inline, and the call of auto-render (options below);
* `docs/katex/katex-embedded.css` (rustdoc `--extend-css`, written once to `target/doc/theme.css`
  and linked from every page): katex.min.css with the woff2 fonts as base64 `data:` URIs.

Both outputs are committed, so `cargo doc` needs neither npm nor the network. Run this only after
updating the vendored files: `python3 docs/katex/generate.py` (from anywhere).
"""

import base64
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
DOCS = HERE.parent

# `$$…$$` before `$…$`. Code (`<code>`, `<pre>`) is skipped by auto-render's default
# `ignoredTags`, repeated here so the list is explicit. `throwOnError: false` shows a bad
# formula in red (class `katex-error`) instead of leaving the page untypeset;
# `docs/check-katex.sh` fails on any. rustdoc's smart punctuation has turned `'` into `’` (and
# `"` into curly quotes, `...` into `…`) before KaTeX sees the text: `preProcess` maps them back,
# so `$f'(x)$` is a prime.
CONFIG = """
document.addEventListener("DOMContentLoaded", function () {
  renderMathInElement(document.body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
    ],
    ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"],
    throwOnError: false,
    errorColor: "#cc0000",
    preProcess: function (math) {
      return math.replace(/[\\u2018\\u2019]/g, "'").replace(/[\\u201c\\u201d]/g, '"').replace(/\\u2026/g, "\\\\dots ");
    },
  });
});
"""


def read(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def embedded_css() -> str:
    css = read("katex.min.css")

    def inline(match: re.Match) -> str:
        font = match.group(1)
        data = base64.b64encode((HERE / "fonts" / f"{font}.woff2").read_bytes()).decode("ascii")
        return f'src:url(data:font/woff2;base64,{data}) format("woff2")'

    # Each @font-face lists woff2, woff and ttf; only woff2 is vendored (every current browser).
    css, n = re.subn(
        r'src:url\(fonts/([A-Za-z0-9_-]+)\.woff2\) format\("woff2"\)'
        r'(?:,url\(fonts/[A-Za-z0-9_.-]+\) format\("[a-z]+"\))*',
        inline,
        css,
    )
    assert n == len(list((HERE / "fonts").glob("*.woff2"))), n
    assert "url(fonts/" not in css
    version = read("VERSION").strip()
    return f"/* KaTeX {version} (MIT, docs/katex/LICENSE), fonts inlined by docs/katex/generate.py */\n{css}\n"


def header() -> str:
    version = read("VERSION").strip()
    parts = [read("katex.min.js"), read("contrib/auto-render.min.js"), CONFIG]
    for part in parts:
        assert "</script" not in part.lower()
    scripts = "\n".join(f"<script>{p.strip()}</script>" for p in parts)
    return (
        f"<!-- KaTeX {version} (MIT, docs/katex/LICENSE), inlined by docs/katex/generate.py: do not edit. "
        "Its stylesheet and fonts come with --extend-css docs/katex/katex-embedded.css. -->\n"
        f"{scripts}\n"
    )


def main() -> None:
    (HERE / "katex-embedded.css").write_text(embedded_css(), encoding="utf-8")
    (DOCS / "katex-header.html").write_text(header(), encoding="utf-8")


if __name__ == "__main__":
    main()
