"""``camsla demo``: a simulated camera fleet on loopback (see fleet.py)."""

from camsla.demo.fleet import MODES, PICTURES, Fleet

__all__ = ["MODES", "PICTURES", "Fleet"]
