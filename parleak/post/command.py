"""`parleak post OUTPUT_DIR [--out DIR] [--field NAME ...] [--axis z] [--dump N ...]`.

Writes into DIR (default OUTPUT_DIR/post):
    neutrino_time_series.png     luminosity and mean energy per species
                                 (from scalars.csv; skipped with a note when
                                 the run has no neutrino columns)
    slice_<field>_<axis>_NNNNN.png   per dump and --field (default dens, or
                                 every field of a dump without dens)
    profiles_NNNNN.png           per dump: radial profiles (plots.plot_profiles)
    dumps.xmf                    every readable dump of the run as one XDMF
                                 time series, for ParaView and VisIt
Luminosities, masses and energies in scalars.csv and these plots are the
whole star's (parleak.whole_star).

Serial, or under mpirun: rank 0 surveys the directory (reading the dumps'
metadata only), the dumps are dealt out to the ranks in turn (dump i to
rank i mod N; each rank reads its dumps whole, serially), the last
rank also draws the time series and writes dumps.xmf, and rank 0 lists what
was written and the table of parleak.post.summary (luminosities, mean
energies and neutrinosphere radii at the last scalars.csv row; none for a
run without neutrino columns). A bad directory, dump index or field name exits with code 2 on
every rank and one message.

What a killed or failed run leaves is skipped (parleak.post.load.survey,
load_scalars: a dump that cannot be read, an unfinished .tmp dump, an XDMF
file without its dump, a scalars.csv row cut short or holding junk), each
item reported once by rank 0 with the reason, and the rest is plotted; with
no readable dump left, exit code 2 and one message naming the directory.
"""

import os

from parleak import parallel
from parleak.config import ConfigError
from parleak.inputs import resolve
from parleak.io.reader import DumpError
from parleak.io.xdmf import write_series_of
from parleak.post.load import PostError, dump_index, load_dump, load_scalars, run_config, survey
from parleak.post.summary import summary_table, symmetry_factor_of


def add_arguments(parser):
    """The arguments of `parleak post` on an argparse (sub)parser."""
    parser.add_argument("output_dir", metavar="OUTPUT_DIR",
                        help="the run's output directory (its dumps and scalars.csv)")
    parser.add_argument("--out", metavar="DIR", help="where the PNG and XDMF files go (default OUTPUT_DIR/post)")
    parser.add_argument("--field", dest="fields", action="append", metavar="NAME",
                        help="field to slice through the centre; repeatable (default dens)")
    parser.add_argument("--axis", choices=("x", "y", "z"), default="z",
                        help="the slices are across this axis (default z)")
    parser.add_argument("--dump", dest="dumps", action="append", type=int, metavar="N",
                        help="only dump_N.h5 for the slices and profiles; repeatable (default every dump)")


def _plan(args, found):
    """(the readable dumps, the selected readable ones, slice fields) of
    the Survey `found`; PostError naming what is wrong."""
    from parleak.post.plots import slice_axes

    by_index = {dump_index(p): p for p in found.paths}
    selected = None
    if args.dumps:
        missing = [n for n in args.dumps if n not in by_index]
        if missing:
            raise PostError(f"--dump {missing[0]}: {args.output_dir!r} has no dump_{missing[0]:05d}.h5; "
                            f"its dumps are {min(by_index)} to {max(by_index)}")
        selected = [by_index[n] for n in sorted(set(args.dumps))]
    readable, selected = found.readable(), found.readable(selected)
    names = found.fields[selected[0]]
    fields = args.fields or (["dens"] if "dens" in names else names)
    for path in selected:
        for name in fields:
            if name not in found.fields[path]:
                raise PostError(f"--field {name!r}: dump {path!r} has no such field; "
                                f"it has {', '.join(found.fields[path])}")
    slice_axes(load_dump(selected[0], []), args.axis)
    return readable, selected, fields


# The fields the progenitor comparison reads (parleak.post.progenitor).
PROGENITOR_FIELDS = ("dens", "temp", "ye", "vel_x", "vel_y", "vel_z")


def _plot_dump(path, names, fields, axis, out):
    """The slices and the profiles of the dump at `path` (whose fields are
    `names`); (the written paths, notes)."""
    from parleak.post.plots import PROFILE_FIELDS, plot_profiles, plot_slice

    dump = load_dump(path, sorted(set(fields) | ((set(PROFILE_FIELDS) | set(PROGENITOR_FIELDS)) & set(names))))
    index = dump_index(path)
    written = [plot_slice(dump, name, axis, os.path.join(out, f"slice_{name}_{axis}_{index:05d}.png"))
               for name in fields]
    written.append(plot_profiles(dump, os.path.join(out, f"profiles_{index:05d}.png")))
    failure = dump.attrs.get("failure")
    notes = [] if failure is None else [f"{os.path.basename(path)} is the last dump of a run that stopped on an error: "
                                        f"{failure}"]
    progenitor, note = _progenitor_figure(dump, os.path.join(out, f"progenitor_{index:05d}.png"))
    return written + progenitor, notes + note


def _progenitor_figure(dump, path):
    """For a run of problem `progenitor`: the mapped profiles against the
    file's (parleak.post.progenitor), about the run's progenitor.centre;
    (written paths, notes). Nothing for other problems."""
    from parleak.post.progenitor import plot_progenitor
    from parleak.progenitor import ProgenitorError, read_profile

    config = run_config(dump) if "config" in dump.attrs else {}
    if config.get("problem.name") != "progenitor":
        return [], []
    try:
        profile = read_profile(resolve(config["progenitor.file"], "progenitor.file"), config["progenitor.format"])
    except (ProgenitorError, ConfigError) as err:
        return [], [f"no progenitor comparison: {err}"]
    return plot_progenitor(profile, dump, path, centre=tuple(config["progenitor.centre"])), []


def _plot_run(output_dir, paths, out):
    """The time series and the XDMF file of the dumps `paths`; (written
    paths, notes), the scalars.csv rows left out among the notes."""
    from parleak.post.plots import plot_time_series

    written, notes, skipped = [], [], []
    scalars = load_scalars(output_dir, skipped)
    notes += [_skip_note(item, reason) for item, reason in skipped]
    if scalars is None:
        notes.append(f"no scalars.csv in {output_dir!r}: no neutrino time series")
    else:
        try:
            written.append(plot_time_series(scalars, os.path.join(out, "neutrino_time_series.png")))
        except PostError as err:
            notes.append(f"no neutrino time series: {err}")
    series = os.path.join(out, "dumps.xmf")
    write_series_of(paths, series)
    written.append(series)
    return written, notes


def _skip_note(item, reason):
    """The note for an `item` (a file, a scalars.csv line) left out."""
    return f"skipping {item}: {reason}"


def _say(notes):
    """Print each note as one "parleak post: ..." line."""
    print("\n".join(f"parleak post: {note}" for note in notes), flush=True)


def post(args, comm=parallel.WORLD):
    """Run `parleak post` with parsed `args` on every rank of comm."""
    rank, size = comm.Get_rank(), comm.Get_size()
    found, plan, message = None, None, None
    if rank == 0:
        try:
            found = survey(args.output_dir)
            plan = _plan(args, found)
        except (PostError, DumpError) as err:
            message = f"post error: {err}"
        if found is not None and found.skipped:
            _say(_skip_note(item, reason) for item, reason in found.skipped)
    parallel.exit_if_any_failed(message, comm)
    found, (readable, selected, fields) = comm.bcast((found, plan), root=0)
    out = args.out or os.path.join(args.output_dir, "post")
    if rank == 0:
        os.makedirs(out, exist_ok=True)
    comm.Barrier()
    written, notes = [], []
    for path in selected[rank::size]:
        try:
            dump_written, dump_notes = _plot_dump(path, found.fields[path], fields, args.axis, out)
        except DumpError as err:
            notes.append(_skip_note(os.path.basename(path), err.reason))
            continue
        written += dump_written
        notes += dump_notes
    if rank == size - 1:
        run_written, run_notes = _plot_run(args.output_dir, readable, out)
        written += run_written
        notes += run_notes
    gathered = comm.gather((written, notes), root=0)
    if rank == 0:
        everything = sorted(p for files, _ in gathered for p in files)
        _say([n for _, rank_notes in gathered for n in rank_notes]
             + [f"wrote {len(everything)} files to {out}:"])
        print("\n".join(f"  {os.path.basename(p)}" for p in everything), flush=True)
        table = summary_table(load_scalars(args.output_dir), symmetry_factor_of(readable[-1]))
        if table:
            print("\n".join(table), flush=True)
