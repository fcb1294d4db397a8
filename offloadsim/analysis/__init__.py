"""Numbers from records: a run's summary, statistics (CIs), closed forms, and the metric catalogue.

* :mod:`.summary` — the headline numbers of one run and overload warnings;
* :mod:`.statistics` — percentiles and confidence intervals;
* :mod:`.theory` — queueing closed forms the simulator is validated against;
* :mod:`.tokens` — an LLM's tokens/s: each request's decode rate, a run's
  output token throughput;
* :mod:`.catalogue` — every job-level metric's label, unit, scale, better
  direction and format, used by the summary, compare, sweep and plots.

Pure functions over pandas and numpy; nothing here knows about the engine.
"""
