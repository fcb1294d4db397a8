"""Notes on where a run's numbers come from, each kind a registered provider (:mod:`.registry`).

The shipped kinds are registered by :mod:`offloadsim.world.notes.shipped`, which the world imports.
"""
