"""ResNet-50 in fp32 on two phones, with an int8 MobileNetV2 as its alternative on the same phones.

``model-select`` serves every request with the alternative (11.4 ms against 538 ms on a
``cortex-a76``), ``local`` none: shared by the tests of the note that a table's tasks were served by
an alternative and of the notes said only of the runs that served an application.
"""

from __future__ import annotations

SCENARIO = """
name: compressed-alternative
duration: 10 s
nodes:
  phone: {count: 2, tier: device, processor: {profile: cortex-a76}}
applications:
  r50: {model: resnet50, hosts: [phone-*], alternatives: [mnv2-int8]}
  mnv2-int8: {model: mobilenet_v2, params: {precision: int8}, hosts: [phone-*]}
workload:
  - {app: r50, sources: phone-*, rate: 0.5 /s}
policy: model-select
"""
