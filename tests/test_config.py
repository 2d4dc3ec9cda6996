"""Configuration parsing and validation, without MPI jobs."""

import pytest

from parleak.config import ConfigError, Key, at_least, flatten, in_range, parse_override, to_toml, validate
from parleak.run_config import load_config

from helpers import REPO

SCHEMA = {
    "a.count": Key(int, default=3, valid=at_least(1)),
    "a.ratio": Key(float, valid=in_range(0.0, 1.0)),
    "a.kind": Key(str, default="x", choices=("x", "y")),
    "a.vector": Key(float, default=lambda r: [0.0] * r["a.count"], length=lambda r: r["a.count"]),
    "b.flag": Key(bool, default=False),
}


def test_defaults_and_conversion():
    values = validate({"a.ratio": 1}, SCHEMA)
    assert values == {"a.count": 3, "a.ratio": 1.0, "a.kind": "x", "a.vector": [0.0, 0.0, 0.0], "b.flag": False}
    assert isinstance(values["a.ratio"], float)


@pytest.mark.parametrize("raw, message", [
    ({}, "missing required key a.ratio"),
    ({"a.ratio": 0.5, "a.cont": 2}, "unknown key a.cont (in f.toml); valid keys in [a]: a.count, a.kind, a.ratio"),
    ({"a.ratio": 0.5, "c.x": 2}, "unknown key c.x (in f.toml); valid sections: a, b"),
    ({"a.ratio": 2.0}, "a.ratio = 2.0 (in f.toml): must be > 0.0 and <= 1.0"),
    ({"a.ratio": True}, "a.ratio = True (in f.toml): must be a number"),
    ({"a.ratio": 0.5, "a.count": 2.0}, "a.count = 2.0 (in f.toml): must be an integer"),
    ({"a.ratio": 0.5, "a.kind": "z"}, "a.kind = 'z' (in f.toml): must be one of 'x', 'y'"),
    ({"a.ratio": 0.5, "a.vector": [1.0]}, "a.vector = [1.0] (in f.toml): must be a list of 3 numbers"),
    ({"a.ratio": 0.5, "a.vector": [1.0, "a", 2.0]}, "a.vector[1] = 'a' (in f.toml): must be a number"),
    ({"a.ratio": float("nan")}, "must be a finite number"),
])
def test_errors_name_key_value_and_what_is_valid(raw, message):
    with pytest.raises(ConfigError) as err:
        validate(raw, SCHEMA, source="f.toml")
    assert message in str(err.value)


def test_override_parsing():
    assert parse_override("time.t_end=0.5") == ("time.t_end", 0.5)
    assert parse_override("grid.cells=[8, 8]") == ("grid.cells", [8, 8])
    assert parse_override("problem.name=advection") == ("problem.name", "advection")
    assert parse_override('problem.name="advection"') == ("problem.name", "advection")
    with pytest.raises(ConfigError):
        parse_override("time.t_end")


def test_resolved_config_round_trips_through_toml(tmp_path):
    config = load_config(str(REPO / "drivers" / "advection_2d.toml"), [("time.t_end", 0.3)], n_ranks=4)
    assert config["grid.procs"] == [2, 2]
    assert config["time.t_end"] == 0.3
    copy = tmp_path / "copy.toml"
    copy.write_text(config.to_toml())
    assert load_config(str(copy), [], n_ranks=4).values == config.values
    assert flatten({"a": {"b": {"c": 1}}, "d": 2}) == {"a.b.c": 1, "d": 2}
    assert to_toml({"s.x": "q\"", "s.y": [1.5, 2], "s.z": True}) == '[s]\nx = "q\\""\ny = [1.5, 2]\nz = true\n'


def test_too_many_ranks_for_the_grid():
    with pytest.raises(ConfigError, match="cannot be split over 64 ranks"):
        load_config(str(REPO / "drivers" / "advection_1d.toml"), [("grid.cells", [64])], n_ranks=64)
