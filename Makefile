# parleak developer targets. See README.md.
#   make setup   create .venv and install parleak (scripts/setup.sh)
#   make demo    the main job: a cooling proto-neutron star (drivers/pns.toml,
#                built-in EOS, no download) on 2 ranks into output/pns, then
#                `parleak post` on it: plots in output/pns/post and a table
#                of luminosities, mean energies and neutrinosphere radii
#   make demo-advection   the 2-rank advection demo into output/advection_2d
#   make test    run the test suite (no tests collected counts as a failure)
#   make bench   run the benchmarks
#   make clean   remove output/

VENV   := .venv
PYTHON := $(VENV)/bin/python
MPIRUN ?= mpirun
DEMO_OUT := output/pns
# The demo's run: drivers/pns.toml (48^3 octant) to 0.5 ms, about 1.2 min of
# steps on 2 free cores after the one-off numba compilation of a fresh clone;
# DEMO_SETS= (empty) runs the driver's full 1 ms.
DEMO_SETS ?= --set time.t_end=5e-4
ADVECTION_OUT := output/advection_2d

# Open MPI settings so that mpirun works as root, oversubscribed and in
# containers. Values already set in the environment take precedence.
export OMPI_ALLOW_RUN_AS_ROOT ?= 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM ?= 1
export OMPI_MCA_rmaps_base_oversubscribe ?= 1
export OMPI_MCA_btl_vader_single_copy_mechanism ?= none
export PRTE_MCA_rmaps_default_mapping_policy ?= :oversubscribe

.PHONY: setup demo demo-advection test bench clean

setup:
	@bash scripts/setup.sh

demo: setup
	$(MPIRUN) -n 2 $(VENV)/bin/parleak run drivers/pns.toml --output $(DEMO_OUT) --overwrite $(DEMO_SETS)
	$(VENV)/bin/parleak post $(DEMO_OUT)
	@echo "demo: the run is in $(abspath $(DEMO_OUT)), its plots in $(abspath $(DEMO_OUT))/post"

demo-advection: setup
	$(MPIRUN) -n 2 $(VENV)/bin/parleak run drivers/advection_2d.toml --output $(ADVECTION_OUT) --overwrite
	@echo "demo output: $(abspath $(ADVECTION_OUT))"
	@ls -l $(ADVECTION_OUT)

# pytest exits with 5 when it collects no tests; count that as a failure too.
test: setup
	@status=0; $(PYTHON) -m pytest -q $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then \
	    echo "make test: pytest collected no tests (exit 5): failing" >&2; \
	fi; \
	exit $$status

bench: setup
	$(PYTHON) benchmarks/run_all.py

clean:
	rm -rf output/
