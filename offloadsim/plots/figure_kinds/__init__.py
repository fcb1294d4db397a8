"""The drawing of each shipped figure kind made of series of points: a module per kind.

Each module's ``figure`` is the entry point its :class:`~offloadsim.plots.kind_registry.FigureKind`
names (:mod:`offloadsim.plots.kinds`); it draws through the path every such kind shares,
:func:`offloadsim.plots.series_figure.series_figure`, with the kind's own
:class:`~offloadsim.plots.series_figure.SeriesDrawing`.  ``latency-time`` and ``battery-time``
draw on their own (:mod:`offloadsim.plots.latency_time`, :mod:`offloadsim.plots.battery_time`).
"""
