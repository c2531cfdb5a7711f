"""jinja2's sandbox with bounds: templates and rule messages can neither run code nor loop, multiply or pad
without limit. `range()` gives at most a set number of items per call (and, given a budget, per rendering),
`*` and `**` refuse huge results, and filters and calls refuse huge counts and widths (`center(10**9)`)."""
from __future__ import annotations

import functools
import operator
import re
from typing import Any, Callable

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

MAX_RANGE = 10_000  # items one range() call may produce
MAX_LOOP_ITEMS = 100_000  # range() items in one rendering, all loops together
MAX_SIZE = 1_000_000  # items or characters `*` may produce, and the largest number a call or filter takes
MAX_POWER_BITS = 4_096  # size of a ** result

_HUGE_WIDTH = re.compile(r"\d{7,}")


def _refuse_huge(args: tuple, kwargs: dict, what: str) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
            raise SecurityError(f"{what}: argument {value:,} is larger than templates may use ({MAX_SIZE:,})")


def _guarded_filter(name: str, function: Callable) -> Callable:
    """A built-in filter that refuses huge widths and counts (e.g. `center(10**9)`)."""

    skip = 1 if getattr(function, "jinja_pass_arg", None) else 0  # the context or environment jinja passes

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        value, rest = (args[skip], args[skip + 1:]) if len(args) > skip else (None, ())
        if name == "format":  # its arguments are values; the widths are in the format string
            if isinstance(value, str) and _HUGE_WIDTH.search(value):
                raise SecurityError(f"filter format: {value!r} asks for a field wider than templates may use")
        else:
            _refuse_huge(rest, kwargs, f"filter {name}")
        return function(*args, **kwargs)

    return guarded


class Range:
    """`range()` for templates: at most per_call items per call and, given a budget, that many in all."""

    def __init__(self, budget: int | None = None, per_call: int = MAX_RANGE, what: str = "a template") -> None:
        self._left = budget
        self._per_call = per_call
        self._what = what

    def __call__(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > self._per_call:
            raise SecurityError(f"range() of {len(numbers):,} items; {self._what} may loop at most "
                                f"{self._per_call:,} times")
        if self._left is None:
            return numbers
        self._left -= len(numbers)
        if self._left < 0:
            raise SecurityError(f"more than {MAX_LOOP_ITEMS:,} range() items in one rendering")
        return numbers


class BoundedSandbox(SandboxedEnvironment):
    """jinja2's sandbox, with bounded calls, operators and filters, and no `lipsum`."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters = {name: _guarded_filter(name, function) for name, function in self.filters.items()}
        self.globals.pop("lipsum", None)
        self.globals["range"] = Range()

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if not isinstance(__obj, Range):
            _refuse_huge(args, kwargs, f"call of {getattr(__obj, '__name__', type(__obj).__name__)}")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: jinja2.runtime.Context, op: str, left: Any, right: Any) -> Any:
        if op == "*":
            for sequence, count in ((left, right), (right, left)):
                if (isinstance(sequence, (str, list, tuple)) and isinstance(count, int)
                        and len(sequence) * count > MAX_SIZE):
                    raise SecurityError(f"`*` would make {len(sequence) * count:,} items; "
                                        f"templates may make {MAX_SIZE:,}")
            return operator.mul(left, right)
        if (isinstance(left, int) and isinstance(right, int) and right > 0
                and abs(left).bit_length() * right > MAX_POWER_BITS):
            raise SecurityError(f"`{left} ** {right}` is larger than templates may compute")
        return operator.pow(left, right)
