#!/bin/bash
# Submit a chain of N dependent run.slurm jobs for one long simulation:
#
#   jobscripts/chain.sh N [sbatch options] -- CONFIG.toml [parleak run options]
#
# e.g.  jobscripts/chain.sh 5 --job-name=pns --ntasks=64 --time=12:00:00 -- drivers/pns.toml
#
# Every job runs in the same run directory (RUN_DIR, default runs/<job name>):
# the first starts the run (or continues it, if RUN_DIR already holds
# checkpoints), each later one waits for the one before to end successfully
# (--dependency=afterok; run.slurm ends a job stopped at the time limit with a
# checkpoint successfully) and continues from its newest checkpoint. A job that
# fails cancels the rest (--kill-on-invalid-dep=yes). Once the simulation has
# reached t_end, the remaining jobs end at once. Prints the job ids, one per line.
set -euo pipefail

usage="usage: jobscripts/chain.sh N [sbatch options] -- CONFIG.toml [parleak run options]"
if [ $# -lt 3 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
    echo "$usage" >&2
    exit 2
fi
jobs=$1
shift
sbatch_options=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    sbatch_options+=("$1")
    shift
done
if [ $# -lt 2 ]; then
    echo "$usage" >&2
    exit 2
fi
shift  # the --
script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/run.slurm"

previous=
for ((i = 1; i <= jobs; i++)); do
    dependency=()
    [ -n "$previous" ] && dependency=(--dependency="afterok:$previous" --kill-on-invalid-dep=yes)
    previous=$(sbatch --parsable "${dependency[@]}" "${sbatch_options[@]}" "$script" "$@")
    previous=${previous%%;*}  # "id;cluster" on multi-cluster set-ups
    echo "$previous"
done
