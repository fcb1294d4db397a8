"""The shipped note providers, registered in the order their notes are said.

A new kind of note is a module with its provider (a function of a
:class:`~offloadsim.world.notes.registry.NoteContext` returning notes) and one line here, which says
too whether figures say it (``figures``; by default those that need no world), how several
points' lines merge (``merge``): the results record both as they are written, for the figures, and
which policies it is about (``policies``; by default every run's): a run of others never calls it.
"""

from __future__ import annotations

from offloadsim.world.notes import (
    accuracy,
    calibrated,
    cpu_efficiency,
    decode_ceiling,
    ended_arrivals,
    gpu_efficiency,
    held_trace,
    inert_keys,
    nearest_tie,
    outage_window,
    passed_over,
    peer_devices,
    plain_speed,
    power,
    relayed_links,
    shared_busy,
    stand_in_peak,
    synthetic_bandwidth,
    unbounded_decode,
    unfused_roofline,
    unpowered_sources,
    unseen_uploads,
    unshared_links,
)
from offloadsim.world.notes.registry import register_note

__all__: list[str] = []

register_note(calibrated.KIND, calibrated.calibrated_notes)
# Under figures too: a figure of a precision on hardware without its peak (int8 on a raspberry-pi-4,
# at its fp32 rate) draws it no faster than fp32, which the table's note says and a figure did not.
register_note(stand_in_peak.KIND, stand_in_peak.stand_in_peak_notes, figures=True)
register_note(passed_over.KIND, passed_over.passed_over_notes)
register_note(inert_keys.KIND, inert_keys.inert_key_notes)
register_note(
    unfused_roofline.KIND, unfused_roofline.unfused_roofline_notes, merge=unfused_roofline.merge_unfused_notes
)
register_note(synthetic_bandwidth.KIND, synthetic_bandwidth.synthetic_bandwidth_note_provider)
register_note(unbounded_decode.KIND, unbounded_decode.unbounded_decode_notes)
register_note(decode_ceiling.KIND, decode_ceiling.decode_ceiling_notes)
register_note(
    unshared_links.KIND, unshared_links.unshared_link_note_provider, merge=unshared_links.merge_unshared_links
)
register_note(relayed_links.KIND, relayed_links.relayed_link_note_provider)
register_note(
    gpu_efficiency.KIND,
    gpu_efficiency.gpu_efficiency_notes,
    merge=gpu_efficiency.merge_gpu_notes,
    figures=True,  # a figure of GPU times at an assumed efficiency says so, as the table does
)
register_note(cpu_efficiency.KIND, cpu_efficiency.cpu_efficiency_notes)
register_note(nearest_tie.KIND, nearest_tie.nearest_tie_notes, policies=nearest_tie.POLICIES)
register_note(
    accuracy.KIND,
    accuracy.accuracy_notes,
    scope="placed",
    needs_world=False,
    merge=accuracy.merge_precision_notes,
)
register_note(
    plain_speed.KIND,
    plain_speed.plain_speed_notes,
    scope="placed",
    needs_world=False,
    merge=plain_speed.merge_plain_speed,
)
register_note(power.KIND, power.power_notes, needs_world=False)
# Under energy figures too (needs no world): a figure pooling unpowered sources' 0 J with powered ones'.
register_note(unpowered_sources.KIND, unpowered_sources.unpowered_sources_notes, needs_world=False)
register_note(shared_busy.KIND, shared_busy.shared_busy_notes)
register_note(peer_devices.KIND, peer_devices.peer_device_notes, policies=peer_devices.POLICIES)
register_note(unseen_uploads.KIND, unseen_uploads.unseen_upload_notes, policies=unseen_uploads.POLICIES)
# Under figures too: a latency-over-time figure's flat stretch after a trace's last row read as measured.
register_note(held_trace.KIND, held_trace.held_trace_notes, figures=True)
register_note(outage_window.KIND, outage_window.outage_window_notes)
# Under figures too: an arrival trace that ends early leaves the rest of the run empty, its rates diluted.
register_note(ended_arrivals.KIND, ended_arrivals.ended_arrivals_notes, figures=True)
