"""The README's Python example runs as written."""

import pathlib
import re


def test_readme_python_example(capsys):
    readme = (pathlib.Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## From Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1
    exec(compile(blocks[0], "README.md", "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    assert "inner product t = 1.5 is outside [-1, 1]" in out
