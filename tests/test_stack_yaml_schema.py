"""Stack files are read as YAML 1.2 (the core schema), not as PyYAML's YAML 1.1.

PyYAML reads `on`/`yes`/`no`/`off` as booleans, `12:30` as 750 and `017` as 15; YAML 1.2 reads
the first two as strings. Plain scalars that YAML 1.1 and 1.2 readers read differently are
refused with the key path, so the offline plan and `pulumi up` cannot silently differ.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from private_serverless.errors import ConfigurationError
from private_serverless.project.pulumi_project import find_project, read_stack_config
from private_serverless.project.stack_yaml import load_stack_yaml

LABEL = "stacks/Pulumi.x.yaml"


def _value(text: str) -> Any:
    return load_stack_yaml(f"a: {text}\n", LABEL)["a"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12:30", "12:30"),  # YAML 1.1: 750
        ("1:20:30.5", "1:20:30.5"),
        ("0o17", 15),  # YAML 1.1: the string "0o17"
        ("0x1F", 31),
        ("+12", 12),
        ("-7", -7),
        ("0", 0),
        ("true", True),
        ("True", True),
        ("FALSE", False),
        ("~", None),
        ("Null", None),
        ("", None),
        ("1e3", 1000.0),  # YAML 1.1: a string (no dot)
        (".5", 0.5),
        ("1.", 1.0),
        ("-.inf", -math.inf),
        ("=", "="),  # YAML 1.1: the "value" tag, no constructor
        ("2026-01-01", "2026-01-01"),
        ("'on'", "on"),
        ('"yes"', "yes"),
        ("!!str off", "off"),
        ("ab_cd", "ab_cd"),
        ("v1.2.3", "v1.2.3"),
        ("n", "n"),  # a YAML 1.1 boolean PyYAML never read as one: a name (a schedule `n`)
        ("Y", "Y"),
    ],
)
def test_plain_scalars_resolve_as_yaml_1_2_core(text: str, value: Any) -> None:
    read = _value(text)
    assert read == value and type(read) is type(value)


def test_nan_is_a_float() -> None:
    assert math.isnan(_value(".NaN"))


@pytest.mark.parametrize(
    "text",
    ["on", "On", "OFF", "yes", "No", "NO", "017", "-017", "08", "1_000", "2026_01", "0b101",
     "0X1F", "0O17", "-0x1f", "+0o7", "99999999999999999999", "0x1" + "0" * 16, "1e999",
     "!!int 017", "!!bool yes"],
)  # fmt: skip
def test_scalars_yaml_1_1_and_1_2_read_differently_are_refused(text: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        _value(text)
    assert str(info.value).startswith(f"{LABEL}: ")
    assert "quote it" in str(info.value) or "YAML 1.2" in str(info.value)


def test_the_reported_services_are_refused_not_merged_into_one_named_true() -> None:
    text = "config:\n  services:\n    on: {kind: function}\n    yes: {kind: function}\n"
    with pytest.raises(ConfigurationError) as info:
        load_stack_yaml(text, LABEL, project="demo")
    paths = [problem.path for problem in info.value.problems]
    assert paths == ["config.services.on", "config.services.yes"]
    assert all("quote it" in problem.message for problem in info.value.problems)


def test_quoted_they_are_two_services_as_written(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  demo:services:\n    'on': {kind: function}\n    'yes': {kind: function}\n"
        "  demo:env: {'ON': a, 'YES': b, 'NO': c, at: 12:30, mode: 0o17}\n"
    )
    config, _ = read_stack_config(find_project(tmp_path), "dev")
    assert json.loads(config["demo:services"]) == {
        "on": {"kind": "function"},
        "yes": {"kind": "function"},
    }
    assert json.loads(config["demo:env"]) == {
        "ON": "a",
        "YES": "b",
        "NO": "c",
        "at": "12:30",
        "mode": 15,
    }


def test_an_ambiguous_value_is_named_by_its_key_path_not_shown() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_stack_yaml("env:\n  PIN: 0123456789\n", LABEL)
    assert str(info.value).startswith(f"{LABEL}: env.PIN: a number written with a leading zero")
    assert "0123456789" not in str(info.value)


@pytest.mark.parametrize(
    "mapping",
    ["{true: a, True: b}", "{1: a, 0x1: b}", "{1: a, '1': b}", "{null: a, ~: b}",
     "{1: a, 1.0: b}", "{true: a, 'true': b}", "{15: a, 0o17: b}"],
)  # fmt: skip
def test_keys_are_duplicates_when_they_resolve_to_one(mapping: str) -> None:
    with pytest.raises(ConfigurationError, match="duplicate key"):
        load_stack_yaml(f"m: {mapping}\n", LABEL)


# Plain scalars built from what numbers, booleans and nulls are written with.
_SCALARS = st.text(
    alphabet="0123456789+-._:eExXoObBaAfFtrueTRUlsLSnNyY~", min_size=1, max_size=8
).filter(lambda text: text[0] not in "-:" and not re.search(r":(\s|$)", text))


def _read(text: str) -> tuple[bool, Any]:
    try:
        return True, _value(text)
    except ConfigurationError:
        return False, None


@given(_SCALARS)
@example("on")
@example("12:30")
@example("0o17")
def test_any_plain_scalar_is_read_as_yaml_1_2_or_refused(text: str) -> None:
    accepted, value = _read(text)
    if not accepted:
        return
    if isinstance(value, bool):
        assert text in ("true", "True", "TRUE", "false", "False", "FALSE")
    elif value is None:
        assert text in ("~", "null", "Null", "NULL")
    elif isinstance(value, int):
        assert re.fullmatch(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", text)
        assert value == (int(text[2:], 8) if text.startswith("0o") else int(text, 0))
    elif isinstance(value, float):
        assert re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", text)
        assert value == float(text)
    else:
        assert value == text


@given(_SCALARS, _SCALARS)
@example("yes", "on")
@example("true", "True")
@example("1", "0x1")
def test_two_keys_are_one_exactly_when_they_resolve_to_one(first: str, second: str) -> None:
    (ok_first, one), (ok_second, other) = _read(first), _read(second)
    if not (ok_first and ok_second) or (isinstance(one, float) and math.isnan(one)):
        return
    same = one == other or json.dumps(one).strip('"') == json.dumps(other).strip('"')
    text = f"m:\n  {first}: 1\n  {second}: 2\n"
    if same:
        with pytest.raises(ConfigurationError, match="duplicate key"):
            load_stack_yaml(text, LABEL)
    else:
        assert len(load_stack_yaml(text, LABEL)["m"]) == 2
