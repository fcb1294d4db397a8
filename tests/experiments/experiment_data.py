"""Scenario and sweep texts shared by the experiment tests."""

TINY = """
name: tiny
seed: 11
duration: 20 s
warmup: 2 s
nodes:
  phone: {count: 3, tier: device, processor: {speed: 10 GFLOP/s},
          power: {idle: 0.5 W, busy: 3 W, transmit: 1.5 W, receive: 1 W}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 40 GFLOP/s, cores: 1}}
links:
  - {between: [phone-*, ap], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: [ap, edge], bandwidth: 100 Mbps, latency: 1 ms}
applications:
  job:
    work: {exponential: {mean: 1 GFLOP}}
    input: {uniform: [20 KB, 120 KB]}
    output: 2 KB
    deadline: 300 ms
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 2 /s}
policy: least-loaded
"""

SWEEP = """
base: tiny.yaml
grid:
  links[0].bandwidth: [5 Mbps, 50 Mbps]
policies: [local, edge]
replications: 2
"""
