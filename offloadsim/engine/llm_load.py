"""The decode work that LLM requests in progress still owe each processor: part of a policy's queue estimate.

A FIFO processor's backlog holds one stage per LLM request in progress (its
prefill or the decode step under way): the request's later decode steps are
not queued until the step before them ends.  A saturated server whose queue
is a few steps long would look nearly free to a policy that reads the queue
alone.  :class:`LLMLoad` keeps, per processor, the requests running a
segment there; :meth:`LLMLoad.owed_s` prices the decode steps each has not
yet queued there (the same prices the run will charge them), which
``view.expected_wait_s`` adds to the processor's own wait.

The output length of a request in progress is read from the request, as
``view.compute_time_s`` reads a new request's: the view knows each request's
tokens (a length predictor's perfect answer), which the docs say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from offloadsim.engine.ledger import Ledger
    from offloadsim.engine.processor_models import ProcessorLike
    from offloadsim.engine.tasks import ComputeStep, Task
    from offloadsim.engine.work import Price

__all__ = ["InProgress", "LLMLoad"]


class InProgress(Protocol):
    """What :class:`LLMLoad` reads of a request in progress (an ``LLMRequest``)."""

    task: Task
    segments: tuple[ComputeStep, ...]
    generated: int

    def step_at(self, context: float) -> object:
        """A decode step of this request at ``context`` tokens, as its processors' prices take one."""
        ...


class LLMLoad:
    """Per processor, the LLM requests with a segment there that have decode steps left to queue."""

    __slots__ = ("_on",)

    def __init__(self) -> None:
        self._on: dict[int, dict[InProgress, None]] = {}  # id(processor) -> its requests, in start order

    def add(self, request: InProgress) -> None:
        """``request`` starts: count it on each processor its segments run on."""
        for segment in request.segments:
            self._on.setdefault(id(segment.processor), {})[request] = None

    def owed_s(self, processor: ProcessorLike, ledger: Ledger) -> float:
        """Seconds of decode steps the requests in progress on ``processor`` have not queued there yet.

        A request's decode step ``k`` (``1 .. output - 1``) runs at ``prompt + k - 1`` tokens of
        context and is queued once token ``k`` exists; with ``generated`` tokens made, steps
        ``generated + 1 .. output - 1`` are still to come, priced at their mean context (exact
        where a step's price is linear in its context, as the roofline's memory-bound decode is).
        A request that ended (completed, dropped, failed or retried) is forgotten here.
        """
        requests = self._on.get(id(processor))
        if not requests:
            return 0.0
        owed = 0.0
        for request in list(requests):
            task = request.task
            prompt, output = cast("tuple[int, int]", task.llm)
            left = output - 1 - request.generated
            if left <= 0 or ledger.in_flight.get(task.id) is not task:
                del requests[request]
                continue
            step = request.step_at(prompt + (request.generated + output - 2) / 2)
            for segment in request.segments:
                if segment.processor is processor:
                    owed += left * cast("Price", segment.price)(step, segment.start, segment.stop)
        return owed
