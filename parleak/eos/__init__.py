"""Equations of state behind one interface, used by the hydro kernels.

An EOS object provides, on float64 arrays of one shape (any shape; the
hydro passes ghosted [z, y, x] blocks):

    has_temperature: whether it uses and returns a temperature (MeV)
    eps_zero: a constant (erg/g) with eps + eps_zero > 0 for every state of
        the EOS (0 for the ideal gas; a nuclear table's eps can be negative)
    from_rho_eps(rho, eps, ye, temp, press, gamma_c, gamma_e)
        rho g/cm^3, eps erg/g, ye 1 -> press erg/cm^3 and the two
        adiabatic indices gamma_c = rho c_s^2 / press (sound speed) and
        gamma_e = 1 + press / (rho (eps + eps_zero)) (energy, finite because
        eps + eps_zero > 0). temp (MeV) is read as the
        starting guess and overwritten where has_temperature, else ignored.
    eps_from_rho_press(rho, press, ye, temp) -> eps (erg/g), a new array
        (initial data and pressure floors; temp as for from_rho_eps)

The hydro reconstructs gamma_c and gamma_e to the cell faces with the other
primitives, so the Riemann solvers never call the EOS (the approach of
Colella & Glaz 1985 for general equations of state). The solvers' face
energy p / (gamma_e - 1) is then rho (eps + eps_zero); the hydro removes
eps_zero times the mass flux from the energy flux, which is exact because the
HLLE and HLLC fluxes are linear in the conserved states.
"""

from parleak.config import Key
from parleak.eos.ideal import IdealGas

SCHEMA = {
    "eos.kind": Key(str, default="ideal", choices=("ideal",), help="equation of state"),
    "eos.gamma": Key(float, default=5.0 / 3.0, valid=(lambda g: g > 1.0, "> 1"),
                     help="ideal gas: adiabatic index"),
}

def make_eos(config):
    """The EOS that the config's eos.* keys describe."""
    return IdealGas(config["eos.gamma"])

