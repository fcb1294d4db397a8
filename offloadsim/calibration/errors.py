"""The one exception type calibration raises for a user's mistake."""

from __future__ import annotations

__all__ = ["CalibrationError"]


class CalibrationError(ValueError):
    """A calibration request that cannot be met (unknown model or backend, bad profile file)."""
