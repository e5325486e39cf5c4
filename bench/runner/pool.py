"""A small supervised pool of worker processes: crash containment and hard timeouts.

Workers come from a ``forkserver`` (a clean server process that has imported numpy,
the methods and the metrics but never torch/CUDA, so forking from it is cheap and
CUDA-safe). Each worker runs one job at a time over a pipe and announces each task
before starting it, so the supervisor always knows which task a worker is running:

* a worker that dies (segfault, ``os._exit``, OOM kill, ``kill -9``) fails the task it
  was running, named with the signal or exit code; the job's other tasks go back to
  the queue and a fresh worker is started, so every other task still runs;
* a task past ``timeout`` seconds is ended by killing its worker (whatever the plugin
  catches) and fails with stage ``timeout``;
* workers die with the main process: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (their
  parent is the forkserver, which exits when the main process goes) plus a thread
  that polls the main process's pid as a fallback.

    >>> import numpy as np, tempfile
    >>> from bench.runner.pairs import array_pair
    >>> from bench.runner.tasks import Task
    >>> pair = array_pair("p", np.zeros((8, 8)), np.full((8, 8), 100.0))
    >>> job = Job(pair, "h" * 64, [Task("average", "1", "p", "k" * 64)], [], tempfile.mkdtemp())
    >>> with WorkerPool(1) as pool:
    ...     [(r.method, r.failed) for r in pool.run([job], timeout=60)]
    [('average', False)]
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait

from bench.runner.execute import Job, TaskResult, iter_job, load_plugins

log = logging.getLogger(__name__)

PRELOAD = ["bench.runner.pool", "methods", "metrics"]
_PR_SET_PDEATHSIG = 1


def _context():
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _die_with(main_pid: int) -> None:
    """Kill this process when its parent dies (Linux) or when ``main_pid`` is gone."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def watch():
        while True:
            time.sleep(0.5)
            try:
                os.kill(main_pid, 0)
            except ProcessLookupError:
                os._exit(3)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="fusebench-parent-watch", daemon=True).start()


def _worker(conn, main_pid: int, plugins: tuple[str, ...]) -> None:
    _die_with(main_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    load_plugins(plugins)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        for event in iter_job(msg):
            conn.send(event)
        conn.send(("end",))


def describe_exit(code: int | None) -> str:
    """``killed by SIGSEGV`` / ``exit code 3``."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


@dataclass
class _Slot:
    proc: mp.Process
    conn: object
    job: Job | None = None
    retried: bool = False  # the job already lost a worker before its first task started
    current: int | None = None  # index of the task being run
    done: set[int] = field(default_factory=set)
    deadline: float | None = None


class WorkerPool:
    """``n`` supervised worker processes (started lazily, replaced when they die)."""

    def __init__(self, n: int = 1, *, plugins: tuple[str, ...] = ()):
        self.n = max(1, int(n))
        self.plugins = tuple(plugins)
        self._ctx = _context()
        self._slots: list[_Slot] = []
        self.started = 0  # workers started (replacements included)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker, args=(child, os.getpid(), self.plugins),
                                 name="fusebench-worker", daemon=True)
        proc.start()
        child.close()
        self.started += 1
        slot = _Slot(proc, parent)
        self._slots.append(slot)
        return slot

    def _retire(self, slot: _Slot, kill: bool) -> None:
        if kill and slot.proc.is_alive():
            slot.proc.kill()
        slot.proc.join(timeout=5)
        with contextlib.suppress(OSError):
            slot.conn.close()
        self._slots.remove(slot)

    def close(self) -> None:
        """Stop every worker (idle ones are asked, busy ones killed)."""
        for slot in list(self._slots):
            if slot.job is None and slot.proc.is_alive():
                with contextlib.suppress(OSError, BrokenPipeError):
                    slot.conn.send(None)
                slot.proc.join(timeout=2)
            self._retire(slot, kill=True)

    def run(self, jobs: list[Job], timeout: float | None = None) -> Iterator[TaskResult]:
        """Yield each task's result as it finishes; a dead or overdue worker fails only
        the task it was running."""
        queue = collections.deque((job, False) for job in jobs)
        while queue or any(s.job is not None for s in self._slots):
            self._assign(queue, timeout)
            busy = [s for s in self._slots if s.job is not None]
            now = time.monotonic()
            deadlines = [s.deadline for s in busy if s.deadline is not None]
            wait_for = max(0.0, min(deadlines) - now) if deadlines else None
            ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=wait_for)
            for slot in busy:
                if slot.conn in ready or slot.proc.sentinel in ready:
                    yield from self._drain(slot, queue, timeout)
            now = time.monotonic()
            for slot in [s for s in self._slots if s.job is not None]:
                if slot.deadline is not None and now >= slot.deadline:
                    yield from self._overdue(slot, queue, timeout)

    # -- internals ------------------------------------------------------------
    def _assign(self, queue: collections.deque, timeout: float | None) -> None:
        while queue:
            idle = next((s for s in self._slots if s.job is None), None)
            if idle is None:
                if len(self._slots) >= self.n:
                    return
                idle = self._start()
            if not idle.proc.is_alive():  # died while idle: nothing was lost
                self._retire(idle, kill=True)
                continue
            job, retried = queue.popleft()
            idle.job, idle.retried, idle.current, idle.done = job, retried, None, set()
            idle.deadline = time.monotonic() + timeout if timeout else None  # loading counts
            try:
                idle.conn.send(job)
            except (BrokenPipeError, OSError):  # died meanwhile: replace it, retry the job
                queue.appendleft((job, retried))
                self._retire(idle, kill=True)

    def _drain(self, slot: _Slot, queue, timeout) -> Iterator[TaskResult]:
        try:
            while slot.conn.poll():
                event = slot.conn.recv()
                if event[0] == "start":
                    slot.current = event[1]
                    slot.deadline = time.monotonic() + timeout if timeout else None
                elif event[0] == "done":
                    slot.done.add(event[1])
                    slot.current = None
                    yield event[2]
                elif event[0] == "end":
                    slot.job, slot.current, slot.deadline = None, None, None
                    return
        except (EOFError, OSError):
            pass
        if slot.proc.is_alive() and slot.job is not None:
            return
        if slot.job is None:  # died between jobs
            self._retire(slot, kill=True)
            return
        slot.proc.join(timeout=5)
        yield from self._lost(slot, queue, "worker", describe_exit(slot.proc.exitcode))

    def _overdue(self, slot: _Slot, queue, timeout) -> Iterator[TaskResult]:
        slot.proc.kill()
        slot.proc.join(timeout=5)
        yield from self._lost(slot, queue, "timeout", f"exceeded the {timeout:g} s timeout")

    def _lost(self, slot: _Slot, queue, stage: str, why: str) -> Iterator[TaskResult]:
        """Fail the task ``slot`` was running; put the job's other tasks back in the queue.

        A worker lost before the job's first task started (while receiving or loading the
        pair) gets the job retried once in a fresh worker; lost there again, the job's
        tasks all fail (the pair is the likely culprit)."""
        job = slot.job
        self._retire(slot, kill=True)
        pending = [i for i in range(len(job.tasks)) if i not in slot.done]
        if slot.current is None and not slot.done and not slot.retried:
            log.info("worker %s before the first task of pair %r; retrying the job", why,
                     job.pair.id)
            queue.appendleft((job, True))
            return
        culprits = [slot.current] if slot.current is not None else pending
        for i in culprits:
            t = job.tasks[i]
            where = "loading the pair" if slot.current is None else "running it"
            msg = (f"method {t.method!r} on pair {t.pair_id!r}: worker process {why} while {where}"
                   + ("; worker killed" if stage == "timeout" else ""))
            log.warning("%s", msg)
            yield TaskResult.failure(t, stage, msg)
        rest = [job.tasks[i] for i in pending if i not in culprits]
        if rest:
            queue.appendleft((job.with_tasks(rest), False))
