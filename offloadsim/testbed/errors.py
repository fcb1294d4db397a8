"""The testbed's errors: what the user can fix (exit 2) as one exception family."""

from __future__ import annotations

__all__ = ["TestbedError", "TestbedUnavailable"]


class TestbedError(Exception):
    """A testbed run cannot go ahead as asked: a bad option, a failed set-up step, a worker that failed."""

    __test__ = False  # not a pytest test class, despite the name


class TestbedUnavailable(TestbedError):
    """The machine cannot host the testbed: not root, no ``ip``/``tc``, no network namespaces, no tbf."""
