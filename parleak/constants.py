"""Physical constants, cgs (g, cm, s, erg) with energies and temperatures in
MeV, each with its source."""

import math

# CODATA 2018 (Tiesinga et al. 2021, Rev. Mod. Phys. 93, 025010).
GRAVITATIONAL_CONSTANT = 6.67430e-8  # G, cm^3 g^-1 s^-2
SPEED_OF_LIGHT = 2.99792458e10  # c, cm/s (exact)
PLANCK_CONSTANT = 6.62607015e-27  # h, erg s (exact)
MEV = 1.602176634e-6  # erg per MeV (exact)
BOLTZMANN_CONSTANT = 1.380649e-16  # k_B, erg/K (exact)
AVOGADRO_NUMBER = 6.02214076e23  # N_A, 1/mol (exact)
ATOMIC_MASS_UNIT = 1.66053906660e-24  # m_u, g
ELECTRON_MASS_MEV = 0.51099895000  # m_e c^2, MeV
PROTON_MASS_MEV = 938.27208816  # m_p c^2, MeV
NEUTRON_MASS_MEV = 939.56542052  # m_n c^2, MeV
ATOMIC_MASS_UNIT_MEV = 931.49410242  # m_u c^2, MeV

# Derived from the CODATA values above.
HC_MEV_CM = PLANCK_CONSTANT * SPEED_OF_LIGHT / MEV  # h c, MeV cm
MEV_TO_KELVIN = MEV / BOLTZMANN_CONSTANT  # K per MeV
RADIATION_CONSTANT = 8.0 * math.pi**5 * BOLTZMANN_CONSTANT**4 / (15.0 * (PLANCK_CONSTANT * SPEED_OF_LIGHT) ** 3)  # a, erg cm^-3 K^-4

# IAU 2015 Resolution B3 nominal solar mass parameter GM_sun divided by G.
SOLAR_MASS = 1.98847e33  # g

# (m_n - m_p) c^2 from the CODATA 2018 masses above, MeV: the one value of the
# neutron-proton mass difference (the built-in EOS and the leakage rates).
NEUTRON_PROTON_MASS_DIFFERENCE_MEV = NEUTRON_MASS_MEV - PROTON_MASS_MEV

# Weak-interaction constants of the leakage scheme as the papers of its
# formulas give them (Ruffert, Janka & Schaefer 1996, A&A 311, 532,
# appendix A; Rosswog & Liebendoerfer 2003, MNRAS 342, 673; Galeazzi et al.
# 2013, PRD 88, 064009, appendix A), kept apart from CODATA
# so that a hand calculation from those papers reproduces parleak exactly.
# They are the defaults of `parleak.microphysics.parameters.Couplings`,
# which the kernels take at run time.
SIGMA_0 = 1.76e-44  # sigma_0 = 4 G_F^2 (m_e c^2)^2 / (pi (hbar c)^4), cm^2 (Ruffert et al. 1996, app. A)
AXIAL_COUPLING = 1.25  # alpha = g_A, the nucleon axial-vector coupling (Ruffert et al. 1996, eq. A1)
C_VECTOR = 0.962  # C_V = 1/2 + 2 sin^2(theta_W), sin^2 theta_W = 0.231 (Ruffert et al. 1996, app. A)
C_AXIAL = 0.5  # C_A, the electron axial coupling (Ruffert et al. 1996, app. A)
# gamma_0 of the plasmon energy in units of T, gamma = gamma_0 sqrt((pi^2 + 3 eta_e^2) / 3)
# (Ruffert et al. 1996, app. A; Galeazzi et al. 2013, eq. A21)
PLASMA_GAMMA_0 = 5.565e-2
FINE_STRUCTURE_LEAKAGE = 1.0 / 137.036  # alpha_f of the plasmon rates (Ruffert et al. 1996, app. A)
