#!/usr/bin/env python3
r"""Helpers of docs/check-katex.sh (run that, not this).

`dom FILE...`: each FILE is the DOM of a rendered rustdoc page as dumped by headless Chromium,
with its page name on the first line. Reports every KaTeX error (`.katex-error`, a formula
KaTeX could not parse) and every `$` left in prose (a formula auto-render did not find, usually
because rustdoc's markdown split it, e.g. `_…_` or `*…*` made into emphasis).

`candidates PAGE...`: prints the pages whose HTML has a `$` outside `<script>`, the only ones
that can hold a formula (saves a Chromium run on each of the others).

`src DIR...`: scans the doc comments (`///`, `//!`) of the Rust files under DIR for a backslash
that markdown eats before KaTeX sees it (`\` + ASCII punctuation outside code): for KaTeX's
`\,`, `\{`, `\|`, `\!` a doc comment says `\\,`, `\\{`, `\\|`, `\\!`.
"""

import html.parser
import pathlib
import re
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SKIP = {"script", "style", "code", "pre", "textarea", "noscript", "option", "title"}


class Page(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (tag, skip text, inside an error, inside a formula)
        self.stack: list[tuple[str, bool, bool, bool]] = []
        self.errors: list[str] = []
        self.dollars: list[str] = []
        self.rendered = 0
        self._error_text: list[str] | None = None
        self._error_title = ""

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        style = (dict(attrs).get("style") or "").replace(" ", "").lower()
        skip = bool(self.stack and self.stack[-1][1]) or tag in SKIP or "katex" in classes
        in_error = bool(self.stack and self.stack[-1][2])
        in_formula = bool(self.stack and self.stack[-1][3]) or "katex" in classes
        if "katex" in classes:
            self.rendered += 1
        # A formula KaTeX cannot parse becomes `.katex-error`; an unknown command inside a
        # formula it can parse is typeset in the error colour (#cc0000, set in the header).
        unknown = in_formula and ("color:#cc0000" in style or "color:rgb(204,0,0)" in style)
        if ("katex-error" in classes or unknown) and not in_error:
            in_error = True
            self._error_text = []
            self._error_title = dict(attrs).get("title") or "unknown command"
            skip = True
        self.stack.append((tag, skip, in_error, in_formula))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            top, _, in_error, _ = self.stack.pop()
            if in_error and not (self.stack and self.stack[-1][2]):
                self.errors.append(f"{''.join(self._error_text or [])!r}: {self._error_title}")
                self._error_text = None
            if top == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][2] and self._error_text is not None:
            self._error_text.append(data)
        if self.stack and self.stack[-1][1]:
            return
        if "$" in data:
            # One report per text node: auto-render leaves the rest of a node as text after a
            # `$` without its partner.
            text = " ".join(data.split())
            at = text.index("$")
            self.dollars.append(f"{text.count('$')}x in {text[max(0, at - 40):at + 80]!r}")


def dom(files: list[str]) -> int:
    bad = 0
    rendered = 0
    pages = 0
    for f in files:
        text = pathlib.Path(f).read_text(encoding="utf-8", errors="replace")
        name, _, body = text.partition("\n")
        p = Page()
        p.feed(body)
        pages += 1
        rendered += p.rendered
        for e in p.errors:
            print(f"{name}: KaTeX error {e}")
        for d in p.dollars:
            print(f"{name}: unrendered $: {d}")
        bad += len(p.errors) + len(p.dollars)
        if "renderMathInElement" not in body:
            print(f"{name}: no KaTeX header (built without the rustdoc flags?)")
            bad += 1
    print(f"{pages} pages, {rendered} formulas rendered, {bad} problems")
    return 1 if bad else 0


# Markdown turns `\` + ASCII punctuation into the punctuation alone. Allowed on purpose:
# `\\` (a backslash), `\_` and `\*` (no emphasis), `\[` `\]` (no link), `` \` ``, `\<` `\>`.
EATEN = re.compile(r"(?<!\\)((?:\\\\)*)\\([!\"#$%&'()+,\-./:;=?@^{|}~])")
CODE_SPAN = re.compile(r"(`+)[^`]*?\1")


def src(dirs: list[str]) -> int:
    bad = 0
    for d in dirs:
        for path in sorted(pathlib.Path(d).rglob("*.rs")):
            fenced = False
            for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                m = re.match(r"\s*//[/!] ?(.*)", line)
                if not m:
                    continue
                doc = m.group(1)
                if doc.lstrip().startswith("```"):
                    fenced = not fenced
                    continue
                if fenced:
                    continue
                prose = CODE_SPAN.sub("", doc)
                for e in EATEN.finditer(prose):
                    print(f"{path}:{no}: markdown eats the backslash of `\\{e.group(2)}` "
                          f"(write `\\\\{e.group(2)}`): {doc.strip()}")
                    bad += 1
    return 1 if bad else 0


def candidates(pages: list[str]) -> int:
    for page in pages:
        text = pathlib.Path(page).read_text(encoding="utf-8", errors="replace")
        if "$" in re.sub(r"(?is)<script\b.*?</script>", "", text):
            print(page)
    return 0


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    sys.exit({"dom": dom, "src": src, "candidates": candidates}[mode](args))
