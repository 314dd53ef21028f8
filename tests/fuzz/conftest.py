"""Fuzz harnesses: hypothesis profiles, and this folder on the import path for ``_targets``.

``make test`` runs a short pass (``FUZZ_EXAMPLES`` unset: 50 examples per property, the corpus
replayed once); ``make fuzz`` sets ``FUZZ_EXAMPLES`` high and runs atheris besides.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")),
    deadline=None,
    derandomize=not os.environ.get("FUZZ_EXAMPLES"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
