"""Where the docs say where a number comes from: the links the world's notes end with.

A leaf module, so that a figure can tell a note by its link without importing what made it.
"""

#: The docs on a processor given as a plain ``speed:`` (no profile behind it).
SPEED_DOC = "(docs/profiles.md#hardware-without-a-profile-an-npu-an-fpga-a-phone-gpu)"
#: The docs on the shipped ``power:`` values and where each comes from.
POWER_DOC = "(docs/scenario-format.md#where-the-shipped-power-values-come-from)"
#: The docs on a processor's own busy power, and what a node's processors share without one.
PROCESSOR_POWER_DOC = "(docs/scenario-format.md#a-processors-own-busy-power)"
