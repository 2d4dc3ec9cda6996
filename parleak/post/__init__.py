"""Postprocessing: load dumps and runs into numpy arrays, radial profiles,
PNG plots, XDMF time series, and yt. The command is `parleak post`
(parleak.post.command).

    from parleak.post import dump_profile, load_run, profile_centre
    run = load_run("output/pns")            # run.dumps, run.scalars
    dump = run.dumps[-1]                    # dump.fields["dens"] [z, y, x], dump.x (cm), dump.faces, dump.units
    profile = dump_profile(dump, dump.fields["dens"], profile_centre(dump), 40)
    # volume averages over shells (radial_profile with dump.volumes() on a stretched grid)

The plotting functions are in parleak.post.plots (they import matplotlib).
"""

from parleak.post.load import PostError, Run, dump_paths, entropy, field_names, load_dump, load_run, load_scalars, run_config
from parleak.post.profiles import Profile, default_bins, dump_profile, profile_centre, radial_profile, sphere_radius
from parleak.post.yt_bridge import to_yt, yt_arguments

__all__ = ["PostError", "Profile", "Run", "default_bins", "dump_paths", "dump_profile", "entropy", "field_names",
           "load_dump", "load_run", "load_scalars", "profile_centre", "radial_profile", "run_config", "sphere_radius",
           "to_yt", "yt_arguments"]
