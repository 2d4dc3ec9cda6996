"""Newtonian hydrodynamics: finite volumes for the Euler equations."""
