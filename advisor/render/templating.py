"""Templates: the built-in ones, overridable from the user's folder, always rendered in jinja2's sandbox.

A user's folder comes first, so `recommendation.md.j2` there replaces the built-in one; the built-in
ones stay reachable as `default:NAME`, so an override can `{% extends "default:recommendation.md.j2" %}`
and replace one block. Rendering is bounded (advisor/sandbox.py: range(), `*`, `**`, filter widths), and
output stops past MAX_OUTPUT.
Every template problem is an InputError naming the file and line.
"""
from __future__ import annotations

from pathlib import Path
from types import TracebackType

import jinja2
from jinja2.sandbox import SecurityError

from advisor.errors import InputError
from advisor.paths import data_dir
from advisor.render.escape import markdown_cell
from advisor.sandbox import MAX_LOOP_ITEMS, BoundedSandbox, Range

MAX_OUTPUT = 5 * 1024 * 1024  # characters one rendering may write


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _mdcell(text: object) -> str:
    return markdown_cell(str(text))


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
        env = BoundedSandbox(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined, autoescape=False,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        env.filters.update(num=_num, mdcell=_mdcell)
        env.globals["range"] = Range()  # for imports without context; each rendering gets its own budget
        self.environment = env

    def __repr__(self) -> str:
        return f"Templates({str(self.folder)!r})" if self.folder else "Templates()"

    def render(self, name: str, **context: object) -> str:
        """Render one template; any problem in it is an InputError `file:line: template ... error: ...`."""
        try:
            template = self.environment.get_template(name)
            chunks: list[str] = []
            size = 0
            for chunk in template.generate(**context, range=Range(MAX_LOOP_ITEMS)):
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
