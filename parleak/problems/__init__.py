"""Initial-value problems, each a module with

    SCHEMA: its configuration keys (dotted, under the problem's own section);
        they may depend on grid.cells, grid.lower and grid.upper
    min_ghost(config) -> the ghost width its scheme needs (config: the keys
        resolved so far, a dict)
    check(values, where): raise ConfigError for combinations of keys the
        problem cannot run, before any grid or collective work;
        where(*names) says where the values of the keys `names` came from
        (" (from --set)", " (in FILE)")
    setup(config, grid) -> a parleak.physics.PhysicsSet: the physics by
        role and the EOS they share
    initialize(config, state, physics): fill the initial fields (physics:
        the PhysicsSet setup returned)
"""

from parleak.problems import advection, collapse, pns, polytrope, progenitor, sedov, sod, soundwave

PROBLEMS = {"advection": advection, "sod": sod, "sedov": sedov, "soundwave": soundwave, "polytrope": polytrope,
            "pns": pns, "collapse": collapse,
            "progenitor": progenitor}
