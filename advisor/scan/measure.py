"""Measurements of a scanned tree: the numbers a profile is built from, each with the evidence behind it."""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from advisor.scan.buildfiles import BuildSetup, read_build_setup, summarize_generators
from advisor.scan.constraints import KNOWN_ARCH, KNOWN_OS, Platform, file_name_platform
from advisor.scan.critical_path import CriticalPath, critical_path
from advisor.scan.deps import Closure, import_closure
from advisor.scan.golist import GoListResult, go_list_deps
from advisor.scan.tree import Progress, Tree, walk_tree

# Tags that say something about the toolchain rather than a platform or feature.
_TOOLCHAIN_TAGS = frozenset({"gc", "gccgo", "cgo", "unix", "ignore", "purego", "appengine"})


@dataclass
class Measurements:
    """What a scan found; every number carries a short description of where it came from."""
    root: Path
    platform: Platform
    tree: Tree
    closure: Closure
    setup: BuildSetup
    own_packages: list[str] = field(default_factory=list)
    test_only_packages: list[str] = field(default_factory=list)
    test_packages: list[str] = field(default_factory=list)
    own_lines: int = 0
    generated_lines: int = 0
    test_lines: int = 0
    test_files: int = 0
    tests: int = 0
    benchmarks: int = 0
    fuzz_targets: int = 0
    cgo_packages: dict[str, list[str]] = field(default_factory=dict)   # package -> #cgo directives
    platform_files: Counter = field(default_factory=Counter)            # GOOS or GOARCH named by file suffix or tag
    feature_tags: Counter = field(default_factory=Counter)              # other build tags
    generators: Counter = field(default_factory=Counter)
    generate_directives: int = 0
    vendored_lines: int = 0
    go_list: GoListResult | None = None

    @property
    def inputs(self) -> list[Path]:
        """Every file the scan read and used: go.mod, go.work, go.sum, .go files and build files."""
        return [*self.tree.inputs, *(self.root / relative for relative in self.setup.read)]

    @property
    def module_paths(self) -> list[str]:
        return [m.module for m in self.tree.modules]

    def compiled_lines(self) -> dict[str, int]:
        """Lines of every package a cold build compiles: the own packages' code and the whole import closure."""
        own = {path: sum(f.lines for f in self.tree.packages[path].code(self.platform)) for path in self.own_packages}
        return {**self.closure.std, **self.closure.third_party, **own}

    def critical_path(self) -> CriticalPath:
        """The heaviest chain of compiles, by lines, through own packages and their dependencies."""
        return critical_path(self.compiled_lines(), self.closure.imports)


def measure(tree: Tree, platform: Platform, environ: dict[str, str] | None = None) -> Measurements:
    """Count packages, lines, tests, cgo, tags and generators for platform, and resolve the import closure."""
    m = Measurements(root=tree.root, platform=platform, tree=tree,
                     closure=import_closure(tree, platform, environ),
                     setup=read_build_setup(tree.root, tree.build_files, tree.walk_roots))
    for path, package in sorted(tree.packages.items()):
        code, tests = package.code(platform), package.tests(platform)
        if code:
            m.own_packages.append(path)
        elif tests:
            m.test_only_packages.append(path)
        if any(f.tests or f.fuzz or f.benchmarks for f in tests):
            m.test_packages.append(path)
        for f in code:
            m.own_lines += f.lines
            m.generated_lines += f.lines if f.generated else 0
        m.test_files += len(tests)
        for f in tests:
            m.test_lines += f.lines
            m.tests += f.tests
            m.benchmarks += f.benchmarks
            m.fuzz_targets += f.fuzz
        cgo_files = [f for f in code if f.uses_cgo]
        if cgo_files:
            m.cgo_packages[path] = sorted({d for f in cgo_files for d in f.cgo_directives})
        # platforms and tags are counted over every file, whichever platform it builds for
        for f in package.files:
            goos, goarch = file_name_platform(f.name)
            for name in (goos, goarch):
                if name:
                    m.platform_files[name] += 1
            if f.constraint is not None:
                for tag in f.constraint.tags:
                    if tag in KNOWN_OS or tag in KNOWN_ARCH:
                        m.platform_files[tag] += 1
                    elif tag not in _TOOLCHAIN_TAGS and not tag.startswith("go1."):
                        m.feature_tags[tag] += 1
            m.generate_directives += len(f.generate)
            m.generators.update(summarize_generators(f.generate))
    m.vendored_lines = sum(f.lines for p in tree.vendored.values() for f in p.code(platform))
    return m


def _go_minor(go_version: str) -> int:
    """The minor release of a go directive; `go 1.21rc2` is a valid one."""
    match = re.match(r"1\.(\d+)", go_version)
    assert match is not None, go_version  # parse_go_mod accepts only 1.N[.P][rcN]
    return int(match.group(1))


def scan(path: Path, platform: Platform | None = None, progress: Progress | None = None,
         environ: dict[str, str] | None = None, use_go: bool = False) -> Measurements:
    """Walk, read and measure the module or workspace at path; optionally ask `go list` for its own counts."""
    environ = dict(os.environ if environ is None else environ)
    tree = walk_tree(path, progress)
    if platform is None:
        minors = [_go_minor(m.go_version) for m in tree.modules if m.go_version]
        platform = Platform(go_minor=max([*minors, Platform().go_minor]))
    measurements = measure(tree, platform, environ)
    if use_go:
        measurements.go_list = go_list_deps(tree, platform, environ)
    return measurements
