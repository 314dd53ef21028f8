"""Fuzz harnesses: hypothesis profiles, and this folder on the import path for ``_targets``.

``make test`` runs a short pass (``FUZZ_EXAMPLES`` unset: 50 examples per property, the corpus
replayed once); ``make fuzz`` sets ``FUZZ_EXAMPLES`` high and runs atheris besides.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings

sys.path.insert(0, str(Path(__file__).parent))

LONG = bool(os.environ.get("FUZZ_EXAMPLES"))

settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")),
    deadline=None,
    derandomize=not LONG,
    # The short run reports the first input that breaks an invariant as found: shrinking it can
    # take minutes (a long run shrinks, to hand over a small input for the corpus).
    phases=list(Phase) if LONG else [Phase.explicit, Phase.reuse, Phase.generate],
    report_multiple_bugs=LONG,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
