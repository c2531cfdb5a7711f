"""Walking a Go module or workspace the way `go list ./...` does, reading every package's files once."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from advisor.errors import InputError
from advisor.reading import Unreadable, read_regular
from advisor.scan.buildfiles import build_file_kind
from advisor.scan.constraints import Platform
from advisor.scan.gofile import GoFile, read_go_file
from advisor.scan.gomod import (
    GoMod,
    GoWork,
    go_sum_modules,
    parse_go_mod,
    parse_go_work,
)

# Version-control and tool folders that never hold the project's Go code or build configuration.
NEVER_WALKED = frozenset({".git", ".hg", ".svn", ".bzr", "node_modules", ".idea", ".vscode", "__pycache__"})
# Hidden folders that hold CI configuration (walked for build files only; Go ignores hidden folders).
CI_FOLDERS = frozenset({".github", ".gitlab", ".circleci", ".buildkite", ".woodpecker", ".devcontainer", ".ci"})
# A file this large is almost surely generated; it is counted, and said so.
HUGE_FILE_BYTES = 8 * 1024 * 1024
# A .go file past this is not read at all (the largest generated files in real trees are tens of MB).
GO_FILE_LIMIT = 64 * 1024 * 1024

Progress = Callable[[int, int], None]  # (files read, lines counted)


@dataclass
class Package:
    """A directory of Go files, as `go list` would name it."""
    import_path: str
    dir: Path
    module: str
    files: list[GoFile] = field(default_factory=list)
    vendored: bool = False

    def matching(self, platform: Platform | None) -> list[GoFile]:
        """Files that build for platform; None means any tags except `ignore` (how `./...` matches)."""
        chosen = []
        for f in self.files:
            if platform is not None and not platform.allows_name(f.name):
                continue
            if f.constraint is not None and not f.constraint.allows(platform):
                continue
            if platform is not None and f.uses_cgo and not platform.cgo:
                continue
            chosen.append(f)
        return chosen

    def code(self, platform: Platform | None = None) -> list[GoFile]:
        return [f for f in self.matching(platform) if not f.is_test]

    def tests(self, platform: Platform | None = None) -> list[GoFile]:
        return [f for f in self.matching(platform) if f.is_test]

    def imports(self, platform: Platform | None = None) -> set[str]:
        return {i for f in self.code(platform) for i in f.imports}


@dataclass
class Tree:
    """Everything read from one scan root."""
    root: Path
    modules: list[GoMod]
    work: GoWork | None = None
    packages: dict[str, Package] = field(default_factory=dict)      # own, by import path
    vendored: dict[str, Package] = field(default_factory=dict)      # under a module's vendor/
    nested_modules: list[Path] = field(default_factory=list)        # go.mod below a root, not in the workspace
    build_files: list[Path] = field(default_factory=list)           # Makefiles, CI, Dockerfiles... (relative)
    ignored_go_dirs: list[Path] = field(default_factory=list)       # testdata, _x, .x folders holding .go files
    go_sums: dict[str, int] = field(default_factory=dict)          # module -> module versions its go.sum pins
    warnings: list[str] = field(default_factory=list)
    files_read: int = 0
    lines_read: int = 0
    walk_roots: list[Path] = field(default_factory=list)            # the folders files may be read from
    inputs: list[Path] = field(default_factory=list)                # every file read (an -o must not be one)


def _module_import_path(module: str, relative: Path) -> str:
    # GOROOT/src is module "std" and GOROOT/src/cmd module "cmd": std packages have no prefix.
    rel = relative.as_posix()
    if module == "std":
        return rel if rel != "." else "std"
    return module if rel == "." else f"{module}/{rel}"


def find_modules(root: Path) -> tuple[GoWork | None, list[GoMod]]:
    """The workspace (go.work) or module (go.mod) at root; a clear error when root is neither."""
    if not root.exists():
        raise InputError(f"{root}: no such directory")
    if not root.is_dir():
        raise InputError(f"{root}: not a directory (pass the folder holding go.mod or go.work)")
    work_file, mod_file = root / "go.work", root / "go.mod"
    if work_file.is_file():
        work = parse_go_work(work_file)
        modules = []
        for use, line in work.uses:
            folder = (root / use).resolve()
            if not (folder / "go.mod").is_file():
                raise InputError(f"{work_file}:{line}: use {use}: no go.mod in {folder}")
            modules.append(parse_go_mod(folder / "go.mod"))
        return work, modules
    if mod_file.is_file():
        return None, [parse_go_mod(mod_file)]
    for parent in root.resolve().parents:
        if (parent / "go.mod").is_file() or (parent / "go.work").is_file():
            raise InputError(f"{root}: no go.mod here; it is inside the module at {parent} (scan that folder)")
    raise InputError(f"{root}: not a Go module or workspace (no go.mod or go.work); run `go mod init` first")


def _read(path: Path, tree: Tree) -> bytes | None:
    """A regular file inside the scanned folders, else None and a warning (FIFOs, devices, symlinks out)."""
    try:
        data = read_regular(path, GO_FILE_LIMIT, inside=tree.walk_roots)
    except Unreadable as error:
        tree.warnings.append(f"{path}: unreadable, skipped ({error.reason})")
        return None
    except InputError as error:  # not a regular file, outside the tree, too large, gone
        tree.warnings.append(f"{error}; skipped")
        return None
    tree.inputs.append(path)
    return data


def walk_tree(root: Path, progress: Progress | None = None) -> Tree:
    """Read the module(s) at root: own packages, vendored packages, nested modules and build files."""
    work, modules = find_modules(root)
    root = root.resolve()
    tree = Tree(root=root, modules=modules, work=work)
    for listed in modules:
        if (listed.root / "go.sum").is_file():
            try:
                tree.inputs.append(listed.root / "go.sum")
                tree.go_sums[listed.module] = go_sum_modules(listed.root / "go.sum")
            except InputError as error:  # go would refuse to build; the scan can still measure the code
                tree.warnings.append(str(error))
    module_at = {m.root.resolve(): m for m in modules}
    walk_roots = sorted({root, *module_at})  # a go.work may use modules outside root
    tree.walk_roots = walk_roots
    tree.inputs.extend(m.file for m in modules)
    if work is not None:
        tree.inputs.append(work.file)
    seen: set[Path] = set()

    def on_error(error: OSError) -> None:
        tree.warnings.append(f"{error.filename}: unreadable folder, skipped ({error.strerror or error})")

    for start in walk_roots:
        if start in seen or any(start.is_relative_to(s) for s in seen):
            continue
        seen.add(start)
        context: dict[Path, tuple[GoMod | None, str]] = {}
        leaves: set[Path] = set()  # vendor folders below a module root: scanned, never descended
        for folder, dirnames, filenames in os.walk(start, onerror=on_error):
            here = Path(folder)
            module, mode = context.get(here, context.get(here.parent, (None, "tooling")))
            if here in module_at:
                module, mode = module_at[here], "own"
            elif here != start and (here / "go.mod").is_file() and mode in ("own",):
                tree.nested_modules.append(here.relative_to(root) if here.is_relative_to(root) else here)
                mode = "tooling"
            elif here == start and here not in module_at:
                module, mode = None, "tooling"
            context[here] = (module, mode)
            kept = []
            if here in leaves:
                dirnames.clear()
            for name in sorted(dirnames):
                child = here / name
                if name in NEVER_WALKED:
                    continue
                if os.path.islink(child):
                    if mode != "tooling" and child.is_dir():
                        tree.warnings.append(f"{child}: symlinked folder ignored (go list ignores it too)")
                    continue
                hidden_or_ignored = name.startswith((".", "_")) or name == "testdata"
                if hidden_or_ignored:
                    if name in CI_FOLDERS and here == start:
                        kept.append(name)
                        context[child] = (None, "tooling")
                    elif mode == "own" and _holds_go(child):
                        tree.ignored_go_dirs.append(child.relative_to(root) if child.is_relative_to(root) else child)
                    continue
                if name == "vendor" and mode == "own" and module is not None and here == module.root.resolve():
                    context[child] = (module, "vendor")
                    kept.append(name)
                    continue
                if name == "vendor" and mode != "vendor":
                    # cmd/go prunes what lies below a vendor folder, but the folder itself is a package when it
                    # holds code (`go help packages`: "a directory named vendor that itself contains code")
                    if mode == "own":
                        leaves.add(child)
                        kept.append(name)
                    continue
                kept.append(name)
            dirnames[:] = kept
            # children inherit this folder's context unless they set their own above
            for name in kept:
                context.setdefault(here / name, (module, mode))
            relative = here.relative_to(root) if here.is_relative_to(root) else here
            if mode != "vendor":
                for name in filenames:
                    if build_file_kind(relative / name) is not None:
                        tree.build_files.append(relative / name)
            if mode not in ("own", "vendor") or module is None:
                continue
            go_names = [n for n in sorted(filenames) if n.endswith(".go") and not n.startswith((".", "_"))]
            if not go_names:
                continue
            if mode == "own":
                import_path = _module_import_path(module.module, here.relative_to(module.root.resolve()))
            else:
                import_path = here.relative_to(module.root.resolve() / "vendor").as_posix()
            package = Package(import_path=import_path, dir=here, module=module.module, vendored=mode == "vendor")
            for name in go_names:
                data = _read(here / name, tree)
                if data is None:
                    continue
                facts = read_go_file(name, data)
                if len(data) > HUGE_FILE_BYTES:
                    kind = "generated" if facts.generated else "not marked generated"
                    tree.warnings.append(f"{here / name}: huge file ({len(data) / 2**20:.0f} MB, "
                                         f"{facts.lines:,} lines, {kind}); counted")
                if facts.problem:
                    tree.warnings.append(f"{here / name}: {facts.problem}")
                package.files.append(facts)
                tree.files_read += 1
                tree.lines_read += facts.lines
                if progress is not None:
                    progress(tree.files_read, tree.lines_read)
            if import_path == "builtin" and module.module == "std":
                continue  # a pseudo-package for documentation; cmd/go skips it too
            if package.matching(None):
                (tree.vendored if package.vendored else tree.packages)[import_path] = package
    return tree


def _holds_go(folder: Path, limit: int = 5000) -> bool:
    """Whether a folder Go ignores holds .go files (looked for in at most `limit` entries)."""
    seen = 0
    for _, _, filenames in os.walk(folder):
        if any(name.endswith(".go") for name in filenames):
            return True
        seen += len(filenames) + 1
        if seen > limit:
            return False
    return False
