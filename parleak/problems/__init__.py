"""Initial-value problems, each a module with

    SCHEMA: its configuration keys (dotted, under the problem's own section)
    setup(config, grid) -> list of physics modules
    initialize(config, state): fill the initial fields
"""

from parleak.problems import advection

PROBLEMS = {"advection": advection}
