"""The shortest string the detect-secrets plugins can report, derived from their patterns.

A value shorter than :data:`SHORTEST_PLUGIN_MATCH` skips the plugins (and their import): sound
only while no pattern of the installed detect-secrets matches fewer characters.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the pattern parser the re module itself uses

from detect_secrets.plugins.base import RegexBasedDetector
from hypothesis import given
from hypothesis import strategies as st
from private_serverless.sensitive import detectors


def _shortest_match(pattern: re.Pattern[str]) -> int:
    low, _ = sre_parse.parse(pattern.pattern, pattern.flags).getwidth()
    return int(low)


def test_no_plugin_pattern_matches_fewer_characters_than_the_bound() -> None:
    plugins = [plugin for plugin, _ in detectors._plugins()]
    widths = []
    for plugin in plugins:
        # Each plugin yields only matches of its patterns (RegexBasedDetector.analyze_string;
        # the JWT one filters them further).
        assert isinstance(plugin, RegexBasedDetector), type(plugin).__name__
        widths += [_shortest_match(pattern) for pattern in plugin.denylist]
    assert min(widths) == detectors.SHORTEST_PLUGIN_MATCH


@given(st.text(max_size=detectors.SHORTEST_PLUGIN_MATCH - 1))
def test_a_shorter_string_is_reported_by_no_plugin(text: str) -> None:
    for plugin, _ in detectors._plugins():
        assert list(plugin.analyze_string(text)) == []
