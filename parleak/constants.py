"""Physical constants, cgs (g, cm, s, erg), each with its source."""

# CODATA 2018 (Tiesinga et al. 2021, Rev. Mod. Phys. 93, 025010).
GRAVITATIONAL_CONSTANT = 6.67430e-8  # G, cm^3 g^-1 s^-2
SPEED_OF_LIGHT = 2.99792458e10  # c, cm/s (exact)

# IAU 2015 Resolution B3 nominal solar mass parameter GM_sun divided by G.
SOLAR_MASS = 1.98847e33  # g
