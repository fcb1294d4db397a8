"""The world a run happens in: topology, device profiles, processors, applications as layer chains.

:mod:`~offloadsim.world.build` turns a scenario into the :class:`World` the
engine reads; :mod:`~offloadsim.world.topology` is the network graph and its
routes; :mod:`~offloadsim.world.profiles` names how fast a processor runs a
stage (derived profiles and the calibrated profile files it finds by name).
"""

from __future__ import annotations

from offloadsim.world.build import (
    AppTemplate,
    ProcessorModel,
    World,
    WorldError,
    build_world,
    precision_speed,
)

__all__ = ["WorldError", "ProcessorModel", "AppTemplate", "World", "build_world", "precision_speed"]
