"""`parleak post OUTPUT_DIR [--out DIR] [--field NAME ...] [--axis z] [--dump N ...]`.

Writes into DIR (default OUTPUT_DIR/post):
    neutrino_time_series.png     luminosity and mean energy per species
                                 (from scalars.csv; skipped with a note when
                                 the run has no neutrino columns)
    slice_<field>_<axis>_NNNNN.png   per dump and --field (default dens, or
                                 every field of a dump without dens)
    profiles_NNNNN.png           per dump: radial profiles (plots.plot_profiles)
    dumps.xmf                    every dump of the run as one XDMF time series,
                                 for ParaView and VisIt

Serial, or under mpirun: the dumps are dealt out to the ranks in turn (dump
i to rank i mod N; each rank reads its dumps whole, serially), the last
rank also draws the time series and writes dumps.xmf, and rank 0 lists what
was written. A bad directory, dump index or field name exits with code 2 on
every rank and one message.
"""

import os

from parleak import parallel
from parleak.io.xdmf import write_series_of
from parleak.post.load import PostError, dump_index, dump_paths, field_names, load_dump, load_scalars



def add_arguments(parser):
    """The arguments of `parleak post` on an argparse (sub)parser."""
    parser.add_argument("output_dir", metavar="OUTPUT_DIR", help="the run's output directory (its dumps and scalars.csv)")
    parser.add_argument("--out", metavar="DIR", help="where the PNG and XDMF files go (default OUTPUT_DIR/post)")
    parser.add_argument("--field", dest="fields", action="append", metavar="NAME",
                        help="field to slice through the centre; repeatable (default dens)")
    parser.add_argument("--axis", choices=("x", "y", "z"), default="z", help="the slices are across this axis (default z)")
    parser.add_argument("--dump", dest="dumps", action="append", type=int, metavar="N",
                        help="only dump_N.h5 for the slices and profiles; repeatable (default every dump)")


def _plan(args):
    """(every dump path, the selected ones, slice fields); PostError naming
    what is wrong."""
    from parleak.post.plots import slice_axes

    paths = dump_paths(args.output_dir)
    by_index = {dump_index(p): p for p in paths}
    selected = paths
    if args.dumps:
        missing = [n for n in args.dumps if n not in by_index]
        if missing:
            raise PostError(f"--dump {missing[0]}: {args.output_dir!r} has no dump_{missing[0]:05d}.h5; "
                            f"its dumps are {min(by_index)} to {max(by_index)}")
        selected = [by_index[n] for n in sorted(set(args.dumps))]
    try:
        names = {p: field_names(p) for p in selected}
        first = load_dump(selected[0], [])
    except OSError as err:
        raise PostError(str(err)) from None
    fields = args.fields or (["dens"] if "dens" in names[selected[0]] else names[selected[0]])
    for path in selected:
        for name in fields:
            if name not in names[path]:
                raise PostError(f"--field {name!r}: dump {path!r} has no such field; it has {', '.join(names[path])}")
    slice_axes(first, args.axis)
    return paths, selected, fields


def _plot_dump(path, fields, axis, out):
    """The slices and the profiles of one dump; the written paths."""
    from parleak.post.plots import PROFILE_FIELDS, plot_profiles, plot_slice

    wanted = sorted(set(fields) | (set(PROFILE_FIELDS) & set(field_names(path))))
    dump = load_dump(path, wanted)
    index = dump_index(path)
    written = [plot_slice(dump, name, axis, os.path.join(out, f"slice_{name}_{axis}_{index:05d}.png")) for name in fields]
    written.append(plot_profiles(dump, os.path.join(out, f"profiles_{index:05d}.png")))
    return written


def _plot_run(output_dir, paths, out):
    """The time series and the XDMF file; (written paths, notes)."""
    from parleak.post.plots import plot_time_series

    written, notes = [], []
    scalars = load_scalars(output_dir)
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


def post(args, comm=parallel.WORLD):
    """Run `parleak post` with parsed `args` on every rank of comm."""
    plan, message = None, None
    try:
        plan = _plan(args)
    except PostError as err:
        message = str(err)
    parallel.exit_if_any_failed(None if message is None else f"post error: {message}", comm)
    paths, selected, fields = plan
    out = args.out or os.path.join(args.output_dir, "post")
    rank, size = comm.Get_rank(), comm.Get_size()
    if rank == 0:
        os.makedirs(out, exist_ok=True)
    comm.Barrier()
    written, notes = [], []
    for path in selected[rank::size]:
        written += _plot_dump(path, fields, args.axis, out)
    if rank == size - 1:
        run_written, notes = _plot_run(args.output_dir, paths, out)
        written += run_written
    gathered = comm.gather((written, notes), root=0)
    if rank == 0:
        everything = sorted(p for files, _ in gathered for p in files)
        for note in (n for _, rank_notes in gathered for n in rank_notes):
            print(f"parleak post: {note}")
        print(f"parleak post: wrote {len(everything)} files to {out}:")
        print("\n".join(f"  {os.path.basename(p)}" for p in everything), flush=True)
