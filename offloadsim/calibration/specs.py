"""The models calibrate times and reports on: zoo names (``resnet18@160``) and ONNX files as layer graphs."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from offloadsim.calibration.errors import CalibrationError
from offloadsim.models.graph import LayerGraph
from offloadsim.shapes import describe
from offloadsim.suggest import did_you_mean_file, quoted

__all__ = ["ModelSpec", "refuse_llms", "resolve_models"]

#: The least image size calibrate times a zoo model at (``resnet18@10`` is refused), checked by
#: :func:`~offloadsim.models.registry.parameter_problems` with the rest of a model's parameters.
LEAST_SIZE = {"image_size": 16}


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model to calibrate on or to report: its label, layer graph and, for ONNX files, the file."""

    label: str
    graph: LayerGraph
    onnx_path: Path | None = None


def resolve_models(
    names: Sequence[str] = (), onnx_files: Sequence[str | os.PathLike[str]] = ()
) -> list[ModelSpec]:
    """Zoo names (``resnet18``, or ``resnet18@160`` for another input size) and ONNX files as ModelSpecs.

    >>> [m.label for m in resolve_models(["alexnet", "resnet18@160"])]
    ['alexnet', 'resnet18@160']
    """
    from offloadsim.models import get_model, load_onnx
    from offloadsim.models.registry import UnknownModelError, sized_model, unbuildable

    specs: list[ModelSpec] = []
    for name in names:
        try:
            base, params = sized_model(name, least=LEAST_SIZE)
        except ValueError as exc:  # not NAME@SIZE, or a size the model does not take or too small
            raise CalibrationError(f"bad model {describe(name)}: {exc}") from None
        except UnknownModelError as exc:
            raise CalibrationError(str(exc.args[0] if exc.args else exc)) from None
        try:
            graph = get_model(base, **params)
        except (TypeError, ValueError) as exc:
            raise CalibrationError(f"bad model {describe(name)}: {unbuildable(base, params, exc)}") from None
        specs.append(ModelSpec(name, graph))
    from offloadsim.models.onnx_io import onnx_path_problem

    for path in onnx_files:
        what = onnx_path_problem(path)
        if what == "no such file":
            raise CalibrationError(f"ONNX file not found: {os.fspath(path)}{did_you_mean_file(path)}")
        if what is not None:  # it said "not found" of a directory or FIFO that is there
            raise CalibrationError(f"{os.fspath(path)}: {what}, expected an ONNX model file")
        try:
            graph = load_onnx(path)
        except ImportError as exc:
            raise CalibrationError(str(exc)) from None
        except Exception as exc:  # onnx raises its own parse errors
            from offloadsim.input_kinds import ONNX_MODEL, misdirected_path

            wrong = misdirected_path(Path(path), ONNX_MODEL)  # a profile or a scenario given as the model
            raise CalibrationError(wrong or f"cannot read ONNX file {os.fspath(path)}: {exc}") from None
        _check_external_data(Path(path))
        specs.append(ModelSpec(Path(path).stem, graph, Path(path)))
    return specs


def refuse_llms(names: Sequence[str]) -> None:
    """Refuse an LLM (gpt2, the Llamas) a user named to time: the fit does not cost one.

    ``--models llama-3.2-1b`` built units holding a gigabyte of weights each and printed nothing
    for minutes, for timings the profile never uses.  Only names a user gives are refused: a
    profile calibrated on gpt2 before still has its report and trust checks.
    """
    from offloadsim.models.registry import canonical_name
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    for name in names:
        if canonical_name(name.partition("@")[0]) in LLM_CONFIGS:
            raise CalibrationError(
                f"bad model {describe(name)}: an LLM is not costed by the fit (its prefill and decode run "
                "at the profile's sustained rates, docs/calibration.md#limits), so calibrate does not time "
                "it; for transformer units calibrate on vit_b_16 or bert-base"
            )


def _check_external_data(path: Path) -> None:
    """Refuse an ONNX file whose weights live in an external data file that is not there.

    Importing the graph does not read the weights, but calibrating runs the model: onnxruntime
    failed on the missing file with an internal error (exit 1), after the import had said nothing.
    """
    import onnx

    proto = onnx.load(os.fspath(path), load_external_data=False)
    for tensor in proto.graph.initializer:
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        location = next((e.value for e in tensor.external_data if e.key == "location"), "")
        where = path.parent / location
        if not location or not where.is_file():
            raise CalibrationError(
                f"cannot read ONNX file {os.fspath(path)}: its weight {quoted(tensor.name)} is in the "
                f"external data file {quoted(location)}, which is missing (looked for {where}); "
                "calibrate runs the model"
            )
