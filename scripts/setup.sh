#!/usr/bin/env bash
# Set up a development environment for parleak on Debian 12 (bookworm).
#
#   1. checks the Debian packages (petsc4py, mpi4py, MPI h5py, numba, Open MPI)
#      and installs missing ones as root or with passwordless sudo;
#   2. creates .venv from /usr/bin/python3 with --system-site-packages so that
#      the Debian builds of numpy/mpi4py/h5py/petsc4py/numba are used;
#   3. installs parleak editable (--no-deps) plus pytest and pytest-timeout;
#   4. installs the optional mesa-reader (MESA progenitor profiles) with
#      --no-deps: it imports only numpy and pandas, both from Debian here.
#
# Idempotent: a second run only checks and exits in a couple of seconds.
# PARLEAK_SETUP_AS_USER=1 pretends to be a user without root or sudo (testing).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=/usr/bin/python3
VENV=.venv
STAMP=$VENV/.parleak-stamp
DEB_PACKAGES=(
    python3-petsc4py libpetsc-real-dev python3-mpi4py python3-h5py-mpi
    python3-numba python3-scipy python3-matplotlib openmpi-bin libhdf5-openmpi-dev python3-venv python3-pip
)
# For the SLURM job-script tests (a single-node slurmctld/slurmd started by
# the tests) and, python3-pandas, for mesa-reader. Installed when possible;
# without them those tests skip.
OPTIONAL_DEB_PACKAGES=(slurmctld slurmd slurm-client munge python3-pandas)
# The optional reader of MESA profiles (parleak[mesa]), the version whose
# imports (numpy, pandas) were checked.
MESA_READER=mesa-reader==0.4.0

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

# --- 1. Debian packages -----------------------------------------------------
installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]; }
missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done
optional_missing=()
for pkg in "${OPTIONAL_DEB_PACKAGES[@]}"; do
    installed "$pkg" || optional_missing+=("$pkg")
done
can_install() {
    if [[ "${PARLEAK_SETUP_AS_USER:-0}" != 1 && $(id -u) -eq 0 ]]; then
        SUDO=()
    elif [[ "${PARLEAK_SETUP_AS_USER:-0}" != 1 ]] && sudo -n true 2>/dev/null; then
        SUDO=(sudo)
    else
        return 1
    fi
}

if [[ ${#missing[@]} -eq 0 ]]; then
    say "Debian packages: all ${#DEB_PACKAGES[@]} present"
else
    if ! can_install; then
        {
            echo "setup: missing Debian packages: ${missing[*]}"
            echo "setup: not root and no passwordless sudo; please run:"
            echo
            echo "    sudo apt-get install -y ${missing[*]}"
            echo
            echo "setup: then run this script (or make) again."
        } >&2
        exit 1
    fi
    say "Debian packages: installing ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [[ ${#optional_missing[@]} -gt 0 ]]; then
    if can_install && { "${SUDO[@]}" apt-get update -qq &&
            "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "${optional_missing[@]}" >/dev/null; }; then
        say "optional Debian packages: installed ${optional_missing[*]}"
    else
        say "optional Debian packages ${optional_missing[*]} not installed: the SLURM tests (slurm*, munge)" \
            "and the MESA profile tests (python3-pandas) will skip"
    fi
fi

# --- 2. virtual environment -------------------------------------------------
# A .venv made some other way (e.g. from pyenv's python3, or without
# --system-site-packages) cannot see the Debian packages: recreate it.
if [[ -f $VENV/pyvenv.cfg ]] &&
   ! { grep -qx 'home = /usr/bin' $VENV/pyvenv.cfg &&
       grep -qx 'include-system-site-packages = true' $VENV/pyvenv.cfg; }; then
    say "venv: $VENV was not made from $PY --system-site-packages; recreating"
    rm -rf "$VENV"
fi
if [[ -x $VENV/bin/python ]]; then
    say "venv: $VENV exists"
else
    say "venv: creating $VENV ($PY -m venv --system-site-packages)"
    rm -rf "$VENV"
    "$PY" -m venv --system-site-packages "$VENV"
fi

# --- 3. parleak (editable) and test tools ------------------------------------
want=$(cat setup.cfg pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [[ -f $STAMP && $(cat "$STAMP") == "$want" && -x $VENV/bin/parleak ]]; then
    say "pip: parleak already installed (setup.cfg/pyproject.toml unchanged)"
else
    say "pip: installing parleak (editable, --no-deps) and pytest, pytest-timeout"
    rm -f "$STAMP"
    pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
    # --no-deps: pip cannot see the Debian petsc4py/h5py metadata and would try
    # to build them from PyPI. --no-build-isolation: build with Debian's
    # setuptools and wheel (dependencies of python3-pip) instead of fetching them.
    "${pip[@]}" --no-deps --no-build-isolation -e .
    test_deps=(pytest pytest-timeout hypothesis)
    if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        test_deps+=(tomli)
    fi
    "${pip[@]}" "${test_deps[@]}"

    # The scientific stack must still be Debian's (under /usr/lib), not PyPI's.
    paths=$(H5PY_ALWAYS_USE_MPI=1 "$VENV/bin/python" -c '
import numpy, mpi4py, h5py, petsc4py, numba
assert h5py.get_config().mpi, "h5py is not the MPI build"
for m in (numpy, mpi4py, h5py, petsc4py, numba):
    print(m.__file__)') || die "importing the Debian packages from $VENV failed"
    if grep -qv '^/usr/lib/' <<<"$paths"; then
        die "$VENV does not use Debian's packages:"$'\n'"$paths"
    fi
    [[ -x $VENV/bin/parleak ]] || die "$VENV/bin/parleak was not created"
    echo "$want" >"$STAMP"
fi

# --- 4. optional mesa-reader ---------------------------------------------------
# --no-deps: its requirements (numpy, pandas) would pull PyPI's numpy over
# Debian's and break numba. Tried on every run until it is there; where PyPI
# cannot be reached the MESA tests skip and the set-up still succeeds.
if compgen -G "$VENV/lib/python3*/site-packages/mesa_reader/__init__.py" >/dev/null; then
    say "mesa-reader: present"
elif "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --retries 1 --timeout 20 \
        --no-deps "$MESA_READER"; then
    say "mesa-reader: installed ($MESA_READER, --no-deps)"
else
    say "mesa-reader: not installed (PyPI unreachable?): reading MESA profiles and their tests are skipped"
fi

say "environment ready: $(pwd)/$VENV (activate with: source $VENV/bin/activate)"
