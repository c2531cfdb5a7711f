"""Go build constraints: `//go:build` and `// +build` lines and _GOOS_GOARCH file names, as go/build reads them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

# go/build/syslist.go (Go 1.19, plus wasip1 from Go 1.21): the names file suffixes and tags are matched against.
KNOWN_OS = frozenset("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 "
                     "solaris windows zos wasip1".split())
UNIX_OS = frozenset("aix android darwin dragonfly freebsd hurd illumos ios linux netbsd openbsd solaris".split())
KNOWN_ARCH = frozenset("386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 "
                       "mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm".split())
_GO_BUILD = re.compile(r"^//go:build\s+(.+?)\s*$")
_PLUS_BUILD = re.compile(r"^//\s*\+build\s+(.+?)\s*$")
_EXPR_TOKEN = re.compile(r"\s*(\|\||&&|!|\(|\)|[A-Za-z0-9_.]+)")

Expr = Callable[[Callable[[str, bool], bool], bool], bool]


def file_name_platform(name: str) -> tuple[str | None, str | None]:
    """(GOOS, GOARCH) a file name like x_linux_arm64_test.go restricts itself to (go/build goodOSArchFile)."""
    stem = name[:-3] if name.endswith(".go") else name
    stem = stem.removesuffix("_test")
    underscore = stem.find("_")
    if underscore < 0:
        return None, None
    parts = stem[underscore:].split("_")
    if len(parts) >= 2 and parts[-2] in KNOWN_OS and parts[-1] in KNOWN_ARCH:
        return parts[-2], parts[-1]
    if parts[-1] in KNOWN_OS:
        return parts[-1], None
    if parts[-1] in KNOWN_ARCH:
        return None, parts[-1]
    return None, None


def _parse_go_build(text: str) -> Expr:
    tokens = [t for t in _EXPR_TOKEN.findall(text)]
    if "".join(tokens) != re.sub(r"\s+", "", text):
        raise ValueError(f"unexpected character in //go:build {text!r}")
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        if position >= len(tokens):
            raise ValueError(f"//go:build {text!r} ends early")
        position += 1
        return tokens[position - 1]

    def parse_binary(operator: str, operand: Callable[[], Expr], combine: Callable[[bool, bool], bool]) -> Expr:
        left = operand()
        while peek() == operator:
            take()
            left = (lambda a, b: lambda tag, prefer: combine(a(tag, prefer), b(tag, prefer)))(left, operand())
        return left

    def parse_or() -> Expr:
        return parse_binary("||", parse_and, lambda a, b: a or b)

    def parse_and() -> Expr:
        return parse_binary("&&", parse_not, lambda a, b: a and b)

    def parse_not() -> Expr:
        token = take()
        if token == "!":
            inner = parse_not()
            return lambda tag, prefer: not inner(tag, not prefer)
        if token == "(":
            inner = parse_or()
            if take() != ")":
                raise ValueError(f"unbalanced parentheses in //go:build {text!r}")
            return inner
        if token in ("||", "&&", ")"):
            raise ValueError(f"unexpected {token!r} in //go:build {text!r}")
        return lambda tag, prefer: tag(token, prefer)

    expression = parse_or()
    if position != len(tokens):
        raise ValueError(f"unexpected {tokens[position]!r} in //go:build {text!r}")
    return expression


def _parse_plus_build(lines: list[str]) -> Expr:
    """Old-style lines: each line ANDed; on a line, space = OR, comma = AND, ! = NOT."""
    def term(word: str) -> Expr:
        if word.startswith("!"):
            inner = term(word[1:])
            return lambda tag, prefer: not inner(tag, not prefer)
        return lambda tag, prefer: tag(word, prefer)

    def line_expr(line: str) -> Expr:
        options = [[term(w) for w in option.split(",")] for option in line.split()]
        return lambda tag, prefer: any(all(t(tag, prefer) for t in option) for option in options)

    parsed = [line_expr(line) for line in lines]
    return lambda tag, prefer: all(p(tag, prefer) for p in parsed)


@dataclass(frozen=True)
class Constraint:
    """A file's build constraint: its tag names and a predicate over a tag matcher."""
    text: str
    tags: frozenset[str]
    expr: Expr

    def allows(self, platform: "Platform | None") -> bool:
        """Whether the file builds on platform; None means 'any tags' (how `go list ./...` matches packages)."""
        if platform is None:
            return self.expr(_any_tag, True)
        return self.expr(lambda name, prefer: platform.has(name), True)


def _any_tag(name: str, prefer: bool) -> bool:
    # cmd/go/internal/imports: with tags["*"], every tag but "ignore" is both true and false.
    return False if name == "ignore" else prefer


def header_constraint(header_lines: list[str]) -> Constraint | None:
    """The constraint in a file's leading comments (lines before the package clause); //go:build wins over +build."""
    plus = []
    for line in header_lines:
        stripped = line.strip()
        match = _GO_BUILD.match(stripped)
        if match:
            text = match.group(1)
            return Constraint(text, frozenset(re.findall(r"[A-Za-z0-9_.]+", text)), _parse_go_build(text))
        match = _PLUS_BUILD.match(stripped)
        if match:
            plus.append(match.group(1))
    if plus:
        text = " && ".join(f"({p})" for p in plus)
        return Constraint(text, frozenset(re.findall(r"[A-Za-z0-9_.]+", " ".join(plus))), _parse_plus_build(plus))
    return None


@dataclass(frozen=True)
class Platform:
    """A build target: GOOS/GOARCH, cgo, and the Go release whose go1.N tags hold."""
    goos: str = "linux"
    goarch: str = "amd64"
    cgo: bool = True
    go_minor: int = 22

    def has(self, tag: str) -> bool:
        if tag in (self.goos, self.goarch, "gc"):
            return True
        if tag == "unix":
            return self.goos in UNIX_OS
        if tag == "cgo":
            return self.cgo
        # GOOS values that imply another (go/build matchTag): android is linux, ios is darwin, illumos is solaris
        if (self.goos, tag) in (("android", "linux"), ("ios", "darwin"), ("illumos", "solaris")):
            return True
        match = re.fullmatch(r"go1\.(\d+)", tag)
        return match is not None and int(match.group(1)) <= self.go_minor

    def allows_name(self, name: str) -> bool:
        goos, goarch = file_name_platform(name)
        return (goos is None or self.has(goos)) and (goarch is None or goarch == self.goarch)

    @property
    def label(self) -> str:
        return f"{self.goos}/{self.goarch}"
