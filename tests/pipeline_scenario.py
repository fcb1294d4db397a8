"""An 8B model split over three Jetson Orins (``cuts: [12, 23]``), ``USERS`` closed-loop users on one phone.

The first Jetson is busy all run from a few users on: the LLM tests of saturation (the output token
throughput, the overloaded warning) share it.
"""

SCENARIO = """
name: pipeline
seed: 1
duration: 120 s
warmup: 20 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  edge: {count: 3, tier: edge, processor: {profile: jetson-orin, cores: 1}}
links:
  - {between: [phone, ap], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [ap, edge-*], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  chat: {model: llama-3.1-8b, prompt_tokens: 128, output_tokens: 128}
workload:
  - {app: chat, sources: phone, arrivals: closed, users: USERS}
policy: {name: fixed, nodes: [edge-0, edge-1, edge-2], cuts: [12, 23]}
"""
