"""The examples in the docstrings run as written."""

import doctest

import ntk_sphere
import ntk_sphere._learning


def test_docstring_examples():
    for module in (ntk_sphere, ntk_sphere._learning):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__
    assert result.attempted > 0
