"""Reading go.mod, go.work and go.sum without the go command, as cmd/go/internal/modfile's grammar defines them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from advisor.errors import InputError
from advisor.reading import read_regular

# go.mod, go.work and go.sum files are text of at most a few MB (kubernetes' go.sum is 0.1 MB).
MOD_FILE_LIMIT = 16 * 1024 * 1024

# Directives each file may hold (golang.org/x/mod/modfile: parseToFile's verbs).
GO_MOD_VERBS = frozenset({"module", "go", "toolchain", "godebug", "require", "exclude", "replace", "retract", "tool",
                          "ignore"})
GO_WORK_VERBS = frozenset({"go", "toolchain", "godebug", "use", "replace"})
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|=>|(?:(?!=>)[^\s"`])+')


@dataclass(frozen=True)
class Requirement:
    path: str
    version: str
    indirect: bool
    line: int


@dataclass(frozen=True)
class Replacement:
    old_path: str
    old_version: str | None
    new_path: str
    new_version: str | None  # None: new_path is a local directory
    line: int

    @property
    def local(self) -> bool:
        return self.new_version is None


@dataclass
class GoMod:
    file: Path
    module: str = ""
    go_version: str | None = None
    toolchain: str | None = None
    requires: list[Requirement] = field(default_factory=list)
    replaces: list[Replacement] = field(default_factory=list)
    excludes: int = 0

    @property
    def root(self) -> Path:
        return self.file.parent

    def direct(self) -> list[Requirement]:
        return [r for r in self.requires if not r.indirect]

    def indirect(self) -> list[Requirement]:
        return [r for r in self.requires if r.indirect]


@dataclass
class GoWork:
    file: Path
    go_version: str | None = None
    uses: list[tuple[str, int]] = field(default_factory=list)  # (relative dir, line)
    replaces: list[Replacement] = field(default_factory=list)


def _unquote(token: str) -> str:
    if token.startswith('"') and token.endswith('"') and len(token) >= 2:
        return bytes(token[1:-1], "utf-8").decode("unicode_escape")
    if token.startswith("`") and token.endswith("`") and len(token) >= 2:
        return token[1:-1]
    return token


def _statements(text: str, path: Path, verbs: frozenset[str]) -> list[tuple[str, list[str], str, int]]:
    """(verb, arguments, trailing comment, line) for every directive, with blocks `verb ( ... )` expanded."""
    statements = []
    block_verb: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        code, _, comment = raw.partition("//")
        # a `//` inside a quoted path is not a comment; such paths are rare enough to reject clearly
        if code.count('"') % 2:
            code, comment = raw, ""
        tokens = [_unquote(t) for t in _TOKEN.findall(code)]
        if not tokens:
            continue
        if block_verb is not None:
            if tokens == [")"]:
                block_verb = None
                continue
            statements.append((block_verb, tokens, comment.strip(), number))
            continue
        verb = tokens[0]
        if verb not in verbs:
            raise InputError(f"{path}:{number}: unknown directive {verb!r} "
                             f"(expected one of {', '.join(sorted(verbs))})")
        if tokens[1:] == ["("]:
            block_verb = verb
            continue
        statements.append((verb, tokens[1:], comment.strip(), number))
    if block_verb is not None:
        raise InputError(f"{path}: the `{block_verb} (` block is never closed with `)`")
    return statements


def _replacement(args: list[str], path: Path, line: int) -> Replacement:
    if "=>" not in args:
        raise InputError(f"{path}:{line}: replace needs `old [version] => new [version]`")
    arrow = args.index("=>")
    old, new = args[:arrow], args[arrow + 1:]
    if len(old) not in (1, 2) or len(new) not in (1, 2):
        raise InputError(f"{path}:{line}: replace needs `old [version] => new [version]`")
    local = new[0].startswith(("./", "../", "/")) or new[0] in (".", "..")
    if local and len(new) == 2:
        raise InputError(f"{path}:{line}: a replacement directory {new[0]!r} takes no version")
    if not local and len(new) == 1:
        raise InputError(f"{path}:{line}: replacement module {new[0]!r} needs a version "
                         "(or use a ./relative directory)")
    return Replacement(old[0], old[1] if len(old) == 2 else None, new[0], None if local else new[1], line)


def base_name(path: str) -> str:
    """The last element of a module or package path that is not a major-version suffix: example.com/tool/v2 -> tool."""
    parts = [p for p in path.split("/") if p not in ("", ".", "..")]
    if len(parts) > 1 and re.fullmatch(r"v[2-9][0-9]*", parts[-1]):
        parts = parts[:-1]
    return parts[-1] if parts else path


def read_text(path: Path) -> str:
    """A small text file, with read and encoding failures as one-line input errors."""
    data = read_regular(path, MOD_FILE_LIMIT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start})") from None


def parse_go_mod(path: Path) -> GoMod:
    """The module path, Go version, requirements (direct and `// indirect`) and replacements of one go.mod."""
    mod = GoMod(file=path)
    for verb, args, comment, line in _statements(read_text(path), path, GO_MOD_VERBS):
        if verb == "module":
            if len(args) != 1:
                raise InputError(f"{path}:{line}: module needs exactly one path")
            mod.module = args[0]
        elif verb == "go":
            if len(args) != 1 or not re.fullmatch(r"1(\.\d+){1,2}([a-z]+\d+)?", args[0]):
                raise InputError(f"{path}:{line}: go needs a version such as 1.22 (got {' '.join(args) or 'nothing'})")
            mod.go_version = args[0]
        elif verb == "toolchain":
            mod.toolchain = args[0] if args else None
        elif verb == "require":
            if len(args) != 2:
                raise InputError(f"{path}:{line}: require needs `module/path version`")
            indirect = comment == "indirect" or comment.startswith("indirect;")
            mod.requires.append(Requirement(args[0], args[1], indirect, line))
        elif verb == "replace":
            mod.replaces.append(_replacement(args, path, line))
        elif verb == "exclude":
            mod.excludes += 1
    if not mod.module:
        raise InputError(f"{path}: no `module` directive")
    return mod


def parse_go_work(path: Path) -> GoWork:
    """The module directories a go.work uses, and its replacements."""
    work = GoWork(file=path)
    for verb, args, _comment, line in _statements(read_text(path), path, GO_WORK_VERBS):
        if verb == "go":
            work.go_version = args[0] if args else None
        elif verb == "use":
            if len(args) != 1:
                raise InputError(f"{path}:{line}: use needs exactly one directory")
            work.uses.append((args[0], line))
        elif verb == "replace":
            work.replaces.append(_replacement(args, path, line))
    if not work.uses:
        raise InputError(f"{path}: no `use` directive; a workspace needs at least one module")
    return work


def go_sum_modules(path: Path) -> int:
    """Distinct module versions whose code go.sum pins (lines for a module's go.mod alone do not count)."""
    modules = set()
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3 or not fields[2].startswith("h1:") and ":" not in fields[2]:
            raise InputError(f"{path}:{number}: expected `module version hash`")
        if not fields[1].endswith("/go.mod"):
            modules.add((fields[0], fields[1]))
    return len(modules)
