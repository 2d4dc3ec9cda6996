"""Initial-value problems, each a module with

    SCHEMA: its configuration keys (dotted, under the problem's own section);
        they may depend on grid.cells, grid.lower and grid.upper
    min_ghost(config) -> the ghost width its scheme needs (config: the keys
        resolved so far, a dict)
    setup(config, grid) -> list of physics modules
    initialize(config, state, physics): fill the initial fields (physics:
        the list setup returned)
    check(values, where) (optional): raise ConfigError for combinations of
        keys the problem cannot run; where(*names) says where the values
        of the keys `names` came from (" (from --set)", " (in FILE)")
"""

from parleak.problems import advection, collapse, pns, polytrope, sedov, sod, soundwave

PROBLEMS = {"advection": advection, "sod": sod, "sedov": sedov, "soundwave": soundwave, "polytrope": polytrope,
            "pns": pns, "collapse": collapse}
