"""A run's records: the one record schema (:mod:`.schema`) and run results on disk (:mod:`.results`).

:mod:`offloadsim.records.schema` is plain data the engine reads too (no
pandas); :mod:`offloadsim.records.results` builds the DataFrames, the
summary and the run directory from the engine's columns.  Nothing is
imported here, so the engine importing the schema pulls in no pandas.
"""
