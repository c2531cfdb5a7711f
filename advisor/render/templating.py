"""Templates: the built-in ones, overridable from the user's folder, always rendered in jinja2's sandbox.

A user's folder comes first, so `recommendation.md.j2` there replaces the built-in one; the built-in
ones stay reachable as `default:NAME`, so an override can `{% extends "default:recommendation.md.j2" %}`
and replace one block. Rendering is bounded: `range()` gives at most MAX_RANGE items per call and
MAX_LOOP_ITEMS per rendering, `*` and `**` refuse huge results, and output stops past MAX_OUTPUT.
Every template problem is an InputError naming the file and line.
"""
from __future__ import annotations

import functools
import operator
import re
from pathlib import Path
from types import TracebackType
from typing import Any, Callable

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from advisor.errors import InputError
from advisor.paths import data_dir
from advisor.render.escape import markdown_cell

MAX_RANGE = 10_000  # items one range() call may produce
MAX_LOOP_ITEMS = 100_000  # range() items in one rendering, all loops together
MAX_SIZE = 1_000_000  # items or characters `*` may produce, and the largest number a call or filter takes
MAX_POWER_BITS = 4_096  # size of a ** result
MAX_OUTPUT = 5 * 1024 * 1024  # characters one rendering may write

_HUGE_WIDTH = re.compile(r"\d{7,}")


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _mdcell(text: object) -> str:
    return markdown_cell(str(text))


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


class _Range:
    """`range()` for templates: at most MAX_RANGE items per call and, given a budget, that many in all."""

    def __init__(self, budget: int | None = None) -> None:
        self._left = budget

    def __call__(self, *args: int) -> range:
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise SecurityError(f"range() of {len(numbers):,} items; a template may loop at most {MAX_RANGE:,} times")
        if self._left is None:
            return numbers
        self._left -= len(numbers)
        if self._left < 0:
            raise SecurityError(f"more than {MAX_LOOP_ITEMS:,} range() items in one rendering")
        return numbers


class _Sandbox(SandboxedEnvironment):
    """jinja2's sandbox, with bounded calls and operators."""

    intercepted_binops = frozenset({"*", "**"})

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if not isinstance(__obj, _Range):
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


class Templates:
    """The templates one run renders with: the user's folder (if any) over the built-in ones."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.builtin = data_dir("templates")
        self.folder = Path(folder) if folder is not None else None
        if self.folder is not None and not self.folder.is_dir():
            raise InputError(f"{self.folder}: templates folder does not exist")
        builtin = jinja2.FileSystemLoader(str(self.builtin))
        loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader({"default": builtin}, delimiter=":"), builtin]
        if self.folder is not None:
            loaders.insert(0, jinja2.FileSystemLoader(str(self.folder)))
        env = _Sandbox(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined, autoescape=False,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        env.filters = {name: _guarded_filter(name, function) for name, function in env.filters.items()}
        env.filters.update(num=_num, mdcell=_mdcell)
        env.globals.pop("lipsum", None)
        env.globals["range"] = _Range()  # for imports without context; each rendering gets its own budget
        self.environment = env

    def __repr__(self) -> str:
        return f"Templates({str(self.folder)!r})" if self.folder else "Templates()"

    def render(self, name: str, **context: object) -> str:
        """Render one template; any problem in it is an InputError `file:line: template ... error: ...`."""
        try:
            template = self.environment.get_template(name)
            chunks: list[str] = []
            size = 0
            for chunk in template.generate(**context, range=_Range(MAX_LOOP_ITEMS)):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise InputError(f"{template.filename or name}: template output passed "
                                     f"{MAX_OUTPUT // (1024 * 1024)} MB; stopped")
                chunks.append(chunk)
            return "".join(chunks)
        except InputError:
            raise
        except jinja2.TemplateSyntaxError as error:
            raise InputError(f"{error.filename or error.name}:{error.lineno}: template syntax error: "
                             f"{_one_line(error.message or '')}") from error
        except jinja2.TemplateNotFound as error:
            where = ", ".join(str(f) for f in (self.folder, self.builtin) if f is not None)
            raise InputError(f"{self._where(error, name)}: template {error.name!r} not found in {where}") from error
        except SecurityError as error:
            raise InputError(f"{self._where(error, name)}: template security error: {_one_line(str(error))}") from error
        except jinja2.TemplateError as error:
            raise InputError(f"{self._where(error, name)}: template error: {_one_line(str(error))}") from error
        except (ArithmeticError, LookupError, RecursionError, TypeError, ValueError) as error:
            raise InputError(f"{self._where(error, name)}: template error: {type(error).__name__}: "
                             f"{_one_line(str(error))}") from error

    def _where(self, error: BaseException, name: str) -> str:
        """`file:line` of the innermost template frame of the error, else the template's name."""
        folders = tuple(str(f) for f in (self.folder, self.builtin) if f is not None)
        found = name
        tb: TracebackType | None = error.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.startswith(folders):
                found = f"{filename}:{tb.tb_lineno}"
            tb = tb.tb_next
        return found


def _one_line(text: str) -> str:
    return " ".join(text.split())
