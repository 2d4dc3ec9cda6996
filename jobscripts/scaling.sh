#!/bin/bash
# Strong- and weak-scaling series of one problem, and their table:
#
#   sbatch --ntasks=MAX [sbatch options] jobscripts/scaling.sh CONFIG.toml RANKS... [-- parleak run options]
#   PARLEAK_LAUNCH=mpirun jobscripts/scaling.sh CONFIG.toml 1 2 4      # without SLURM
#
# e.g.  sbatch --ntasks=64 jobscripts/scaling.sh drivers/sedov_3d.toml 1 8 64
#
# For every rank count N: the strong series runs the config's grid on N
# ranks, the weak series a grid grown N-fold (each prime factor of N
# multiplies the axis with the fewest cells, so the cells per rank stay
# those of the config). Every run takes SCALING_STEPS steps (time.max_steps;
# fewer if t_end comes first) and writes dumps only at the start and the end.
# A 1-step warm-up run first fills numba's compile cache, so that no run
# times compilation.
#
# Writes SCALING_DIR/scaling.csv and scaling.txt (columns: see
# jobscripts/scaling_table.py), the runs in SCALING_DIR/<series>/n<N>/
# and their logs in SCALING_DIR/<series>/n<N>.log.
#
# Environment (all optional):
#   SCALING_DIR     [runs/scaling-<config name>]
#   SCALING_STEPS   time steps per run [20]
#   SCALING_SERIES  ["strong weak"]
#   PARLEAK_LAUNCH  launcher taking -n N ["srun --mpi=pmix" inside a SLURM job, "mpirun" outside]
#   PARLEAK_VENV    virtual environment to activate [./.venv if it exists]
#
#SBATCH --job-name=parleak-scaling
#SBATCH --nodes=1
#SBATCH --ntasks=4
#SBATCH --cpus-per-task=1
#SBATCH --time=01:00:00
#SBATCH --output=%x-%j.out
#SBATCH --exclusive

set -euo pipefail

usage="usage: jobscripts/scaling.sh CONFIG.toml RANKS... [-- parleak run options]"
[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
config=$1
shift
rank_counts=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    [[ $1 =~ ^[1-9][0-9]*$ ]] || { echo "scaling.sh: rank count '$1' is not a positive integer; $usage" >&2; exit 2; }
    rank_counts+=("$1")
    shift
done
[ $# -gt 0 ] && shift  # the --
[ ${#rank_counts[@]} -gt 0 ] || { echo "$usage" >&2; exit 2; }

venv=${PARLEAK_VENV:-.venv}
if [ -f "$venv/bin/activate" ]; then
    # shellcheck disable=SC1091
    source "$venv/bin/activate"
fi
command -v parleak >/dev/null || { echo "scaling.sh: no parleak command; set PARLEAK_VENV" >&2; exit 2; }
export OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1
helper="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/scaling_table.py"
if [ -n "${SLURM_JOB_ID:-}" ]; then
    # sbatch runs a copy of this script: find the helper beside the original
    helper="$(scontrol show job "$SLURM_JOB_ID" | sed -n 's/^ *Command=\([^ ]*\).*/\1/p')"
    helper="$(dirname "$helper")/scaling_table.py"
fi

name=$(basename "$config" .toml)
dir=${SCALING_DIR:-runs/scaling-$name}
steps=${SCALING_STEPS:-20}
default_launch=mpirun
[ -n "${SLURM_JOB_ID:-}" ] && default_launch="srun --mpi=pmix"
read -ra launch <<< "${PARLEAK_LAUNCH:-$default_launch}"
common=(--overwrite --set "time.max_steps=$steps" --set output.interval=0 --set output.scalars_every=0)

run() {  # run SERIES N [parleak options]: one run, its log in $dir/SERIES/nN.log
    local series=$1 n=$2
    shift 2
    mkdir -p "$dir/$series"
    echo "scaling.sh: $series, $n ranks"
    "${launch[@]}" -n "$n" parleak run "$config" "$@" --output "$dir/$series/n$n" > "$dir/$series/n$n.log" 2>&1 \
        || { echo "scaling.sh: the run failed, see $dir/$series/n$n.log" >&2; tail -5 "$dir/$series/n$n.log" >&2; exit 3; }
}

run warmup 1 "$@" --overwrite --set time.max_steps=1 --set output.interval=0 --set output.scalars_every=0
for series in ${SCALING_SERIES:-strong weak}; do
    for n in "${rank_counts[@]}"; do
        case $series in
            strong) run strong "$n" "$@" "${common[@]}" ;;
            weak)
                cells=$(python "$helper" weak-cells "$config" "$n" "$@")
                run weak "$n" "$@" "${common[@]}" --set "grid.cells=$cells" ;;
            *) echo "scaling.sh: SCALING_SERIES may hold strong and weak, not '$series'" >&2; exit 2 ;;
        esac
    done
done
python "$helper" table "$dir" "${rank_counts[@]}"
echo "scaling.sh: table in $dir/scaling.csv and $dir/scaling.txt"
