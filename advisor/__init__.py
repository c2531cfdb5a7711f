"""go-laptop-advisor: which laptop should I buy for my Go work? Sourced, explained recommendations."""
from advisor.api import compare, explain, load, recommend, run_rule_examples, scan_profile, score

__all__ = ["compare", "explain", "load", "recommend", "run_rule_examples", "scan_profile", "score"]
__version__ = "0.1.0"
