"""go-laptop-advisor: which laptop should I buy for my Go work? Sourced, explained recommendations."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.api import (
        compare,
        explain,
        load,
        recommend,
        run_rule_examples,
        scan_profile,
        score,
        score_config,
        score_rows,
    )

__all__ = ["compare", "explain", "load", "recommend", "run_rule_examples", "scan_profile", "score", "score_config",
           "score_rows"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The API is imported on first use, so `go-advisor --help` (which imports advisor.cli, and with it this
    # package) does not build every data type.
    if name in __all__:
        from advisor import api  # noqa: PLC0415

        return getattr(api, name)
    raise AttributeError(f"module 'advisor' has no attribute {name!r}")
