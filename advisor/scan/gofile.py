"""What one .go file says about itself: package, imports, constraint, cgo, go:generate, tests, lines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from advisor.scan.constraints import Constraint, header_constraint

_GENERATE = re.compile(rb"^//go:generate[ \t]+([^\r\n]+)", re.M)
_TEST_FUNC = re.compile(rb"^func[ \t]+(Test|Benchmark|Fuzz|Example)(\w*)[ \t]*\(", re.M)
_GENERATED = re.compile(r"^// Code generated .* DO NOT EDIT\.$")
_CGO_DIRECTIVE = re.compile(r"^\s*(?://\s*)?(#cgo\s+[^\n]*?)\s*$", re.M)
_IDENT = re.compile(r"[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*")
_QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_RAW = re.compile(r"`([^`]*)`")
# Parsing stops after this many characters without leaving the import block: a sane file's header is far shorter.
HEADER_LIMIT_CHARS = 1_000_000


@dataclass
class GoFile:
    name: str
    lines: int
    package: str | None = None
    imports: list[str] = field(default_factory=list)
    constraint: Constraint | None = None
    generated: bool = False
    cgo_directives: list[str] = field(default_factory=list)
    generate: list[str] = field(default_factory=list)
    tests: int = 0
    benchmarks: int = 0
    fuzz: int = 0
    utf8: bool = True
    problem: str | None = None  # why the header could not be read

    @property
    def is_test(self) -> bool:
        return self.name.endswith("_test.go")

    @property
    def uses_cgo(self) -> bool:
        return "C" in self.imports


def count_lines(data: bytes) -> int:
    """Lines as wc -l counts them, plus a last line without a newline."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


class _Header:
    """A minimal Go lexer for what precedes the first declaration: comments, package clause, imports."""

    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0
        self.leading: list[str] = []     # comment lines before the package clause
        self.comments: list[str] = []    # comment text between package clause and the end of the imports

    def _skip(self, before_package: bool) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r\n;" and not (char == ";" and before_package):
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                end = len(text) if end < 0 else end
                (self.leading if before_package else self.comments).append(text[self.pos:end])
                self.pos = end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise ValueError("unterminated /* comment")
                body = text[self.pos:end + 2]
                (self.leading if before_package else self.comments).extend(body.splitlines())
                self.pos = end + 2
            else:
                return
            if self.pos > HEADER_LIMIT_CHARS:
                raise ValueError(f"no declarations within the first {HEADER_LIMIT_CHARS:,} characters")

    def _word(self) -> str | None:
        match = _IDENT.match(self.text, self.pos)
        if not match:
            return None
        self.pos = match.end()
        return match.group(0)

    def _string(self) -> str:
        text, start = self.text, self.pos
        if text.startswith('"', start):
            match = _QUOTED.match(text, start)
        elif text.startswith("`", start):
            match = _RAW.match(text, start)
        else:
            raise ValueError(f"expected an import path at offset {start}")
        if not match:
            raise ValueError(f"unterminated import path at offset {start}")
        self.pos = match.end()
        return match.group(1)

    def _spec(self) -> str:
        """One import spec: an optional name (identifier, `_` or `.`) then the path."""
        self._skip(False)
        if self.text.startswith(".", self.pos):
            self.pos += 1
        elif not self.text.startswith(('"', "`"), self.pos):
            self._word()
        self._skip(False)
        return self._string()

    def parse(self) -> tuple[str, list[str]]:
        self._skip(True)
        if self._word() != "package":
            raise ValueError("no package clause")
        self._skip(False)
        name = self._word()
        if not name:
            raise ValueError("package clause without a name")
        imports: list[str] = []
        while True:
            self._skip(False)
            save = self.pos
            if self._word() != "import":
                self.pos = save
                return name, imports
            self._skip(False)
            if self.text.startswith("(", self.pos):
                self.pos += 1
                while True:
                    self._skip(False)
                    if self.text.startswith(")", self.pos):
                        self.pos += 1
                        break
                    if self.pos >= len(self.text):
                        raise ValueError("import block is never closed")
                    imports.append(self._spec())
            else:
                imports.append(self._spec())


def read_go_file(name: str, data: bytes) -> GoFile:
    """Facts about one Go source file; a header that cannot be parsed is recorded in `problem`, never raised."""
    facts = GoFile(name=name, lines=count_lines(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        # the Go compiler rejects such files too; keep counting what can be read
        facts.utf8 = False
        facts.problem = f"not UTF-8 (byte {error.start}); the Go compiler rejects it"
        text = data.decode("latin-1")
    # go/scanner accepts one byte-order mark at the start of a file
    header = _Header(text.removeprefix("\ufeff"))
    try:
        facts.package, facts.imports = header.parse()
    except ValueError as error:
        facts.problem = facts.problem or f"header not parsed: {error}"
    try:
        facts.constraint = header_constraint(header.leading)
    except ValueError as error:
        facts.problem = facts.problem or str(error)
    facts.generated = any(_GENERATED.match(line) for line in header.leading)
    if facts.uses_cgo:
        facts.cgo_directives = [m.group(1) for m in _CGO_DIRECTIVE.finditer("\n".join(header.comments))]
    if b"//go:generate" in data:
        facts.generate = [m.group(1).decode("utf-8", "replace").strip() for m in _GENERATE.finditer(data)]
    if facts.is_test and b"func " in data:
        for match in _TEST_FUNC.finditer(data):
            kind, rest = match.group(1), match.group(2)
            # go test only runs TestXxx where Xxx does not start with a lower-case letter
            if rest[:1].islower():
                continue
            if kind == b"Test":
                facts.tests += 1
            elif kind == b"Benchmark":
                facts.benchmarks += 1
            elif kind == b"Fuzz":
                facts.fuzz += 1
    return facts
