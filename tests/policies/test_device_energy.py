"""The device-energy rule's pieces agree with one another: the optimisers' forms are the batch charge's.

:func:`~offloadsim.policies.device_energy.radio_energy_j` is the rule over a
set of intervals; :meth:`~offloadsim.policies.device_energy.DeviceEnergy.request_tail_j`
(what the split optimisers charge an offloaded request's tails) and its
:meth:`~offloadsim.policies.device_energy.DeviceEnergy.request_tail_lines`
(the same as the minimum of lines, for shortest paths) must be that rule on
an upload, a silence and a reply.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.policies.device_energy import DeviceEnergy, radio_energy_j, received_during

energies = st.builds(
    DeviceEnergy,
    busy_w=st.floats(0.0, 5.0),
    transmit_w=st.floats(0.0, 3.0),
    receive_w=st.floats(0.0, 3.0),
    tail_w=st.floats(0.0, 3.0),
    tail_s=st.floats(0.0, 2.0),
)


@settings(max_examples=300, deadline=None)
@given(
    energy=energies,
    upload_s=st.floats(1e-3, 2.0),
    server_s=st.floats(0.0, 2.0),
    latency_s=st.floats(0.0, 0.5),
    reply_s=st.floats(1e-3, 2.0),
)
def test_a_requests_tail_is_the_rule_over_its_upload_and_reply(
    energy, upload_s, server_s, latency_s, reply_s
):
    # The upload leaves over [0, u]; the server has it at u + L, replies at u + L + server, and the
    # device hears the reply from a latency later: the gap is L + server + L.
    sent = upload_s + latency_s + server_s
    reply = received_during(sent, sent + reply_s, latency_s)
    intervals = [(0.0, upload_s, True), (*reply, False)]
    gap = reply[0] - upload_s
    radio = energy.transmit_w * upload_s + energy.receive_w * (reply[1] - reply[0])
    assert radio_energy_j(intervals, energy) == pytest.approx(
        radio + energy.request_tail_j(gap), rel=1e-12, abs=1e-12
    )
    lines = energy.request_tail_lines()
    by_lines = min((w * gap + c for w, c in lines), default=0.0)
    assert by_lines == pytest.approx(energy.request_tail_j(gap), rel=1e-12, abs=1e-12)


def test_a_tail_is_cut_short_by_the_next_activity_and_runs_whole_after_the_last():
    energy = DeviceEnergy(busy_w=2.0, transmit_w=1.0, receive_w=0.5, tail_w=1.0, tail_s=0.2)
    assert energy.tail_run_s(0.05) == 0.05
    assert energy.tail_run_s(math.inf) == 0.2
    # Two uploads 0.05 s apart: one radio, a tail cut to 0.05, then a whole one.
    assert radio_energy_j([(0.0, 1.0, True), (1.05, 1.5, True)], energy) == pytest.approx(1.45 + 0.05 + 0.2)
    # Overlapping flows of one task draw once.
    assert radio_energy_j([(0.0, 1.0, True), (0.5, 1.0, True)], energy) == pytest.approx(1.0 + 0.2)
    assert energy.request_tail_j(math.inf) == pytest.approx(0.4)  # nothing cuts the upload's tail
    assert DeviceEnergy(1.0, 1.0, 1.0).request_tail_lines() == ()  # no tail: no lines
