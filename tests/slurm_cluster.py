"""A throw-away single-node SLURM cluster on this host, for the job-script
tests: munged, slurmctld and slurmd from the Debian packages (slurmctld,
slurmd, slurm-client, munge), started as root with everything (munge key and
socket, slurm.conf, state, spool and logs) in one temporary directory, and
stopped afterwards.

The node declares more CPUs than the machine has (config_overrides), so
4-rank jobs fit on a 2-core machine; processes are tracked without cgroups
(proctrack/linuxproc, task/none). Every client command gets SLURM_CONF
through `env`, and the batch jobs inherit it (sbatch exports the
environment), so nothing under /etc is read or changed.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "scontrol", "sinfo", "squeue", "scancel")
NODE_CPUS = 8
FINISHED_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                   "PREEMPTED", "BOOT_FAIL", "DEADLINE"}


class Unavailable(Exception):
    """SLURM cannot run here (packages missing, not root, a daemon that
    does not start); the message says why."""


def _sbin(name):
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, lines=15):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class SlurmCluster:
    """Start with `start()`, stop with `stop()` (or use as a context
    manager). `env` is the environment for client commands and jobs."""

    def __init__(self, base_env=None):
        missing = [name for name in DAEMONS + CLIENTS if not _sbin(name)]
        if missing:
            raise Unavailable(f"SLURM/munge commands not installed: {', '.join(missing)} "
                              "(Debian packages slurmctld slurmd slurm-client munge; scripts/setup.sh installs them as root)")
        if os.geteuid() != 0:
            raise Unavailable("starting slurmd needs root (it runs jobs as their submitting user)")
        self.dir = Path(tempfile.mkdtemp(prefix="parleak-slurm-"))
        os.chmod(self.dir, 0o700)
        self.node = socket.gethostname()
        self.conf = self.dir / "slurm.conf"
        self.munge_socket = self.dir / "munge" / "munge.socket"
        self.env = dict(base_env if base_env is not None else os.environ)
        self.env["SLURM_CONF"] = str(self.conf)
        self.processes = {}

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- set-up -------------------------------------------------------------

    def _write_munge_key(self):
        munge_dir = self.munge_socket.parent
        munge_dir.mkdir(mode=0o700)
        key = munge_dir / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        return key

    def _write_conf(self):
        for name in ("state", "spool", "log"):
            (self.dir / name).mkdir(mode=0o755)
        d = self.dir
        self.conf.write_text(f"""\
ClusterName=parleaktest
SlurmctldHost={self.node}(127.0.0.1)
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.munge_socket}
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/log/slurmctld.log
SlurmdLogFile={d}/log/slurmd.log
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
SchedulerType=sched/builtin
ReturnToService=2
MinJobAge=3600
KillWait=10
InactiveLimit=0
Waittime=0
NodeName={self.node} NodeAddr=127.0.0.1 CPUs={NODE_CPUS} RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes={self.node} Default=YES MaxTime=INFINITE State=UP
""")

    def _spawn(self, name, args):
        log = open(self.dir / "log" / f"{name}.out", "w")
        self.processes[name] = subprocess.Popen([_sbin(name)] + args, env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                start_new_session=True)
        log.close()

    def _wait_for(self, what, ready, timeout, logs):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise Unavailable(f"{name} exited with code {process.returncode} while waiting for {what}:\n"
                                      + "\n".join(_tail(log) for log in logs))
            if ready():
                return
            time.sleep(0.2)
        raise Unavailable(f"timed out after {timeout} s waiting for {what}:\n" + "\n".join(_tail(log) for log in logs))

    def start(self):
        """Start munged, slurmctld and slurmd; return when the node is idle.
        Raises Unavailable (after stopping what started) if that fails."""
        try:
            key = self._write_munge_key()
            self._write_conf()
            munge = self.munge_socket.parent
            self._spawn("munged", ["--foreground", "--force", f"--key-file={key}", f"--socket={self.munge_socket}",
                                   f"--pid-file={munge}/munged.pid", f"--log-file={munge}/munged.log",
                                   f"--seed-file={munge}/munged.seed"])
            self._wait_for("munged's socket", self.munge_socket.exists, 20, [munge / "munged.log"])
            logs = [self.dir / "log" / "slurmctld.log", self.dir / "log" / "slurmd.log"]
            self._spawn("slurmctld", ["-D", "-c", "-i"])
            self._spawn("slurmd", ["-D"])
            self._wait_for(f"node {self.node} to become idle", lambda: self.node_state() == "idle", 60, logs)
        except BaseException:
            self.stop()
            raise

    # --- clients ------------------------------------------------------------

    def command(self, *args, check=True, timeout=30, **kwargs):
        """Run a SLURM client command with this cluster's SLURM_CONF."""
        result = subprocess.run(list(args), env=kwargs.pop("env", self.env), capture_output=True, text=True,
                                timeout=timeout, **kwargs)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}{result.stderr}")
        return result

    def node_state(self):
        result = self.command("sinfo", "-h", "-N", "-o", "%t", check=False, timeout=10)
        return result.stdout.strip() if result.returncode == 0 else None

    def sbatch(self, *args, env=None, cwd=None):
        """Submit; return the job id (str)."""
        result = self.command("sbatch", "--parsable", *map(str, args), env=env or self.env, cwd=cwd)
        return result.stdout.strip().split(";")[0]

    def job(self, job_id):
        """`scontrol show job` as a dict (JobState, ExitCode, StdOut, ...)."""
        result = self.command("scontrol", "show", "job", "-o", str(job_id))
        return dict(re.findall(r"(\S+?)=(\S*)", result.stdout))

    def wait(self, job_id, timeout):
        """Wait until the job has finished; return its `job()` dict."""
        deadline = time.monotonic() + timeout
        while True:
            info = self.job(job_id)
            if info["JobState"] in FINISHED_STATES:
                return info
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {info['JobState']} after {timeout} s")
            time.sleep(0.5)

    def logs(self):
        """The tails of the daemons' logs, for failure messages."""
        return "\n".join(f"--- {name}\n{_tail(self.dir / 'log' / f'{name}.log')}" for name in ("slurmctld", "slurmd"))

    # --- tear-down ----------------------------------------------------------

    def _job_processes(self):
        """Pids of processes started for this cluster's jobs (slurmstepd,
        the job scripts, the ranks): they carry this SLURM_CONF."""
        marker = f"SLURM_CONF={self.conf}".encode()
        own = {p.pid for p in self.processes.values()}
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) not in own and int(entry.name) != os.getpid():
                try:
                    if marker in (entry / "environ").read_bytes().split(b"\0"):
                        pids.append(int(entry.name))
                except OSError:
                    pass
        return pids

    def stop(self):
        """Cancel the jobs, stop the daemons (and any job process left),
        delete the directory."""
        if self.processes.get("slurmctld") and self.processes["slurmctld"].poll() is None:
            self.command("scancel", "--user=root", check=False, timeout=10)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.command("squeue", "-h", check=False, timeout=10).stdout.strip():
                time.sleep(0.5)
        for name in reversed(DAEMONS):
            process = self.processes.get(name)
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for pid in self._job_processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.processes.clear()
        shutil.rmtree(self.dir, ignore_errors=True)
