"""Showing a scanned profile: a table with each field's origin, the profile as YAML, or everything as JSON."""
from __future__ import annotations

import io
from typing import Any

import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from advisor.output import json_text
from advisor.scan.measure import Measurements
from advisor.types import Profile

TABLE_WIDTH = 120


def summary(m: Measurements) -> dict[str, Any]:
    """Every measurement behind the profile, in plain data."""
    tree, closure, setup = m.tree, m.closure, m.setup
    return {
        "root": str(m.root),
        "platform": m.platform.label,
        "workspace": str(tree.work.file) if tree.work else None,
        "modules": [{"path": mod.module, "go": mod.go_version, "direct_requirements": len(mod.direct()),
                     "indirect_requirements": len(mod.indirect()), "replacements": len(mod.replaces),
                     "go_sum_module_versions": tree.go_sums.get(mod.module), "go_mod": str(mod.file)}
                    for mod in tree.modules],
        "packages": {"own": len(m.own_packages), "test_only": len(m.test_only_packages),
                     "with_tests": len(m.test_packages), "vendored": len(tree.vendored),
                     "any_platform": sum(1 for p in tree.packages.values() if p.code(None))},
        "lines": {"own": m.own_lines, "generated": m.generated_lines, "tests": m.test_lines,
                  "vendored": m.vendored_lines},
        "tests": {"files": m.test_files, "tests": m.tests, "benchmarks": m.benchmarks, "fuzz_targets": m.fuzz_targets},
        "cgo_packages": m.cgo_packages,
        "platform_specific_files": dict(m.platform_files.most_common()),
        "feature_tags": dict(m.feature_tags.most_common()),
        "go_generate": {"directives": m.generate_directives, "generators": dict(m.generators.most_common())},
        "dependencies": {"standard_library": len(closure.std), "third_party": len(closure.third_party),
                         "lines": closure.lines, "found_in": closure.found_in,
                         "goroot": str(closure.goroot) if closure.goroot else None,
                         "not_on_disk": sorted(closure.unresolved_modules())},
        "nested_modules": [str(p) for p in tree.nested_modules],
        "ignored_folders_with_go": [str(p) for p in tree.ignored_go_dirs],
        "race": {"runs_with_race": [str(e) for e in setup.race_runs], "test_runs": [str(e) for e in setup.test_runs]},
        "cross_compile_targets": {t: str(e) for t, e in sorted(setup.cross_targets.items())},
        "base_images": [{"image": i, "platform": p, "at": str(e)} for i, p, e in setup.base_images],
        "services": [{"name": s.name, "image": s.image, "kind": s.kind, "at": str(s.evidence)} for s in setup.services],
        "clusters": [{"tool": k, "at": str(e)} for k, e in setup.clusters],
        "helm_charts": [{"chart": c, "dependencies": d} for c, d in setup.helm_charts],
        "goreleaser": setup.goreleaser,
        "build_files": len(tree.build_files),
        "files_read": tree.files_read,
        "lines_read": tree.lines_read,
        "go_list": None if m.go_list is None else vars(m.go_list),
        "warnings": tree.warnings + setup.warnings + _go_list_warnings(m),
    }


def _go_list_warnings(m: Measurements) -> list[str]:
    warning = m.go_list.warning() if m.go_list is not None else None
    return [warning] if warning else []


def profile_yaml(profile: Profile, m: Measurements) -> str:
    """A profile file for `recommend --profile`, its provenance inside, warnings as comments."""
    data = profile.model_dump(mode="json", exclude_none=True)
    header = [f"# Scanned by `go-advisor profile scan` from {m.root} ({m.platform.label}).",
              "# `provenance` says where each value came from; edit any estimate you know better."]
    header += [f"# warning: {w}" for w in summary(m)["warnings"][:20]]
    return "\n".join(header) + "\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def profile_json(profile: Profile, m: Measurements) -> str:
    return json_text({"profile": profile.model_dump(mode="json", exclude_none=True), "scan": summary(m)})


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], dict):
            return ", ".join(str(v.get("name")) for v in value)
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def profile_table(profile: Profile, m: Measurements, width: int = TABLE_WIDTH) -> str:
    """The profile's fields with their origins, then what the scan measured and any warnings, in `width`
    columns (the CLI passes the terminal's)."""
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, color_system=None)
    table = Table(title=f"Profile {profile.id}: {escape(profile.name)}", show_lines=False, expand=True)
    table.add_column("field", no_wrap=True)
    table.add_column("value", max_width=30 if width >= 100 else 18)
    table.add_column("from", ratio=1)
    data = profile.model_dump(mode="json", exclude_none=True)
    for key, value in data.items():
        if key in ("id", "name", "description", "represents", "provenance") or key not in profile.provenance:
            continue
        table.add_row(key, escape(_value(value)), escape(profile.provenance[key]))
    console.print(table)
    s = summary(m)
    lines = [
        f"modules: {', '.join(mod['path'] for mod in s['modules'])}; requirements direct "
        f"{sum(mod['direct_requirements'] for mod in s['modules'])}, "
        f"indirect {sum(mod['indirect_requirements'] for mod in s['modules'])}; "
        f"go.sum pins {sum(mod['go_sum_module_versions'] or 0 for mod in s['modules'])} module versions",
        f"packages: {s['packages']['own']} own ({s['packages']['any_platform']} for any platform), "
        f"{s['packages']['test_only']} test-only, {s['packages']['vendored']} vendored; "
        f"lines: {s['lines']['own']:,} own, "
        f"{s['lines']['generated']:,} generated, {s['lines']['tests']:,} test, {s['lines']['vendored']:,} vendored",
        f"tests: {m.test_files:,} test files with {m.tests:,} tests, {m.benchmarks:,} benchmarks, "
        f"{m.fuzz_targets:,} fuzz targets",
        f"dependencies: {s['dependencies']['standard_library']} standard library + "
        f"{s['dependencies']['third_party']} third-party "
        f"packages, {s['dependencies']['lines']:,} lines "
        f"(found in {s['dependencies']['found_in'] or 'nothing on disk'})",
    ]
    if m.cgo_packages:
        lines.append("cgo: " + "; ".join(f"{p} ({len(d)} #cgo)" for p, d in list(m.cgo_packages.items())[:6])
                     + (f" and {len(m.cgo_packages) - 6} more" if len(m.cgo_packages) > 6 else ""))
    if m.platform_files:
        lines.append("platform-specific files: " + ", ".join(f"{k} {v}" for k, v in m.platform_files.most_common(8)))
    if m.feature_tags:
        lines.append("build tags: " + ", ".join(f"{k} {v}" for k, v in m.feature_tags.most_common(8)))
    if m.generate_directives:
        lines.append(f"go:generate: {m.generate_directives} directives; " +
                     ", ".join(f"{k} {v}" for k, v in m.generators.most_common(8)))
    if s["nested_modules"]:
        lines.append("nested modules not scanned (scan them, or list them in go.work): "
                     f"{', '.join(s['nested_modules'][:5])}")
    if s["helm_charts"]:
        lines.append("helm charts: " + ", ".join(c["chart"] for c in s["helm_charts"][:5]))
    if s["goreleaser"]:
        lines.append("goreleaser: " + ", ".join(s["goreleaser"]))
    lines.append(f"read {s['files_read']:,} Go files ({s['lines_read']:,} lines) and {s['build_files']} build files")
    for line in lines:
        console.print(escape(line), soft_wrap=False)
    for warning in s["warnings"][:20]:
        console.print(escape(f"warning: {warning}"))
    if len(s["warnings"]) > 20:
        console.print(f"... and {len(s['warnings']) - 20} more warnings (use --format json)")
    return out.getvalue()


SCAN_RENDERERS = {"table": profile_table, "yaml": profile_yaml, "json": profile_json}
