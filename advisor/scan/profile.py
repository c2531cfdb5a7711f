"""From measurements to a Profile: each field from the code, a knowledge default (an estimate) or the user's --set."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml
from pydantic import ValidationError

from advisor.errors import InputError
from advisor.scan.buildfiles import FSYNC_HEAVY_KINDS, Evidence
from advisor.scan.gomod import base_name
from advisor.scan.measure import Measurements
from advisor.types import Container, Knowledge, Profile
from advisor.yamlio import parse_yaml

_ARCH_OF_PLATFORM = {"amd64": "amd64", "x86_64": "amd64", "arm64": "arm64", "aarch64": "arm64"}


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return slug or "scanned"


def _default(knowledge: Knowledge, coefficient_id: str) -> tuple[float, str]:
    coefficient = knowledge.coefficient(coefficient_id)
    if isinstance(coefficient.value, dict):
        raise TypeError(f"coefficient {coefficient_id} is a table of values; the scan needs a single number")
    return coefficient.value, (f"default: {coefficient_id} = {coefficient.value} "
                               f"({coefficient.confidence}; {coefficient.derivation or coefficient.description})")


def _evidence_list(items: list, limit: int = 3) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _chain_text(chain: tuple[str, ...], ends: int = 5) -> str:
    """a -> b -> ... -> z, both ends of a long chain kept."""
    if len(chain) <= 2 * ends + 1:
        return " -> ".join(chain)
    return " -> ".join(chain[:ends]) + f" -> ({len(chain) - 2 * ends} more) -> " + " -> ".join(chain[-ends:])


def _platform_arch(platform: str | None) -> str | None:
    if not platform:
        return None
    return _ARCH_OF_PLATFORM.get(platform.split("/")[-1].split(",")[0].strip())


def _containers(m: Measurements) -> tuple[list[Container], str]:
    containers, origins = [], []
    for service in m.setup.services:
        arch = _platform_arch(service.platform)
        fields: dict[str, Any] = {"name": service.name, "kind": service.kind}
        if service.memory_gb:
            fields["memory_gb"] = service.memory_gb
        if service.kind in FSYNC_HEAVY_KINDS:
            fields["fsync_heavy"] = True
        if arch:
            fields["image_arches"] = (arch,)
        containers.append(Container(**fields))
        origins.append(f"{service.name} ({service.image}) at {service.evidence}")
    for kind, evidence in {kind: e for kind, e in reversed(m.setup.clusters)}.items():
        containers.append(Container(name=f"{kind} cluster", kind=f"{kind}-cluster"))
        origins.append(f"{kind} cluster at {evidence}")
    for image, platform, evidence in m.setup.base_images:
        arch = _platform_arch(platform)
        if arch:  # only a pinned platform changes what runs natively
            containers.append(Container(name=image, kind="generic", image_arches=(arch,)))
            origins.append(f"{image} pinned to {platform} at {evidence}")
    origin = ("scan: " + _evidence_list(origins) if origins
              else "scan: no compose services, kind/k3d clusters or platform-pinned images found")
    return containers, origin


def _deploy_arch(m: Measurements) -> tuple[str, str]:
    pinned: dict[str, Evidence] = {}
    linux_targets = [(t, e) for t, e in m.setup.cross_targets.items() if t.startswith("linux/")]
    for platform, evidence in [(p, e) for _, p, e in m.setup.base_images] + linux_targets:
        arch = _platform_arch(platform)
        if arch:
            pinned.setdefault(arch, evidence)
    if len(pinned) == 1:
        arch, evidence = next(iter(pinned.items()))
        return arch, f"scan: every linux build or image targets {arch} ({evidence})"
    if pinned:
        return "any", f"scan: linux targets for {', '.join(sorted(pinned))}"
    return "any", "scan: no Dockerfile --platform or linux GOARCH target found"


def scanned_profile(m: Measurements, knowledge: Knowledge,
                    today: dt.date | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The profile's fields and, for each, where its value came from."""
    today = today or dt.date.today()
    fields: dict[str, Any] = {}
    origin: dict[str, str] = {}
    modules = m.module_paths
    name = modules[0] if len(modules) == 1 else f"workspace of {len(modules)} modules"
    fields["id"] = _slug(base_name(modules[0]) if len(modules) == 1 else m.root.name)
    fields["name"] = name
    fields["description"] = f"Scanned from {m.root} on {today.isoformat()} for {m.platform.label}."
    if not m.own_packages:
        raise InputError(f"{m.root}: no Go packages build for {m.platform.label} here (only test files, or none)")
    c = m.closure
    fields["own_packages"], origin["own_packages"] = len(m.own_packages), (
        f"scan: folders with non-test .go files building for {m.platform.label} (go list's rules: testdata, vendor, "
        f"_x and .x folders and nested modules left out)")
    fields["own_lines"], origin["own_lines"] = m.own_lines, (
        f"scan: lines of those files ({m.generated_lines:,} of them in generated files; "
        f"{m.test_lines:,} test lines not counted)")
    dep_packages, dep_lines = len(c.third_party), sum(c.third_party.values())
    where = ", ".join(f"{n} from {k}" for k, n in sorted(c.found_in.items()) if k != "goroot")
    dep_origin = (f"scan: third-party part of the import closure for {m.platform.label}: {dep_packages} packages "
                  f"({where or 'none found on disk'})")
    if c.goroot is not None:
        fields["std_packages"], fields["std_lines"] = len(c.std), sum(c.std.values())
        origin["std_packages"] = origin["std_lines"] = (
            f"scan: standard-library part of the import closure, read from {c.goroot}")
        missing_std = sorted(c.unresolved_std())
        if missing_std:
            origin["std_packages"] += (f"; {len(missing_std)} imported standard-library packages are not in that Go "
                                       f"(older than the module needs?): {_evidence_list(missing_std)}")
    else:
        origin["std_packages"] = origin["std_lines"] = (
            "no Go installation found: the model uses go.build.std_packages_typical and go.build.std_lines_typical "
            "(estimates)")
    path = m.critical_path()
    if c.goroot is not None and path.total_lines:
        # without the standard library on disk the chain would miss its longest part (runtime -> ... -> net/http)
        fields["critical_path_share"] = round(path.share, 3)
        origin["critical_path_share"] = (f"scan: the heaviest chain of imports by lines, {path.lines:,} of "
                                         f"{path.total_lines:,} compiled lines: {_chain_text(path.chain)}")
    else:
        origin["critical_path_share"] = ("no Go installation found: the model uses "
                                         "go.build.critical_path_share_typical (measured on std)")
    missing = sorted(c.unresolved_modules())
    if missing:
        per_module, _ = _default(knowledge, "scan.packages_per_dependency_module")
        per_package, _ = _default(knowledge, "scan.lines_per_dependency_package")
        guessed = round(len(missing) * per_module)
        dep_packages += guessed
        dep_lines += int(guessed * per_package)
        dep_origin += (f"; {len(missing)} imported modules are not on disk (no vendor/, module cache or GOPATH copy: "
                       f"{_evidence_list(missing)}), estimated at scan.packages_per_dependency_module = {per_module} "
                       f"packages and scan.lines_per_dependency_package = {per_package} lines each (estimates)")
    fields["dependency_packages"], origin["dependency_packages"] = dep_packages, dep_origin
    fields["dependency_lines"], origin["dependency_lines"] = dep_lines, "lines of those packages; " + dep_origin
    if m.go_list is not None and m.go_list.usable:
        g = m.go_list
        fields.update(own_packages=g.own_packages or fields["own_packages"],
                      own_lines=g.own_lines or fields["own_lines"],
                      dependency_packages=g.dependency_packages - g.std_packages,
                      dependency_lines=g.dependency_lines - g.std_lines,
                      std_packages=g.std_packages, std_lines=g.std_lines)
        for key in ("own_packages", "own_lines", "dependency_packages", "dependency_lines", "std_packages",
                    "std_lines"):
            origin[key] = (f"go list -deps ({g.go_version or 'go'}, GOFLAGS=-mod=readonly GOPROXY=off) "
                           f"for {m.platform.label}")
    fields["test_packages"], origin["test_packages"] = len(m.test_packages), (
        f"scan: packages whose _test.go files declare {m.tests:,} tests, {m.benchmarks:,} benchmarks and "
        f"{m.fuzz_targets:,} fuzz targets")
    for key in ("edit_builds_per_day", "changed_packages_per_edit", "full_rebuilds_per_day", "test_runs_per_day"):
        value, origin[key] = _default(knowledge, f"profile.default.{key}")
        fields[key] = int(value) if key in ("edit_builds_per_day", "test_runs_per_day") else value
    per_package, per_origin = _default(knowledge, "profile.default.test_cpu_seconds_per_test_package")
    fields["test_cpu_seconds"] = round(max(1, len(m.test_packages)) * per_package, 1)
    origin["test_cpu_seconds"] = f"{len(m.test_packages)} test packages x {per_origin}"
    s = m.setup
    fields["race"] = bool(s.race_runs)
    if s.race_runs:
        origin["race"] = f"scan: -race at {_evidence_list(s.race_runs)}"
        race_share = s.race_share
        assert race_share is not None  # race_runs is not empty here, so there is at least one invocation and a share
        fields["race_share"] = round(race_share, 2)
        origin["race_share"] = (f"scan: {len(s.race_runs)} of {len(s.test_invocations)} go test invocations found "
                                "pass -race")
    else:
        origin["race"] = (f"scan: {len(s.test_runs)} go test invocations found, none with -race" if s.test_runs
                          else "scan: no -race in Makefiles, Taskfiles, justfiles, scripts or CI configs")
    fields["cgo"] = bool(m.cgo_packages)
    origin["cgo"] = (f"scan: {len(m.cgo_packages)} packages import \"C\" ({_evidence_list(sorted(m.cgo_packages))})"
                     if m.cgo_packages
                     else "scan: no package imports \"C\"")
    targets = sorted(s.cross_targets)
    fields["cross_compile_targets"] = targets
    origin["cross_compile_targets"] = (f"scan: {_evidence_list([f'{t} ({s.cross_targets[t]})' for t in targets], 4)}"
                                       if targets
                                       else "scan: no goreleaser targets or GOOS/GOARCH builds in scripts or CI")
    containers, origin["containers"] = _containers(m)
    fields["containers"] = [c.model_dump(exclude_defaults=True) for c in containers]
    fields["deploy_arch"], origin["deploy_arch"] = _deploy_arch(m)
    fields["represents"] = (f"{', '.join(modules[:3])}{' and more' if len(modules) > 3 else ''}: "
                            f"{len(m.own_packages)} own packages, "
                            f"{m.own_lines:,} own lines, {fields['dependency_packages']} dependency packages")
    return fields, origin


def parse_set(assignments: list[str]) -> dict[str, Any]:
    """`key=value` pairs (values read as YAML scalars or lists); dotted keys reach into budget and weights."""
    result: dict[str, Any] = {}
    for assignment in assignments:
        key, sep, raw = assignment.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--set {assignment!r}: expected field=value, e.g. --set edit_builds_per_day=40")
        try:  # bounded like every YAML read: a value may hold aliases too
            value = parse_yaml(raw, yaml.SafeLoader) if raw.strip() else ""
        except (yaml.YAMLError, RecursionError):
            value = raw
        head, _, rest = key.partition(".")
        if head not in Profile.model_fields or head == "provenance":
            names = ", ".join(f for f in Profile.model_fields if f != "provenance")
            raise InputError(f"--set {key}: not a profile field (fields: {names})")
        if rest:
            if head not in ("budget", "weights"):
                raise InputError(f"--set {key}: only budget.* and weights.* take a dotted key")
            parent = result.setdefault(head, {})
            if not isinstance(parent, dict):
                raise InputError(f"--set {key}: {head} is already set to {parent!r} by an earlier --set")
            parent[rest] = value
        else:
            result[head] = value
    return result


def build_profile(m: Measurements, knowledge: Knowledge, overrides: dict[str, Any] | None = None,
                  today: dt.date | None = None) -> Profile:
    """The validated Profile with provenance for every field that was measured, defaulted or set."""
    fields, origin = scanned_profile(m, knowledge, today)
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(fields.get(key), dict):
            value = {**fields[key], **value}
        fields[key] = value
        origin[key] = f"--set {key} on the command line"
        if key == "race" and value is False:
            fields.pop("race_share", None)
            origin.pop("race_share", None)
    fields["provenance"] = origin
    try:
        return Profile.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "profile"
        message = first["msg"].removeprefix("Value error, ")
        raise InputError(f"profile field {where}: {message} (check --set {where}=...)") from None
