"""A Python session for one doc: runs its blocks one after another in one namespace.

Started by ``doc_session.DocSession`` with the reply file descriptor as the only
argument. Each request is one JSON line on stdin, ``{"mode": "exec" | "doctest",
"code": ..., "name": ..., "line": N}``; each reply one JSON line on the reply
descriptor, ``{"ok": bool, "report": str}``. What the blocks print goes to this
process's stdout and stderr, which the session keeps in a log.
"""

from __future__ import annotations

import doctest
import io
import json
import os
import sys
import traceback


def _run(request: dict[str, object], namespace: dict[str, object]) -> dict[str, object]:
    code, name, line = str(request["code"]), str(request["name"]), int(str(request["line"]))
    if request["mode"] == "doctest":
        test = doctest.DocTestParser().get_doctest(code, namespace, name, name, line)
        report = io.StringIO()
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        result = runner.run(test, out=report.write, clear_globs=False)
        return {"ok": result.failed == 0 and result.attempted > 0, "report": report.getvalue()}
    try:
        exec(compile("\n" * line + code, name, "exec"), namespace)
    except BaseException:
        return {"ok": False, "report": traceback.format_exc()}
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return {"ok": True, "report": ""}


def main() -> None:
    replies = os.fdopen(int(sys.argv[1]), "w", encoding="utf-8")
    namespace: dict[str, object] = {"__name__": "__main__"}
    for line in sys.stdin:
        reply = _run(json.loads(line), namespace)
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
