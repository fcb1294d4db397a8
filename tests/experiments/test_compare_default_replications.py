"""compare() from Python runs as many replications as ``offloadsim compare`` does when given none.

The API required ``replications`` where the command line defaults to 10: one constant
(``offloadsim.experiment_defaults``) now gives both.
"""

from offloadsim.cli.main import build_parser
from offloadsim.experiments import compare


def test_compare_without_replications_runs_the_command_lines_default(tiny_scenario):
    args = build_parser("compare").parse_args(["compare", str(tiny_scenario), "--policies", "local"])
    result = compare(tiny_scenario, ["local"], workers=1)
    assert result.manifest["replications"] == args.replications == 10
    assert sorted(result.metrics["replication"]) == list(range(args.replications))
