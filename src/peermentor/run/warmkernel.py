"""Run cohort notebooks through papermill on a warm kernel, one per worker thread.

A fresh Jupyter kernel pays its imports (pandas, scipy, statsmodels, matplotlib,
pingouin: about 2 CPU-s) before the first cell runs, once per cohort. When Snakemake
runs jobs in threads (``force-use-threads`` in ``profiles/default``), each worker
thread keeps one kernel and runs its cohorts' notebooks on it, so those imports are
paid once per thread instead of once per cohort (``benchmarks/kernel_reuse.py``
measures it side by side).

Every notebook must still come out as it would from a fresh kernel, so between two
notebooks the kernel is put back: IPython's ``reset(new_session=True)`` empties the
namespace and the output history and opens a new history session, so the execution
counter starts at 1 again; open figures are closed. Modules stay imported; that is the
point. Two things made that reset cost about 0.17 CPU-s a cohort, neither of which a
notebook can see: its full garbage collection scanned every object of every imported
module, and the history session went to an SQLite file on disk. So after each reset
and a collection that frees what the notebook left, what survived (modules, their
caches) is frozen out of later scans (``gc.freeze``): the next collection scans only
what was made since; and the kernel keeps its input history in memory
(``HistoryManager.hist_file=:memory:``), which no notebook reads. A notebook that fails
takes its kernel with it: the next cohort gets a fresh one. ``tests/test_warmkernel.py``
checks that two cohorts run on one kernel give the same notebooks (outputs and
execution counts) as each run alone.

Kernels are papermill's ``python3`` kernels started by jupyter_client, shut down when
the process ends, and they exit on their own if it dies (ipykernel's parent poller).

On a SLURM cluster a cluster job runs each cohort of its group as a job step of its own,
a separate Snakemake process, one after another (snakemake-executor-plugin-slurm's
jobstep executor), so no thread of one process sees two cohorts. There the cluster job's
own Snakemake process, which lives as long as the job, starts one kernel when it reads
the workflow (:func:`host_kernel`) and leaves its connection file in a folder named for
the SLURM job; each cohort's step takes it (a file lock), runs its notebook on it, puts
it back as above and lets it go (:func:`_hosted_kernel`). A kernel cannot outlive the
step that starts it (SLURM ends a step's processes with it), hence the job's process.
A step that finds no hosted kernel, or one that died, starts its own as before; a
notebook that fails on the hosted kernel shuts it down, and later steps start their own.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

ENGINE = "peermentor-warm-kernel"
KERNEL = "python3"

# Run silently after each notebook (no output, no execution count). The package sets
# no matplotlib rcParams, global random state or module-level caches, so the namespace,
# the history and open figures are what a fresh kernel would differ by.
_RESET = """\
import sys as _sys
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
del _sys
get_ipython().reset(new_session=True)
__import__("gc").collect()
__import__("gc").freeze()
"""
# The kernel's input history in memory, not in ~/.ipython's SQLite file: a new history
# session per cohort would otherwise be a write to disk.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]

_local = threading.local()
_started: list[AsyncKernelManager] = []
_started_lock = threading.Lock()


def _start_kernel(cwd: str, log_path: str | None) -> AsyncKernelManager:
    km = AsyncKernelManager(kernel_name=KERNEL)
    if log_path:
        with open(log_path, "a", encoding="utf-8") as stderr:  # the kernel keeps its own copy
            run_sync(km.start_kernel)(cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr,
                                      extra_arguments=KERNEL_ARGUMENTS)
    else:
        run_sync(km.start_kernel)(cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  extra_arguments=KERNEL_ARGUMENTS)
    with _started_lock:
        _started.append(km)
    return km


def _run_silently(km: AsyncKernelManager, code: str) -> None:
    async def go():
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(code, silent=True, store_history=False,
                                                 timeout=60)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"resetting the kernel failed: {reply['content']}")
        finally:
            kc.stop_channels()

    run_sync(go)()


def _discard(km: AsyncKernelManager) -> None:
    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - a kernel that is already gone is fine
        pass
    with _started_lock:
        if km in _started:
            _started.remove(km)


def warm_kernel(cwd: str = ".", log_path: str | None = None) -> AsyncKernelManager:
    """This thread's kernel: started on first use, started again if it died."""
    km = getattr(_local, "km", None)
    if km is None or not run_sync(km.is_alive)():
        if km is not None:
            _discard(km)
        km = _local.km = _start_kernel(str(Path(cwd).resolve()), log_path)
    return km


@atexit.register
def shutdown_all() -> None:
    """Stop every kernel this process started (also run at exit)."""
    with _started_lock:
        kernels = list(_started)
    for km in kernels:
        _discard(km)
    _local.__dict__.clear()
    folder = _host_folder()
    if folder is not None and (folder / f"host-{os.getpid()}").is_file():
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
        folder.rmdir()


def _host_folder() -> Path | None:
    """Where this SLURM job's hosted kernel is announced (None outside a SLURM job)."""
    job = os.environ.get("SLURM_JOB_ID")
    return Path(tempfile.gettempdir()) / f"peermentor-kernel-{job}" if job else None


def host_kernel(cwd: str = ".", log_path: str | None = None) -> bool:
    """Start a kernel for the cohort steps of this SLURM job and announce it.

    Called by the cluster job's own Snakemake process while it reads the workflow; the
    kernel is shut down when that process ends. Returns False outside a SLURM job.
    """
    folder = _host_folder()
    if folder is None:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    km = _start_kernel(str(Path(cwd).resolve()), log_path)
    (folder / f"host-{os.getpid()}").touch()
    announcement = folder / "kernel.json.part"
    announcement.write_text(json.dumps({"connection_file": km.connection_file,
                                        "pid": km.provisioner.pid}), encoding="utf-8")
    announcement.replace(folder / "kernel.json")
    return True


class HostedKernelManager(AsyncKernelManager):
    """A kernel another process of this SLURM job started, used through its connection
    file: never started, restarted or shut down by this manager."""

    pid = 0

    @property
    def has_kernel(self) -> bool:
        return True

    async def _async_is_alive(self) -> bool:
        return _pid_alive(self.pid)

    is_alive = _async_is_alive


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def _hosted_kernel() -> Iterator[HostedKernelManager | None]:
    """This SLURM job's hosted kernel, held under a file lock, or None (no SLURM job, no
    kernel announced, or it is busy or gone)."""
    folder = _host_folder()
    announced = folder / "kernel.json" if folder is not None else None
    if announced is None or not announced.is_file():
        yield None
        return
    with open(folder / "kernel.lock", "a", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield None
            return
        try:
            info = json.loads(announced.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        if not info or not _pid_alive(int(info["pid"])):
            yield None
            return
        km = HostedKernelManager(kernel_name=KERNEL)
        km.load_connection_file(info["connection_file"])
        km.pid = int(info["pid"])
        try:
            yield km
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _retire_hosted(km: HostedKernelManager) -> None:
    """Shut a hosted kernel down (its notebook failed) and take back its announcement,
    so that later steps start kernels of their own."""
    folder = _host_folder()
    if folder is not None:
        (folder / "kernel.json").unlink(missing_ok=True)

    async def go():
        kc = km.client()
        kc.start_channels()
        try:
            kc.shutdown()
        finally:
            kc.stop_channels()

    with contextlib.suppress(Exception):
        run_sync(go)()


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine on this thread's warm kernel.

    papermill's own engine starts a kernel per notebook; this one passes the warm
    kernel's manager to the same ``PapermillNotebookClient``, then drops the client's
    channels and its exit handler (a client per cohort would otherwise keep both, and
    each executed notebook with them, until the process ends).
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                 stdout_file=None, stderr_file=None, start_timeout=60,
                                 execution_timeout=None, **kwargs):
        km = kwargs.pop("km")
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        client = PapermillNotebookClient(nb_man, km=km, **merge_kwargs(
            kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
            kernel_name=kernel_name, log=logger, log_output=log_output, stdout_file=stdout_file,
            stderr_file=stderr_file))
        try:
            return client.execute()
        finally:
            atexit.unregister(client._cleanup_kernel)
            if client.kc is not None:
                client.kc.stop_channels()
                client.kc = None


papermill_engines.register(ENGINE, WarmKernelEngine)


def execute_notebook(notebook: str, output: str, parameters: dict, cwd: str = ".",
                     log_path: str | None = None) -> str:
    """``papermill.execute_notebook`` on a warm kernel, then reset it: this SLURM job's
    hosted kernel if there is one free, else this thread's. Says which."""
    with _hosted_kernel() as hosted:
        if hosted is not None:
            try:
                _papermill(notebook, output, parameters, hosted)
            except BaseException:
                _retire_hosted(hosted)
                raise
            try:
                _run_silently(hosted, _RESET)
            except Exception:  # noqa: BLE001 - the next step starts a kernel of its own
                _retire_hosted(hosted)
            return "the kernel this SLURM job hosts"
    km = warm_kernel(cwd, log_path)
    try:
        _papermill(notebook, output, parameters, km)
    except BaseException:
        _discard(km)  # whatever state the failure left stays out of the next cohort
        _local.km = None
        raise
    try:
        _run_silently(km, _RESET)
    except Exception:  # noqa: BLE001 - the notebook is done; the next cohort gets a new kernel
        _discard(km)
        _local.km = None
    return "this thread's kernel"


def _papermill(notebook: str, output: str, parameters: dict, km: AsyncKernelManager) -> None:
    # request_save_on_cell_execute=False: papermill writes the notebook once at the end
    # (or on a failing cell), not twice per cell, which cost ~0.1 CPU-s a cohort
    # report_mode: every code cell, papermill's injected parameters included, opens
    # collapsed in JupyterLab (metadata.jupyter.source_hidden), as in cohort.ipynb
    papermill.execute_notebook(notebook, output, parameters=parameters, kernel_name=KERNEL,
                               engine_name=ENGINE, km=km, progress_bar=False,
                               request_save_on_cell_execute=False, report_mode=True)
