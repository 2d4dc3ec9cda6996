"""The leakage.* keys: defaults, conversion to LeakageParams, and errors
that name the key and what is valid."""

import pytest

from parleak.config import ConfigError, validate
from parleak.microphysics.leakage import LeakageParams
from parleak.neutrino.settings import PROCESSES, SCHEMA, leakage_params


def test_defaults_are_the_default_params():
    assert leakage_params(validate({}, SCHEMA, "run.toml")) == LeakageParams()
    assert LeakageParams().fermi_method == "accurate"


def test_keys_reach_the_params():
    config = validate({"leakage.fermi": "teh", "leakage.scheme": "minimum", "leakage.diffusion_constant": 6.0,
                       "leakage.mean_scattering_cosine": 0.25, "leakage.processes": ["electron_capture", "bremsstrahlung"],
                       "leakage.eta0": 0.5, "leakage.blocking_density": 1e13, "leakage.brems_zeta": 1.0},
                      SCHEMA, "run.toml")
    params = leakage_params(config)
    assert (params.fermi_method, params.scheme, params.diffusion_constant, params.mean_scattering_cosine,
            params.eta0, params.blocking_density, params.brems_zeta) == ("teh", "minimum", 6.0, 0.25, 0.5, 1e13, 1.0)
    assert [getattr(params, name) for name in PROCESSES] == [True, False, False, False, True, False]


@pytest.mark.parametrize("raw, message", [
    ({"leakage.fermi": "exact"}, "leakage.fermi = 'exact' (in run.toml): must be one of 'accurate', 'teh'"),
    ({"leakage.scheme": "bruenn"}, "leakage.scheme = 'bruenn' (in run.toml): must be one of 'ruffert', 'minimum'"),
    ({"leakage.diffusion_constant": 0.0}, "leakage.diffusion_constant = 0.0 (in run.toml): must be finite and > 0"),
    ({"leakage.mean_scattering_cosine": 1.0},
     "leakage.mean_scattering_cosine = 1.0 (in run.toml): must be in [-1, 1)"),
    ({"leakage.processes": ["urca"]}, "leakage.processes[0] = 'urca' (in run.toml): must be one of electron_capture"),
    ({"leakage.min_density": -1.0}, "leakage.min_density = -1.0 (in run.toml): must be finite and >= 0"),
    ({"leakage.tau_iterations": -1}, "leakage.tau_iterations = -1 (in run.toml): must be >= 0"),
])
def test_bad_values_name_the_key(raw, message):
    with pytest.raises(ConfigError) as err:
        validate(raw, SCHEMA, "run.toml")
    assert str(err.value).startswith(message)
