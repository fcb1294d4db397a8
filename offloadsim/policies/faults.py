"""Tell a policy's own exception from offloadsim's: was it raised in the policy's code, and where.

A policy written by a user runs inside offloadsim (the engine's loop, the
scenario check's call to ``requirements()``), so its exception would surface
as offloadsim's: an "internal error" naming neither the policy nor its file.
These helpers read the traceback afterwards (nothing is added to the hot
path): :func:`raised_in_policy` says whether it passed through the code of
the policy's class, and :func:`describe_failure` writes the one line naming
the policy, its class, the method, the exception and the user's line.
"""

from __future__ import annotations

import os
import types

from offloadsim.plugins import (
    first_line,
    method_codes,
    plugin_line,
    said_raised,
    shipped_module,
    traceback_frames,
)
from offloadsim.policies.deciders import PLAIN, Decider
from offloadsim.suggest import did_you_mean_key, listed, quoted

__all__ = ["describe_build_failure", "describe_failure", "raised_in_policy"]


def raised_in_policy(error: BaseException, policy: object) -> str | None:
    """The name of ``policy``'s method that ``error`` passed through (outermost first), or None.

    Also the method offloadsim could not call for its signature (``def decide(self, task)``: the
    ``TypeError`` is raised at the call, before any of the policy's code runs).
    """
    codes = _policy_codes(policy)
    frames = traceback_frames(error)
    passed = next((frame.f_code.co_name for frame, _ in frames if frame.f_code in codes), None)
    return passed if passed is not None else _called_wrongly(error, policy, codes)


def _called_wrongly(error: BaseException, policy: object, codes: set[types.CodeType]) -> str | None:
    """The method of ``policy`` whose signature refused offloadsim's call (``error`` says so), or None.

    Python's message names the method by its qualified name: ``Sig.decide() takes 2 positional
    arguments but 3 were given``.
    """
    if not isinstance(error, TypeError) or not error.args:
        return None
    for method in ("decide", "reset", "requirements"):
        function = getattr(type(policy), method, None)
        code = getattr(getattr(function, "__func__", function), "__code__", None)
        if code in codes and str(error.args[0]).startswith(f"{code.co_qualname}() "):
            return method
    return None


def describe_failure(
    error: BaseException, policy: object, name: str, when: str = "", decider: Decider = PLAIN
) -> str | None:
    """``policy 'NAME' (module.Class) raised TypeError in decide()WHEN: ... (file.py, line N, in decide)``.

    None unless ``error`` passed through the code of ``policy``, a policy not
    shipped with offloadsim.  ``when`` follows the method (`` at simulated time 3 s``); ``decider``:
    the run's, which names the policy (a composite's inner one with what it was deciding).
    """
    method = raised_in_policy(error, policy)
    if method is None or shipped_module(type(policy).__module__):  # offloadsim's own: its bug
        return None
    cls = type(policy)
    text = first_line(error) + _attribute_hint(error)
    codes = _policy_codes(policy)
    passed = any(frame.f_code in codes for frame, _ in traceback_frames(error))
    line = plugin_line(error) if passed else _definition_line(getattr(cls, method, None))
    return (
        f"{decider.named(policy, name)} raised {type(error).__name__} in "
        f"{method}(){when}" + (f": {text}" if text else "") + line
    )


def _attribute_hint(error: BaseException) -> str:
    """What the task or the view a policy read a missing attribute of has, with the nearest name.

    ``task.task_id`` (the records' column name) was "'Task' object has no attribute 'task_id'"
    alone, naming neither ``id`` nor where the task's fields are listed.
    """
    obj, name = getattr(error, "obj", None), getattr(error, "name", None)
    if not isinstance(error, AttributeError) or obj is None or not isinstance(name, str):
        return ""
    from offloadsim.policies.base import SystemView, TaskView

    task_fields = list(TaskView.__annotations__)
    view_members = [member for member in vars(SystemView) if not member.startswith("_")]
    if all(hasattr(obj, field) for field in task_fields):
        bare = name.removeprefix("task_")  # "task_size" for size
        nearest = did_you_mean_key(name, task_fields) or did_you_mean_key(bare, task_fields)
        return f"{nearest}; a task has {listed(task_fields)} (offloadsim.policies.TaskView)"
    if all(hasattr(obj, member) for member in view_members):
        nearest = did_you_mean_key(name, view_members)
        return f"{nearest}; the view's members are those of offloadsim.policies.SystemView"
    return ""


def _definition_line(function: object) -> str:
    """`` (file.py, line N, def decide)``: where a method is defined, for an error raised at its call."""
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    if not isinstance(code, types.CodeType):
        return ""
    return f" ({os.path.basename(code.co_filename)}, line {code.co_firstlineno}, def {code.co_name})"


def describe_build_failure(error: BaseException, factory: object, name: str) -> str | None:
    """``policy 'NAME' (module.Class) raised KeyError while it was built: ... (file.py, line N, in f)``.

    For an exception raised while the registry called ``factory`` (a policy's class or factory
    function) with the scenario's parameters.  None unless ``error`` passed through the factory's
    own code, a factory not shipped with offloadsim: then it is the plug-in's bug, not offloadsim's.
    """
    module = str(getattr(factory, "__module__", ""))
    if shipped_module(module):
        return None
    code = getattr(factory, "__code__", None)
    codes = _class_codes(factory) if isinstance(factory, type) else {code} if code is not None else set()
    if not any(frame.f_code in codes for frame, _ in traceback_frames(error)):
        return None
    what = f"policy {quoted(name)} ({module}.{getattr(factory, '__qualname__', '?')})"
    return said_raised(what, error, " while it was built")


def _policy_codes(policy: object) -> set[types.CodeType]:
    """The code objects of every function defined on ``policy``'s class and its bases (but object)."""
    return _class_codes(type(policy))


def _class_codes(cls: type) -> set[types.CodeType]:
    """The code objects of every function defined on ``cls`` and its bases (but object)."""
    return set(method_codes(cls))
