"""The shipped kinds of run warning, one module each (see :mod:`offloadsim.analysis.warning_list`)."""
