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

# Phones whose 60 J lasts the run computing locally, but not sending 200 KB over a slow uplink.
BATTERIES = """
name: batteries
duration: 120 s
nodes:
  phone: {count: 3, tier: device, processor: {speed: 20 GFLOP/s},
          power: {idle: 0.2 W, busy: 2 W, transmit: 3 W, receive: 1 W, tail: 0.5 s, battery: 60 J}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone-*, edge], bandwidth: 5 Mbps, latency: 5 ms}
applications:
  job: {work: 0.5 GFLOP, input: 200 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 2 /s}
"""

# Phones and slow cameras behind a 5 Mbit/s radio, three alike edges: a mixed fleet.
MIXED = """
name: mixed
seed: 3
duration: 20 s
warmup: 2 s
nodes:
  phone: {count: 3, tier: device, processor: {profile: cortex-a76, cores: 1}}
  cam: {count: 2, tier: device, processor: {speed: 5 GFLOP/s, cores: 1}}
  ap: {tier: network}
  edge: {count: 3, tier: edge, processor: {speed: 300 GFLOP/s, cores: 1}}
links:
  - {between: [phone-*, ap], bandwidth: 20 Mbps, latency: 3 ms}
  - {between: [cam-*, ap], bandwidth: 5 Mbps, latency: 3 ms}
  - {between: [ap, edge-*], bandwidth: 1 Gbps, latency: 0.5 ms}
applications:
  classify: {model: resnet50, input: 150 KB, output: 4 KB, deadline: 200 ms}
workload:
  - {app: classify, sources: [phone-*, cam-*], arrivals: poisson, rate: 1.5 /s}
policy: edge
"""

SWEEP = """
base: tiny.yaml
grid:
  links[0].bandwidth: [5 Mbps, 50 Mbps]
policies: [local, edge]
replications: 2
"""

# Two applications of different depth, a policy parameter swept beside a zipped radio: every
# dimension a figure could silently average over (application, objective, bandwidth with latency).
TWO_APPS = """
name: two-apps
seed: 5
duration: 30 s
warmup: 2 s
nodes:
  phone: {tier: device, processor: {speed: 20 GFLOP/s},
          power: {idle: 0.3 W, busy: 2.5 W, transmit: 1.2 W, receive: 0.9 W}}
  server: {tier: edge, processor: {speed: 400 GFLOP/s}}
links:
  - {between: [phone, server], bandwidth: 10 Mbps, latency: 5 ms}
applications:
  small:
    input: 200 KB
    output: 4 KB
    stages:
      - {work: 0.2 GFLOP, output: 20 KB}
      - {work: 0.5 GFLOP, output: 10 KB}
      - {work: 0.5 GFLOP}
  big:
    input: 600 KB
    output: 4 KB
    stages:
      - {work: 1 GFLOP, output: 100 KB}
      - {work: 2 GFLOP, output: 50 KB}
      - {work: 4 GFLOP, output: 40 KB}
      - {work: 4 GFLOP, output: 10 KB}
      - {work: 4 GFLOP}
workload:
  - {app: small, sources: phone, arrivals: poisson, rate: 1 /s}
  - {app: big, sources: phone, arrivals: poisson, rate: 0.5 /s}
policy: {name: neurosurgeon, objective: latency}
"""

SWEEP_TWO_APPS = """
base: two.yaml
zip:
  links[0].bandwidth: [1 Mbps, 10 Mbps, 100 Mbps]
  links[0].latency: [50 ms, 20 ms, 5 ms]
grid:
  policy.objective: [latency, energy]
replications: 2
labels:
  links[0].latency: radio latency
"""

# TINY's phones walking under a mobility radio, and a sweep zipping five keys (three of the radio's
# levels and losses, one as plain numbers) beside the x axis: the "with ..." line of five keys.
RADIO = (
    TINY
    + """dynamics:
  - kind: mobility
    devices: phone-*
    access_points:
      - {node: ap, position: [100 m, 0 m], radius: 300 m}
    random_waypoint: {area: [200 m, 20 m], speed: [1 m/s, 2 m/s], pause: 5 s}
    update: 0.5 s
    radio: {bandwidth: 20 MHz, transmit_power: 23 dBm, noise: -95 dBm, exponent: 3, reference_loss: 40 dB}
"""
)

SWEEP_RADIO = """
base: radio.yaml
replications: 2
policies: [local, edge]
zip:
  dynamics[0].radio.transmit_power: [1 dBm, 10 dBm, 20 dBm]
  dynamics[0].radio.noise: [-100, -95, -90]
  dynamics[0].radio.reference_loss: [35 dB, 40 dB, 45 dB]
  dynamics[0].radio.exponent: [3, 3.5, 4]
  links[1].latency: [1 ms, 2 ms, 5 ms]
"""


def table_parts(text: str) -> tuple[list[str], list[str]]:
    """A printed table's heading lines (a heading may wrap over several) and its rows, of one block.

    The lines between the title and the rule of dashes, and those after the rule up to a blank line.
    """
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line and set(line) <= {"-", " "})
    end = next((i for i in range(rule, len(lines)) if not lines[i]), len(lines))
    return lines[1:rule], lines[rule + 1 : end]


def table_headings(text: str) -> list[str]:
    """Each column's heading of a printed table's first block, its wrapped lines joined by spaces."""
    import re

    heading, _ = table_parts(text)
    rule = text.splitlines()[len(heading) + 1]
    spans = [m.span() for m in re.finditer(r"-+", rule)]
    return [" ".join(" ".join(line[a:b] for line in heading).split()) for a, b in spans]


# Five slow phones (cortex-a76) overloaded under local and two fast ones 1 % busy, in two source
# groups: a run's warnings concern the slow group alone.
SLOW_FAST = """
name: two
duration: 20 s
warmup: 0 s
nodes:
  slow:
    count: 5
    tier: device
    processor: {profile: cortex-a76}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W, battery: 0.05 Wh}
  fast:
    count: 2
    tier: device
    processor: {speed: 1 TFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W, battery: 1 Wh}
  edge: {tier: edge, processor: {speed: 5 TFLOP/s}}
links:
  - {between: [slow-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [fast-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  classify: {model: resnet50}
workload:
  - {app: classify, sources: fast-*, rate: 3 /s}
  - {app: classify, sources: slow-*, rate: 3 /s}
policy: local
"""


def compared_folder(folder, scenario: str, policies: str, replications: int = 2):
    """``scenario`` written into ``folder`` and ``offloadsim compare`` run on it: its results, read."""
    from offloadsim.cli import main
    from offloadsim.experiments import read_results

    (folder / "s.yaml").write_text(scenario, encoding="utf-8")
    command = ["compare", str(folder / "s.yaml"), "--policies", policies, "--replications", str(replications)]
    assert main([*command, "--out", str(folder / "compare"), "--quiet"]) == 0
    return read_results(folder / "compare")
