"""Analyses of a composite index, parallel to the engine's ``zhili_core::analysis``: the
statistical :func:`audit`, Monte Carlo :func:`uncertainty` (and exact :func:`replay` of a run
design), Sobol :func:`sensitivity`, :func:`coupling_coordination` between dimensions and
:func:`obstacle_degree`. The first five are also at the top level (``zhili.audit`` is
``zhili.analysis.audit``, the same object).

Uncertain factors are the engine's factor documents (``{"type": "weights", "spread": 0.25}``,
``{"type": "normalise", "choices": [...]}``, ``{"type": "aggregate", ...}``, ``impute``,
``treat``, ``exclude``, ``weight_sets``), given as a list of dicts or an analysis document
(TOML / JSON text or file with ``[[factors]]`` and optional ``runs``, ``seed``, ``nodes``).

Long analyses release the GIL; ``progress(done, total)`` is called from the calling thread
as runs complete, Ctrl-C raises ``KeyboardInterrupt`` promptly, and an exception raised by
the progress callback stops the analysis and propagates.

>>> import pandas as pd, zhili
>>> u = pd.DataFrame({"economy": [0.8, 0.3], "ecology": [0.2, 0.3]}, index=["A", "B"])
>>> zhili.analysis.coupling_coordination(u).round(4)
     C    T       D  band
A  0.8  0.5  0.6325  初级协调
B  1.0  0.3  0.5477  勉强协调
>>> zhili.analysis.uncertainty is zhili.uncertainty
True
"""

from __future__ import annotations

from ._audit import AuditReport, audit
from ._coupling import coupling_coordination
from ._obstacle import obstacle_degree
from ._sensitivity import sensitivity
from ._uncertainty import Design, UncertaintyResult, replay, uncertainty

__all__ = [
    "audit",
    "AuditReport",
    "uncertainty",
    "replay",
    "Design",
    "UncertaintyResult",
    "sensitivity",
    "coupling_coordination",
    "obstacle_degree",
]
