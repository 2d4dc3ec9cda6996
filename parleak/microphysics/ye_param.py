"""The Liebendoerfer (2005, ApJ 633, 1042) parameterisation of the electron
fraction as a function of density during collapse, Ye_bar(rho), with the
N13 and G15 fits of his table 1, and the deleptonisation step
Delta Ye = min(0, Ye_bar(rho) - Ye) of O'Connor & Ott (2010).

    x(rho) = max(-1, min(1, (2 log rho - log rho_2 - log rho_1)
                            / (log rho_2 - log rho_1))),
    Ye_bar = (Y_2 + Y_1) / 2 + x (Y_2 - Y_1) / 2
             + Y_c [1 - |x| + 4 |x| (|x| - 1/2) (|x| - 1)].

rho in g cm^-3; Ye dimensionless. Numpy functions of arrays (not hot).

Layer: microphysics (numpy).
"""

import typing

import numpy as np


class YeParameters(typing.NamedTuple):
    """(Y_c, Y_1, Y_2, rho_1 [g cm^-3], rho_2 [g cm^-3]) of the fit."""

    y_c: float
    y_1: float
    y_2: float
    rho_1: float
    rho_2: float


N13 = YeParameters(y_c=0.035, y_1=0.5, y_2=0.285, rho_1=2e7, rho_2=2e13)  # Newtonian model
G15 = YeParameters(y_c=0.035, y_1=0.5, y_2=0.278, rho_1=3e7, rho_2=2e13)  # general-relativistic model


def ye_of_rho(rho, params=G15):
    """Ye_bar(rho) [dimensionless] at rho [g cm^-3] (array-like) for the
    `YeParameters` params (N13 or G15)."""
    log_rho1, log_rho2 = np.log10(params.rho_1), np.log10(params.rho_2)
    x = np.clip((2.0 * np.log10(rho) - log_rho2 - log_rho1) / (log_rho2 - log_rho1), -1.0, 1.0)
    ax = np.abs(x)
    return (0.5 * (params.y_2 + params.y_1) + 0.5 * x * (params.y_2 - params.y_1)
            + params.y_c * (1.0 - ax + 4.0 * ax * (ax - 0.5) * (ax - 1.0)))


def delta_ye(rho, ye, params=G15):
    """Delta Ye = min(0, Ye_bar(rho) - Ye) (never positive): the change that
    brings Ye down to the parameterised value where it lies above it."""
    return np.minimum(0.0, ye_of_rho(rho, params) - np.asarray(ye, dtype=np.float64))


def deleptonise(rho, ye, params=G15):
    """Ye + Delta Ye: the electron fraction after the parameterised
    deleptonisation step (rho [g cm^-3], ye; arrays)."""
    return np.asarray(ye, dtype=np.float64) + delta_ye(rho, ye, params)
