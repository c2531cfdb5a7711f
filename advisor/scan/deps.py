"""The packages a build compiles besides the project's own: the import closure, found on disk without downloading."""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from advisor.errors import InputError
from advisor.reading import read_regular
from advisor.scan.constraints import Platform
from advisor.scan.gofile import read_go_file
from advisor.scan.gomod import GoMod
from advisor.scan.tree import GO_FILE_LIMIT, Package, Tree

PSEUDO_IMPORTS = frozenset({"C"})
# cmd/go/internal/load: a package using cgo also depends on these (unless it is one of them).
CGO_IMPLICIT = ("unsafe", "runtime/cgo", "syscall")
_MAJOR_SUFFIX = re.compile(r"/v[2-9][0-9]*(?=/|$)")


@dataclass
class Closure:
    """Dependency packages by where their code was found, and the imports no local copy provides."""
    std: dict[str, int] = field(default_factory=dict)          # import path -> lines
    third_party: dict[str, int] = field(default_factory=dict)  # import path -> lines
    found_in: dict[str, int] = field(default_factory=dict)     # location kind -> packages
    unresolved: dict[str, str] = field(default_factory=dict)   # import path -> module path (or "")
    goroot: Path | None = None
    # package (own or dependency) -> the packages it imports, as resolved names (vendor/... for std's copies)
    imports: dict[str, set[str]] = field(default_factory=dict)

    @property
    def packages(self) -> int:
        return len(self.std) + len(self.third_party)

    @property
    def lines(self) -> int:
        return sum(self.std.values()) + sum(self.third_party.values())

    def unresolved_modules(self) -> set[str]:
        """Third-party modules (or bare import paths no requirement covers) with no code on disk."""
        return {module or path for path, module in self.unresolved.items() if not _is_std(path)}

    def unresolved_std(self) -> set[str]:
        return {path for path in self.unresolved if _is_std(path)}


def find_goroot(environ: Mapping[str, str] | None = None) -> Path | None:
    """The Go installation's root, found from GOROOT or the `go` on PATH without running it."""
    environ = os.environ if environ is None else environ
    if environ.get("GOROOT"):  # as for the go command, an explicit GOROOT is the only one looked at
        root = Path(environ["GOROOT"])
        return root.resolve() if (root / "src" / "runtime").is_dir() else None
    candidates = []
    go = shutil.which("go", path=environ.get("PATH"))
    if go:
        candidates.append(Path(os.path.realpath(go)).parent.parent)
    candidates += [Path("/usr/local/go"), Path("/usr/lib/go")]
    for candidate in candidates:
        if (candidate / "src" / "runtime").is_dir():
            return candidate.resolve()
    return None


def module_cache(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    if environ.get("GOMODCACHE"):
        return Path(environ["GOMODCACHE"])
    return gopaths(environ)[0] / "pkg" / "mod"


def gopaths(environ: Mapping[str, str] | None = None) -> list[Path]:
    environ = os.environ if environ is None else environ
    if environ.get("GOPATH"):
        return [Path(p) for p in environ["GOPATH"].split(os.pathsep) if p]
    return [Path.home() / "go"]


def escape_module_path(path: str) -> str:
    """Module cache spelling: each upper-case letter becomes '!' and its lower case (golang.org/x/mod/module)."""
    return "".join(f"!{c.lower()}" if c.isupper() else c for c in path)


def _is_std(import_path: str) -> bool:
    first = import_path.split("/", 1)[0]
    return "." not in first


class _Resolver:
    """Finds the folder holding an import path's code, searching only the local disk."""

    def __init__(self, tree: Tree, environ: dict[str, str]) -> None:
        self.goroot = find_goroot(environ)
        self.cache = module_cache(environ)
        self.gopath_src = [p / "src" for p in gopaths(environ)]
        self.requirements: dict[str, str] = {}  # module path -> version
        self.replacements: dict[str, tuple[str, str | None, GoMod]] = {}  # old path -> (new path, version, file)
        for mod in tree.modules:
            for req in mod.requires:
                self.requirements.setdefault(req.path, req.version)
            for rep in mod.replaces:
                self.replacements.setdefault(rep.old_path, (rep.new_path, rep.new_version, mod))
        if tree.work is not None:
            for rep in tree.work.replaces:
                self.replacements[rep.old_path] = (rep.new_path, rep.new_version, GoMod(file=tree.work.file))
        self.workspace = {m.module for m in tree.modules}
        self.vendor_dirs = [m.root / "vendor" for m in tree.modules if (m.root / "vendor" / "modules.txt").is_file()]

    def is_own(self, import_path: str) -> bool:
        return any(import_path == m or import_path.startswith(m + "/") for m in self.workspace if m != "std")

    def module_of(self, import_path: str) -> str | None:
        best = None
        for module in self.requirements:
            covers = import_path == module or import_path.startswith(module + "/")
            if covers and (best is None or len(module) > len(best)):
                best = module
        return best

    def locate(self, import_path: str, importer_std: bool) -> tuple[str, Path] | None:
        """(where, folder) for import_path, or None when no local copy exists."""
        if _is_std(import_path):
            if self.goroot is not None and (self.goroot / "src" / import_path).is_dir():
                return "goroot", self.goroot / "src" / import_path
            return None
        if importer_std and self.goroot is not None:
            vendored = self.goroot / "src" / "vendor" / import_path
            if vendored.is_dir():
                return "goroot", vendored
        for vendor in self.vendor_dirs:
            if (vendor / import_path).is_dir():
                return "vendor", vendor / import_path
        module = self.module_of(import_path)
        if module is not None:
            sub = import_path[len(module):].lstrip("/")
            version = self.requirements[module]
            if module in self.replacements:
                new_path, new_version, where = self.replacements[module]
                if new_version is None:
                    folder = (where.root / new_path / sub).resolve()
                    return ("replace", folder) if folder.is_dir() else None
                module, version = new_path, new_version
            folder = self.cache / f"{escape_module_path(module)}@{version}" / sub
            if folder.is_dir():
                return "module-cache", folder
        # GOPATH mode's "minimal module compatibility": example.com/m/v2/p may live at example.com/m/p
        for candidate in dict.fromkeys((import_path, _MAJOR_SUFFIX.sub("", import_path))):
            for src in self.gopath_src:
                if (src / candidate).is_dir():
                    return "gopath", src / candidate
        return None


def _read_package(import_path: str, folder: Path) -> Package:
    package = Package(import_path=import_path, dir=folder, module="")
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return package
    for name in names:
        if not name.endswith(".go") or name.startswith((".", "_")) or name.endswith("_test.go"):
            continue
        try:  # a regular file in the package's own folder: no FIFO, device or symlink out of it
            package.files.append(read_go_file(name, read_regular(folder / name, GO_FILE_LIMIT, inside=[folder])))
        except InputError:
            continue
    return package


def _imports(package: Package, platform: Platform) -> set[str]:
    imports = package.imports(platform)
    if "C" in imports and platform.cgo and package.import_path not in CGO_IMPLICIT:
        imports |= set(CGO_IMPLICIT)
    return imports


def import_closure(tree: Tree, platform: Platform, environ: dict[str, str] | None = None) -> Closure:
    """Every package the own packages import, directly or not, for platform; code read from GOROOT, vendor/,
    local replacements, the module cache or GOPATH, never downloaded."""
    environ = dict(os.environ if environ is None else environ)
    resolver = _Resolver(tree, environ)
    closure = Closure(goroot=resolver.goroot)
    own = {path: p for path, p in tree.packages.items() if p.code(platform)}
    scanning_std = any(m.module == "std" for m in tree.modules)
    queue = [(i, scanning_std, path) for path, p in own.items() for i in sorted(_imports(p, platform))]
    for path in own:
        closure.imports[path] = set()
    seen: set[str] = set(own)
    # (import path, importer is std) -> the resolved package name, or None when no code was found
    resolved: dict[tuple[str, bool], str | None] = {}
    while queue:
        import_path, importer_std, importer = queue.pop()
        if import_path in PSEUDO_IMPORTS:
            continue
        key = (import_path, importer_std)
        if key not in resolved:
            resolved[key] = None
            if resolver.is_own(import_path):
                # an own package with no code for this platform is not a dependency; one with code is an edge
                resolved[key] = import_path if import_path in own else None
            else:
                located = resolver.locate(import_path, importer_std)
                if located is None:
                    closure.unresolved[import_path] = ("" if _is_std(import_path)
                                                       else (resolver.module_of(import_path) or ""))
                else:
                    where, folder = located
                    # std's own copies of golang.org/x packages are distinct packages ("vendor/golang.org/x/...")
                    name = f"vendor/{import_path}" if where == "goroot" and not _is_std(import_path) else import_path
                    resolved[key] = name
                    if name not in seen:
                        seen.add(name)
                        package = _read_package(name, folder)
                        code = package.code(platform)
                        std = _is_std(name) or where == "goroot"
                        (closure.std if std else closure.third_party)[name] = sum(f.lines for f in code)
                        closure.found_in[where] = closure.found_in.get(where, 0) + 1
                        closure.imports[name] = set()
                        queue.extend((i, std, name) for i in sorted(_imports(package, platform)))
        target = resolved[key]
        if target is not None and target != importer:
            closure.imports[importer].add(target)
    return closure
