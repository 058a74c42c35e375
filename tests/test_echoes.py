"""Copies of a value the no-plain-secrets rule flags are replaced wherever the plan prints text
(plan/echoes.py); the end-to-end case is in test_secret_leaks.py."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from private_serverless.core.inventory import SECRET_PLACEHOLDER, ResourceRecord
from private_serverless.plan.echoes import MIN_ECHO_LENGTH, flagged_strings, scrubber

# Letters and digits only: no flagged value can then form across a placeholder's brackets.
alnum = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=40)
flagged = st.sets(
    st.text(alphabet="abcdef0123456789", min_size=MIN_ECHO_LENGTH, max_size=16), max_size=4
)


@given(strings=flagged, parts=st.lists(alnum, max_size=5), data=st.data())
def test_no_flagged_string_survives_in_any_nested_value(strings, parts, data) -> None:
    # Texts built around the flagged strings, so that copies really occur.
    pool = sorted(strings) or [""]
    texts = [part + data.draw(st.sampled_from(pool)) + part for part in parts]
    value = {"list": texts, "map": {"one": "".join(texts)}, "number": 3}
    scrubbed = scrubber(strings)(value)
    flat = repr(scrubbed)
    assert not [text for text in strings if text in flat]
    assert scrubbed["number"] == 3
    # What held no flagged string is unchanged.
    for before, after in zip(texts, scrubbed["list"], strict=True):
        if not any(text in before for text in strings):
            assert after == before


def _record(name: str, inputs: dict[str, object]) -> ResourceRecord:
    return ResourceRecord(urn=f"urn:{name}", type="t", name=name, inputs=inputs)


def test_flagged_strings_are_what_redaction_replaced_and_long_enough_to_find() -> None:
    before = [
        _record("a", {"env": {"NOTE": "ghp_0123456789abcdef", "API_TOKEN": "debug", "X": "kept"}}),
        _record("b", {"args": ["--token", "0123456789abcdefXY"]}),
        _record("c", {"description": "nothing flagged"}),
    ]
    after = [
        _record(
            "a", {"env": {"NOTE": SECRET_PLACEHOLDER, "API_TOKEN": SECRET_PLACEHOLDER, "X": "kept"}}
        ),
        _record("b", {"args": SECRET_PLACEHOLDER}),
        before[2],
    ]
    assert flagged_strings(before, after) == {"ghp_0123456789abcdef", "0123456789abcdefXY"}
