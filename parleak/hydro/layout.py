"""The one definition of the hydro's array layouts.

Conserved fields: the State's evolved hydro fields, consecutive in the
order CONSERVED (their index in a block of them is C_<NAME>). Primitive
variables: the first axis of the Hydro's `prim` array (P_<NAME>): rho
g/cm^3, v_x, v_y, v_z cm/s, press erg/cm^3, ye, and the adiabatic indices
gamma_c, gamma_e that the Riemann solvers read (parleak.eos).
"""

CONSERVED = ("dens", "mom_x", "mom_y", "mom_z", "etot", "dens_ye")
C_DENS, C_MOM_X, C_MOM_Y, C_MOM_Z, C_ETOT, C_DENS_YE = range(len(CONSERVED))
N_CONSERVED = len(CONSERVED)

PRIMITIVE = ("rho", "vel_x", "vel_y", "vel_z", "press", "ye", "gamma_c", "gamma_e")
P_RHO, P_VX, P_VY, P_VZ, P_PRESS, P_YE, P_GAMMA_C, P_GAMMA_E = range(len(PRIMITIVE))
N_PRIMITIVE = len(PRIMITIVE)
