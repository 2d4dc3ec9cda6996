"""The leakage.* and optical_depth.* configuration keys, their checks and
the LeakageParams they describe. The valid values of the keys that are
LeakageParams fields are its RULES: one definition, checked once when the
config is validated."""

from parleak.config import ConfigError, Key, at_least, positive
from parleak.microphysics.fermi import FERMI_METHODS
from parleak.microphysics.leakage import SCHEMES, LeakageParams
from parleak.microphysics.parameters import RULES
from parleak.neutrino.optical_depth import METHODS

PROCESSES = ("electron_capture", "positron_capture", "pair_annihilation", "plasmon_decay", "bremsstrahlung",
             "coherent_scattering")

SCHEMA = {
    "leakage.fermi": Key(str, default="accurate", choices=FERMI_METHODS,
                         help="Fermi-Dirac integrals: accurate (1e-13) or teh (Takahashi, El Eid & Hillebrandt 1978 "
                              "fits)"),
    "leakage.scheme": Key(str, default="ruffert", choices=SCHEMES,
                          help="effective rates: ruffert, R / (1 + t_diff / t_loss) (Ruffert, Janka & Schaefer "
                               "1996, appendix B; Rosswog & Liebendoerfer 2003), or minimum, min(R, n_nu / t_diff) "
                               "(the production/diffusion bottleneck: the sharp form of the same two limits)"),
    "leakage.diffusion_constant": Key(float, default=3.0, valid=RULES["diffusion_constant"],
                                      help="D of t_diff = D tau^2 / (c kappa)"),
    "leakage.mean_scattering_cosine": Key(float, default=0.0, valid=RULES["mean_scattering_cosine"],
                                          help="<cos theta> of the transport opacity kappa_a + kappa_s (1 - <cos theta>)"),
    "leakage.processes": Key(str, default=PROCESSES, length=(0, len(PROCESSES)),
                             valid=(lambda v: v in PROCESSES, f"one of {', '.join(PROCESSES)}"),
                             help="the emission and scattering processes that are on"),
    "leakage.eta0": Key(float, default=0.0, valid=RULES["eta0"],
                        help="neutrino degeneracy eta^0 in transparent matter (0, as in Ruffert, Janka & Schaefer "
                             "1996, appendix A)"),
    "leakage.blocking_density": Key(float, default=2e12, valid=RULES["blocking_density"],
                                    help="g/cm^3 above which the nucleon final-state blocking Y_np, Y_pn applies"),
    "leakage.brems_zeta": Key(float, default=0.5, valid=RULES["brems_zeta"],
                              help="zeta of the bremsstrahlung rate (Burrows et al. 2006)"),
    "leakage.evolve": Key(bool, default=False,
                          help="leakage source terms in every Runge-Kutta stage (needs optical_depth.method)"),
    "leakage.tau_every": Key(int, default=1, valid=at_least(0),
                             help="optical-depth updates of the evolved leakage: 0 at every Runge-Kutta stage, "
                                  "N >= 1 at the start of every N-th step (steps 0, N, 2N, ...)"),
    "leakage.tau_iterations": Key(int, default=1, valid=at_least(0),
                                  help="(kappa, tau) iterations of each optical-depth update during the evolution, "
                                       "from the previous tau; 0: to optical_depth.tolerance"),
    "leakage.dt_factor": Key(float, default=0.25, valid=positive(),
                             help="source time-step limit: dt <= time.cfl * dt_factor * min over cells of "
                                  "Ye / |dYe/dt| and (eps + eps_zero) / |deps/dt|"),
    "leakage.min_density": Key(float, default=1e8, valid=(lambda v: 0.0 <= v < float("inf"), "finite and >= 0"),
                               help="g/cm^3: the evolved leakage has no sources (no emission, no lepton change) "
                                    "in cells with rho below it, and skips them"),
    "leakage.trapped_pressure": Key(bool, default=False,
                                    help="add the trapped-neutrino pressure sources -f(rho) grad P_nu "
                                         "(O'Connor & Ott 2010, CQG 27, 114103)"),
    "leakage.trapped_density": Key(float, default=1e12, valid=positive(),
                                   help="rho_th of the threshold f(rho) = (tanh((rho - rho_th) / (rho_th / 10)) + 1) / 2, "
                                        "g/cm^3"),
}


OPTICAL_DEPTH_SCHEMA = {
    "optical_depth.method": Key(str, default="none", choices=("none",) + METHODS,
                                help="neutrino optical depths and neutrinospheres in the dumps (nuclear EOS): "
                                     "rays (six lines of sight) or local (least-resistance paths)"),
    "optical_depth.density_threshold": Key(float, default=1e9, valid=at_least(0.0),
                                           help="g/cm^3 below which a cell is transparent"),
    "optical_depth.tolerance": Key(float, default=1e-10, valid=positive(),
                                   help="largest relative change that ends the (kappa, tau) iteration"),
    "optical_depth.max_iterations": Key(int, default=100, valid=positive(),
                                        help="limit of the (kappa, tau) iteration"),
}


def check(values, where):
    """ConfigError for optical-depth and leakage keys that contradict each
    other or the EOS (before any grid or collective work)."""
    method = values["optical_depth.method"]
    if method != "none" and values["eos.kind"] not in ("table", "builtin"):
        raise ConfigError(f"optical_depth.method = {method!r}{where('optical_depth.method', 'eos.kind')} needs a "
                          f"nuclear EOS (eos.kind = 'table' or 'builtin'), not eos.kind = {values['eos.kind']!r}")
    if method == "none" and values["leakage.evolve"]:
        raise ConfigError(f"leakage.evolve = true{where('leakage.evolve', 'optical_depth.method')} needs optical "
                          "depths: set optical_depth.method to 'rays' or 'local'")


def leakage_params(config):
    """LeakageParams from the resolved leakage.* keys (a Config or a dict)."""
    processes = set(config["leakage.processes"])
    return LeakageParams(
        fermi_method=config["leakage.fermi"], scheme=config["leakage.scheme"],
        diffusion_constant=config["leakage.diffusion_constant"],
        mean_scattering_cosine=config["leakage.mean_scattering_cosine"], eta0=config["leakage.eta0"],
        blocking_density=config["leakage.blocking_density"], brems_zeta=config["leakage.brems_zeta"],
        **{name: name in processes for name in PROCESSES})
