"""Neutrino optical depths of every cell of the distributed grid, with the
opacities iterated to consistency, and the neutrinosphere diagnostics
(opacities and degeneracies of Ruffert, Janka & Schaefer 1996, A&A 311,
532, appendix A, and Rosswog & Liebendoerfer 2003, MNRAS 342, 673; energy
and transport spheres as in Raffelt 2001, ApJ 561, 890).

Fields (3 species s = nu_e, anti_nu_e, nu_x; 2 moments j = number, energy),
for the owned cells, dimensionless:

    tau[s, j]       optical depth of the transport opacity kappa_total[s, j]
                    (the min over lines of sight or over grid paths, by
                    `method`)
    tau_thermal[s]  sqrt(tau_a[s] tau[s, energy]), the effective optical
                    depth for thermal coupling (sqrt(tau_a (tau_a + tau_s))
                    of Rybicki & Lightman 1979, ch. 1, with the transport
                    depth as tau_a + tau_s), with tau_a the optical depth
                    of the absorption opacity kappa_a,eff = Q_free / (c e_nu)
                    = 1 / (c t_loss,energy) of the species' own free emission
                    (Kirchhoff: every emission process is an absorption in
                    reverse; for nu_x, to which the Ruffert, Janka &
                    Schaefer 1996 opacities give no absorption, only
                    scattering, this is pair annihilation, plasmon decay and
                    bremsstrahlung)

The transport sphere of a species is where tau[s, energy] reaches 2/3, its
energy sphere where tau_thermal[s] does (Raffelt 2001, ApJ 561, 890;
Keil, Raffelt & Janka 2003, ApJ 590, 971: the energy sphere lies inside the
transport sphere where scattering dominates absorption). Their
angle-averaged radii from the centre are the radii of the spheres of the
same volume as the regions inside them (tau >= 2/3; each reflecting face
doubles the volume of a half, quarter or octant domain).

The opacities depend on the neutrino degeneracies, which depend on the
number optical depths (eta = eta_eq (1 - e^-tau) + eta^0 e^-tau, Ruffert,
Janka & Schaefer 1996, appendix A): starting from tau = 0, kappa(tau) and
tau(kappa) are iterated until the largest relative change of tau on any
rank is below `tolerance` (the count is kept in `iterations`). Cells with
rho below `density_threshold` count as transparent (kappa = 0; their
opacities are not evaluated). The nu_x opacities do not depend on tau: their
depths are computed in the first iteration only (the result is bitwise that
of iterating all six fields).
"""

import math

import numba
import numpy as np

from parleak.constants import SPEED_OF_LIGHT
from parleak.microphysics.leakage import SPECIES, DenseCells, LeakageParams, leakage_sources, transport_opacities
from parleak.neutrino.local_tau import LocalOpticalDepth
from parleak.neutrino.rays import RayOpticalDepth

METHODS = ("rays", "local")
MOMENTS = ("number", "energy")
ENERGY = 1
SPHERE_DEPTH = 2.0 / 3.0
TAU_FIELDS = tuple(f"tau_{s}_{m}" for s in SPECIES for m in MOMENTS)
THERMAL_FIELDS = tuple(f"tau_thermal_{s}" for s in SPECIES)
TAU_DEPENDENT = slice(0, 4)  # the (6,) fields whose opacities depend on tau: nu_e and anti-nu_e


@numba.njit(cache=True, error_model="numpy")
def largest_relative_change(new, old):
    """max over the flat arrays of |new - old| / max(|new|, 1e-300) (NaN
    if any is NaN), in one pass."""
    largest = 0.0
    for i in range(new.size):
        change = abs(new[i] - old[i]) / max(abs(new[i]), 1e-300)
        if change != change:
            return change
        largest = max(largest, change)
    return largest


def equivalent_radius(volume, dim):
    """The radius [cm] of the sphere (dim 3), the circle (2) or the
    half-length (1) of `volume` [cm^dim]."""
    if dim == 3:
        return (3.0 * volume / (4.0 * math.pi)) ** (1.0 / 3.0)
    if dim == 2:
        return math.sqrt(volume / math.pi)
    return 0.5 * volume


class OpticalDepth:
    """Optical depths of one grid by `method` ("rays" or "local").

    tolerance: of the (kappa, tau) iteration (largest relative change);
    max_iterations: its limit; density_threshold: g/cm^3; params:
    LeakageParams of the opacities. Both methods give depths bitwise the
    same on any decomposition: `rays` sums exactly, `local` sweeps to exact
    convergence (no cell changes), from +inf at the first (kappa, tau)
    iteration and from the previous tau after it. The convergence test is a
    global MAX of the relative changes (exact), so the iteration count does
    not depend on the decomposition either."""

    def __init__(self, grid, method="rays", tolerance=1e-10, max_iterations=100, density_threshold=1e9,
                 params=LeakageParams(), symmetry_factor=1):
        if method not in METHODS:
            raise ValueError(f"optical depth: method = {method!r}; valid: {', '.join(METHODS)}")
        self.grid = grid
        self.method = method
        self.tolerance = tolerance
        self.max_iterations = max_iterations
        self.density_threshold = density_threshold
        self.params = params
        self.symmetry_factor = symmetry_factor
        self.iterations = 0  # of the last (kappa, tau) iteration
        self.sweeps = 0  # local: sweeps of the last call, summed over the iteration
        self._rays = RayOpticalDepth(grid) if method == "rays" else None
        self._local = {}

    def depths(self, kappa, tau_start=None):
        """tau (n, nz, ny, nx) of the opacities kappa (n, nz, ny, nx) [cm^-1]
        of the owned cells; tau_start: local's warm start."""
        if self._rays is not None:
            return self._rays(kappa)
        n = kappa.shape[0]
        if n not in self._local:
            self._local[n] = LocalOpticalDepth(self.grid, n)
        tau, sweeps = self._local[n](kappa, tau_start=tau_start)  # to exact convergence: bitwise on any ranks
        self.sweeps += sweeps
        return tau

    def _transparent(self, rho, kappa):
        kappa[..., rho < self.density_threshold] = 0.0
        return kappa

    def converged(self, rho, temp, ye, eos_quantities, tau_start=None, cells=None, iterations=None):
        """tau (3, 2, nz, ny, nx) of the owned cells with the opacities
        iterated to consistency from tau_start (default 0), or, with
        `iterations` (>= 1), after exactly that many (kappa, tau) iterations
        from tau_start (no convergence test): rho [g cm^-3],
        temp [MeV], ye (nz, ny, nx); eos_quantities: the arrays of
        EOS_QUANTITIES (mu_e, mu_n, mu_p, X_n, X_p, X_h, Abar, Zbar; None for
        X_h, Abar, Zbar without nuclei, see lookup_eos_quantities) at every
        cell (nz, ny, nx) or, with `cells` (a DenseCells of the block that
        includes every cell with rho >= density_threshold), at those cells
        (cells.count,). The opacities are evaluated at the cells with rho >=
        density_threshold only (the others are transparent)."""
        if cells is None:
            cells = DenseCells(np.arange(rho.size), rho.shape)
        opaque, positions = cells.denser(cells.take(rho), self.density_threshold)
        quantities = [q if q is None else np.reshape(q, -1) if positions is None else np.reshape(q, -1)[positions]
                      for q in eos_quantities]
        mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = quantities
        inputs = [opaque.take(a) for a in (rho, temp, ye)]
        reused = None  # the TransportOpacity buffers of the opaque cells

        def opaque_kappa(tau):
            nonlocal reused
            reused = transport_opacities(*inputs, mu_e, mu_n, mu_p, xn, xp, tau.reshape(3, 2, -1), xh=xh, abar=abar,
                                         zbar=zbar, params=self.params, out=reused)
            return reused.kappa_total.reshape(6, -1)
        return self.iterate(opaque_kappa, opaque, tau_start, iterations)

    def iterate(self, kappa_at, cells, tau_start=None, iterations=None):
        """tau (3, 2, *cells.shape) of the owned cells from (kappa, tau)
        iterations (as `converged`: to the tolerance, or exactly
        `iterations`), with the opacities kappa_total (6, cells.count)
        [cm^-1] = kappa_at(tau (6, cells.count)) at `cells` (a DenseCells of
        the owned block) and 0 elsewhere. Collective."""
        shape = cells.shape
        tau = np.zeros((3, 2) + shape) if tau_start is None else tau_start
        kappa = np.zeros((6,) + shape)  # transparent cells stay 0
        self.sweeps = 0
        for iteration in range(1, (iterations or self.max_iterations) + 1):
            cell_kappa = kappa_at(cells.take(tau.reshape((6,) + shape)))
            # nu_x's opacities do not depend on tau: its depths are final after the first iteration
            fields = slice(None) if iteration == 1 else TAU_DEPENDENT
            cells.put(cell_kappa[fields], kappa[fields])
            warm = self.method == "local" and (iteration > 1 or tau_start is not None)
            if iteration == 1:  # every field: the new depths are the whole array
                new = self.depths(kappa, tau.reshape((6,) + shape) if warm else None)
            else:
                new = tau.reshape((6,) + shape).copy()
                new[fields] = self.depths(kappa[fields], new[fields] if warm else None)
            new = new.reshape((3, 2) + shape)
            if iterations is None:
                change = self.grid.max(largest_relative_change(new.reshape(-1), tau.reshape(-1)))
            tau = new
            if iterations is None and change < self.tolerance:
                break
        self.iterations = iteration
        return tau

    def thermal(self, rho, temp, ye, eos_quantities, tau):
        """tau_thermal (3, nz, ny, nx) at the optical depths tau (see the
        module docstring)."""
        mu_e, mu_n, mu_p, xn, xp, xh, abar, zbar = eos_quantities
        result = leakage_sources(rho, temp, ye, mu_e, mu_n, mu_p, xn, xp, tau, xh=xh, abar=abar, zbar=zbar,
                                 params=self.params)
        with np.errstate(divide="ignore"):
            kappa_a = 1.0 / (SPEED_OF_LIGHT * result.t_loss[:, ENERGY])
        tau_a = self.depths(self._transparent(rho, kappa_a))
        return np.sqrt(tau_a * tau[:, ENERGY])

    def sphere_radius(self, tau_field):
        """Angle-averaged radius [cm] of the region tau_field >= 2/3: the
        radius of the sphere of its volume (the sum of its cells' volumes
        times the domain's symmetry factor, parleak.whole_star)."""
        grid = self.grid
        volume = grid.integral(np.where(tau_field >= SPHERE_DEPTH, 1.0, 0.0))
        return equivalent_radius(volume * self.symmetry_factor, grid.dim)

    def spheres(self, tau, tau_thermal):
        """{species: (transport sphere radius, energy sphere radius)} [cm]."""
        return {s: (self.sphere_radius(tau[i, ENERGY]), self.sphere_radius(tau_thermal[i]))
                for i, s in enumerate(SPECIES)}
