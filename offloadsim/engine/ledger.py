"""The run's accounts: what each stage cost its task, and how each task ended.

The kernel and the kinds of work hand every finished stage here
(:meth:`Ledger.book_compute`, :meth:`Ledger.book_transfer`) and every
ending task (:meth:`Ledger.end`); the ledger appends the task's flat record.
It is the narrow interface helpers get instead of the simulation.  (The
kernel books its own compiled steps inline when no stage rows are kept:
the same arithmetic, a call fewer per stage; engine/simulation.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from offloadsim.engine.records import RecordLog, StageLog, pack_row
from offloadsim.engine.tasks import NAN, UNPLANNED, Task
from offloadsim.records.schema import STATUSES

if TYPE_CHECKING:
    import simpy

__all__ = ["Ledger", "RecordExtra"]

# What a kind of work adds to its task's record: (prompt tokens, output tokens, KV-cache bytes).
RecordExtra = Callable[[Task], tuple[float, float, float]]
_NO_EXTRA: Final = (NAN, NAN, NAN)


class Ledger:
    """Books stages to tasks, ends tasks and appends their records."""

    __slots__ = (
        "_room",
        "_status_codes",
        "counters",
        "env",
        "in_flight",
        "records",
        "stages",
        "tokens",
        "warmup_s",
    )

    def __init__(
        self,
        env: simpy.Environment,
        warmup_s: float,
        record_stages: bool,
        records: RecordLog | None = None,
    ):
        self.env = env
        self.warmup_s = warmup_s
        self.records = RecordLog() if records is None else records
        self._room = self.records.chunk_rows - len(self.records.task_ids)  # records until the next flush
        self.stages: StageLog | None = StageLog.beside(self.records, warmup_s) if record_stages else None
        self.in_flight: dict[int, Task] = {}
        self.counters = {"arrived": 0, "dropped": 0, "completed": 0, "failed": 0}
        self._status_codes = {status: self.records.status_code(status) for status in STATUSES}
        # Each unrecorded LLM request (attempt) that arrived in the window -> the output tokens
        # generated for it so far: its record's ``window_tokens`` when it is recorded, which takes
        # them out, so the map holds only requests in progress (memory flat in the run's length).
        self.tokens: dict[Task, int] = {}

    def token_generated(self, task: Task) -> None:
        """Count an output token generated for ``task`` in its record's ``window_tokens``."""
        if task.row >= 0:  # recorded already: a retried request's earlier attempt, still decoding
            self.records.add("window_tokens", task.row, 1.0)
        elif task.arrival >= self.warmup_s:  # one that arrived in the warm-up has no record
            tokens = self.tokens
            tokens[task] = tokens.get(task, 0) + 1

    def book_compute(
        self,
        task: Task,
        node: str,
        wait_s: float,
        service_s: float,
        power_w: float,
        processor: str = "",
        phase: str = "",
    ) -> None:
        """Charge a compute stage that just ended to its task: wait, service, device energy, stage row.

        ``power_w`` is what the source device draws above idle per busy core
        when the stage ran on it (0 elsewhere: another powered node's draw is the
        task's other energy, charged by the step's ``other`` meter); ``processor`` is the node's
        processor it ran on and ``phase`` what the stage is for an LLM request
        (``prefill``, ``decode``: records.schema.STAGE_PHASES), for the stage row.
        """
        now: float = self.env.now  # float, not SimPy's int | float: mypyc's arithmetic on it is then native
        task.wait += wait_s
        task.compute_time += service_s
        if task.start != task.start:  # NaN: the task's first step
            task.start = now - service_s
        if power_w:
            joules = power_w * service_s
            task.energy += joules
            task.compute_energy += joules
        if self.stages is not None:
            start = now - service_s
            self.stages.add(task, "compute", node, start - wait_s, start, now, 0.0, processor, phase)

    def charge_late(self, task: Task, joules: float) -> None:
        """Device energy of a stage that ran on after ``task`` was given up (a timeout, a failure elsewhere).

        The device drew it all the same: it is the task's, as its flows' energy is, in its record
        if it has one already (else summed into it when recorded, ``Task.previous``).
        """
        task.energy += joules
        task.compute_energy += joules  # a stage's: its callers' are compute stages
        if task.row >= 0:
            self.records.add("device_energy", task.row, joules)
            self.records.add("device_compute_energy", task.row, joules)

    def book_transfer(
        self, task: Task, a: str, b: str, size: float, started: float, latency_s: float, phase: str = ""
    ) -> None:
        """Charge a transfer that just arrived to its task (its radio energy is metered as it flows).

        ``phase``: what it carries for an LLM request (``prompt``, ``token``...), for the stage row.
        """
        now: float = self.env.now
        task.transfer_time += now - started
        task.bytes_sent += size
        if self.stages is not None:
            self.stages.add(task, "transfer", f"{a}>{b}", started, started, now, size, "", phase)

    def end(self, task: Task, status: str, reason: str = "") -> None:
        """``task`` ended (``completed``, ``dropped`` or ``failed``): record it and tell who waits on it."""
        del self.in_flight[task.id]
        self.counters[status] += 1
        if task.arrival >= self.warmup_s:
            now: float = self.env.now
            if status == "completed":
                self.record(task, status, now, reason)
            else:  # its finish stays NaN (completed tasks only): when it was lost is lost_at
                self.record(task, status, NAN, reason)
                self.records.set("lost_at", task.row, now)
        if task.on_done is not None:
            task.on_done(task)

    def finish(self, task: Task, status: str, reason: str = "") -> None:
        """End ``task`` unless it has already ended (a kind of work whose events outlive a failure)."""
        if self.in_flight.get(task.id) is task:  # not a retried task's dead attempt
            self.end(task, status, reason)

    def record(self, task: Task, status: str, finish: float, reason: str = "") -> None:
        """Append ``task``'s flat record."""
        log = self.records
        extra = task.extra
        a, b, c = _NO_EXTRA if extra is None else extra(task)
        energy = task.energy
        compute = task.compute_energy
        other = task.other_energy
        row = task.row = log.base + len(log.task_ids)
        previous = task.previous
        while previous is not None:  # a retried task: each attempt's energy so far, and from now on
            energy += previous.energy  # charged to this record (its flow or stage may run on)
            compute += previous.compute_energy
            other += previous.other_energy
            previous.row = row
            previous = previous.previous
        log.values.frombytes(pack_row(  # the float columns, in records.FLOAT_COLUMNS order
            task.arrival, task.start, finish, task.wait, task.compute_time, task.transfer_time,
            task.bytes_sent, task.deadline, energy, other, task.ttft, task.tpot, a, b, c, compute,
        ))  # fmt: skip
        log.task_ids.append(task.id)
        plan = task.plan
        log.plan_codes.append(plan.code if plan is not UNPLANNED else self._last_plan_code(task))
        log.status_codes.append(self._status_codes[status])
        log.reason_codes.append(log.reason_code(reason) if reason else 0)  # "" is code 0
        if a == a:  # an LLM request: the tokens generated for it and its earlier attempts
            log.set("window_tokens", row, float(self._tokens_of(task)))
        self._room -= 1
        if not self._room:
            log.flush()
            self._room = log.chunk_rows

    def _tokens_of(self, task: Task) -> int:
        """The output tokens counted for ``task`` and its earlier attempts, taken out of the map."""
        tokens = self.tokens
        count = tokens.pop(task, 0)
        previous = task.previous
        while previous is not None:
            count += tokens.pop(previous, 0)
            previous = previous.previous
        return count

    def _last_plan_code(self, task: Task) -> int:
        """The plan code of a task recorded before its attempt was planned: its last attempt's plan.

        A retry waiting out its backoff (engine/recovery.py) has no plan of its own yet; ended
        there (its source went down, the run ended), its record is that of the plan its task
        last ran, which fixes the record's app and source.  (UNPLANNED's own code, 0, is the
        run's first compiled plan, another task's: a record of another source, or app.)
        """
        previous = task.previous
        while previous is not None:
            if previous.plan is not UNPLANNED:
                return previous.plan.code
            previous = previous.previous
        return self.records.add_plan(task.app, task.source, "", 0, False)  # never planned: no placement
