#!/usr/bin/env bash
# Checks that every formula of the API docs is typeset by KaTeX: renders each page of the
# crate's docs (target/doc/ntk_sphere and target/doc/ntk) in headless Chromium and fails on any
# KaTeX error (`.katex-error`) or `$` left untypeset in prose; also fails on a doc comment whose
# backslash markdown eats before KaTeX sees it (`\,` instead of `\\,`, which renders silently
# wrong). Needs chromium (e.g. `apt-get install chromium`) and python3, so it is not part of
# .ci/run. Builds the docs first with the flags of .ci/run. Run from anywhere:
#   docs/check-katex.sh            # whole crate (about ten minutes on two busy cores)
#   docs/check-katex.sh PAGE.html  # given rendered pages only, no build
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[[ -n $chromium ]] || { echo "check-katex: chromium not found (set CHROMIUM=...)" >&2; exit 2; }

status=0
python3 docs/check-katex.py src src || status=1

if (($#)); then
    pages=("$@")
else
    RUSTDOCFLAGS="-D warnings --html-in-header docs/katex-header.html --extend-css docs/katex/katex-embedded.css" \
        cargo doc --no-deps
    doc=$(cargo metadata --no-deps --format-version 1 |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/doc
    mapfile -t all < <(find "$doc/ntk_sphere" "$doc/ntk" -name '*.html' | sort)
    # Only pages with a `$` in their text can hold a formula.
    mapfile -t pages < <(python3 docs/check-katex.py candidates "${all[@]}")
    echo "check-katex: ${#all[@]} pages, ${#pages[@]} with a \$ to render"
fi

dump=$(mktemp -d)
trap 'rm -rf "$dump"' EXIT
export chromium dump
# One Chromium per page, two at a time; each dump starts with the page's name.
printf '%s\0' "${pages[@]}" | xargs -0 -P "${JOBS:-2}" -n 1 bash -c '
    out=$dump/$(printf %s "$1" | md5sum | cut -c1-32).html
    { printf "%s\n" "$1"
      "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
          --no-first-run --dump-dom "file://$(realpath "$1")" 2>/dev/null; } >"$out"
' _
python3 docs/check-katex.py dom "$dump"/*.html || status=1
exit $status
