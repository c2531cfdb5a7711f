"""`profile scan` on small synthetic modules: each detector fires where it should and stays silent where it should
not."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.errors import InputError
from advisor.scan.constraints import Platform, file_name_platform, header_constraint
from advisor.scan.gofile import read_go_file
from advisor.scan.gomod import go_sum_modules, parse_go_mod, parse_go_work
from advisor.scan.measure import scan
from advisor.scan.profile import build_profile, parse_set

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scan"
TODAY = dt.date(2026, 11, 27)
NO_GO = {"PATH": "/nonexistent", "HOME": "/nonexistent", "GOPATH": "/nonexistent", "GOROOT": "/nonexistent"}


@pytest.fixture(scope="module")
def service():
    return scan(FIXTURES / "service")


@pytest.fixture(scope="module")
def service_profile(service, data):
    return build_profile(service, data.knowledge, today=TODAY)


# ------------------------------------------------------------------ go.mod, go.work, go.sum
def test_go_mod_gives_module_version_direct_and_indirect_requirements_and_replacements():
    mod = parse_go_mod(FIXTURES / "service" / "go.mod")
    assert mod.module == "example.com/service"
    assert mod.go_version == "1.22"
    assert [r.path for r in mod.direct()] == ["example.com/lib", "github.com/jackc/pgx/v5"]
    assert [r.path for r in mod.indirect()] == ["github.com/google/uuid", "golang.org/x/text"]
    assert mod.replaces[0].local and mod.replaces[0].new_path == "../lib"


def test_go_sum_counts_module_code_not_go_mod_lines(service):
    assert go_sum_modules(FIXTURES / "service" / "go.sum") == 2
    assert service.tree.go_sums == {"example.com/service": 2}


def test_a_broken_go_sum_is_a_warning_naming_its_line(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "go.sum").write_text("example.com/x v1.0.0 h1:abc=\nthis line is wrong\n")
    (tmp_path / "m.go").write_text("package m\n")
    m = scan(tmp_path)
    assert any("go.sum:2: expected `module version hash`" in w for w in m.tree.warnings)


def test_go_work_lists_its_modules():
    work = parse_go_work(FIXTURES / "workspace" / "go.work")
    assert [use for use, _ in work.uses] == ["./a", "./b"]


@pytest.mark.parametrize("text, needle", [
    ("module example.com/x\nrequir foo v1.0.0\n", "go.mod:2: unknown directive 'requir'"),
    ("module example.com/x\nrequire (\n\tfoo v1.0.0\n", "block is never closed"),
    ("go 1.22\n", "no `module` directive"),
    ("module example.com/x\ngo one\n", "go.mod:2: go needs a version"),
    ("module example.com/x\nreplace a => b\n", "go.mod:2: replacement module 'b' needs a version"),
])
def test_a_broken_go_mod_is_one_line_naming_file_and_line(tmp_path, text, needle):
    (tmp_path / "go.mod").write_text(text)
    with pytest.raises(InputError, match=re.escape(needle)):
        scan(tmp_path)


def test_a_release_candidate_go_version_is_read(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.23rc2\n")
    (tmp_path / "m.go").write_text("package m\n")
    assert scan(tmp_path).platform.go_minor == 23


def test_a_folder_without_go_mod_is_not_a_module(tmp_path):
    (tmp_path / "main.go").write_text("package main\n")
    with pytest.raises(InputError, match="not a Go module or workspace"):
        scan(tmp_path)


def test_a_folder_inside_a_module_points_at_the_module_root():
    with pytest.raises(InputError, match=r"inside the module at .*service \(scan that folder\)"):
        scan(FIXTURES / "service" / "internal")


# ------------------------------------------------------------------ packages and lines
def test_packages_follow_go_list_rules(service):
    assert service.own_packages == [
        "example.com/service/cmd/server", "example.com/service/internal/api", "example.com/service/internal/db",
        "example.com/service/internal/gen", "example.com/service/internal/platform"]
    # testdata, _examples and .hidden hold Go files that go list ignores; tools/ is a module of its own
    assert sorted(str(p) for p in service.tree.ignored_go_dirs) == [".hidden", "_examples", "testdata"]
    assert [str(p) for p in service.tree.nested_modules] == ["tools"]


def test_build_tags_leave_out_what_does_not_build_for_the_platform(service):
    itest = service.tree.packages["example.com/service/internal/itest"]
    assert itest.code(Platform()) == []                       # needs -tags integration
    platform = service.tree.packages["example.com/service/internal/platform"]
    assert [f.name for f in platform.code(Platform())] == ["platform.go", "platform_other.go"]
    assert [f.name for f in platform.code(Platform(goarch="arm64"))] == ["platform.go", "platform_linux_arm64.go"]
    assert [f.name for f in platform.code(Platform(goos="windows"))] == ["platform.go", "platform_windows.go"]


def test_lines_count_code_files_and_set_generated_and_test_lines_apart(service):
    own = sum(f.lines for p in service.own_packages for f in service.tree.packages[p].code(Platform(go_minor=22)))
    assert service.own_lines == own == 55
    assert service.generated_lines == 15                    # internal/gen/models.go
    assert service.test_lines == 22


def test_tests_benchmarks_and_fuzz_targets_are_counted_and_lowercase_names_are_not_tests(service):
    assert (service.test_files, service.tests, service.benchmarks, service.fuzz_targets) == (1, 2, 1, 1)
    assert service.test_packages == ["example.com/service/internal/api"]


def test_cgo_packages_and_their_directives(service):
    assert service.cgo_packages == {"example.com/service/internal/db": ["#cgo LDFLAGS: -lsqlite3",
                                                                        "#cgo pkg-config: sqlite3"]}


def test_platform_suffixes_and_feature_tags(service):
    assert service.platform_files["windows"] >= 1 and service.platform_files["arm64"] >= 1
    assert service.feature_tags == {"integration": 1}


def test_go_generate_names_the_generators(service):
    assert service.generate_directives == 3
    assert dict(service.generators) == {"ent": 1, "mockgen": 1, "stringer": 1}


# ------------------------------------------------------------------ dependencies
def test_local_replacement_is_a_dependency_read_from_disk(service):
    assert "example.com/lib" in service.closure.third_party
    assert service.closure.found_in["replace"] == 1


def test_vendored_code_is_measured_and_used_for_the_closure():
    m = scan(FIXTURES / "vendored", environ=NO_GO)
    assert list(m.tree.vendored) == ["github.com/acme/left"]
    assert m.vendored_lines == 6
    assert m.closure.found_in == {"vendor": 1}
    assert m.closure.unresolved_modules() == set()
    assert m.closure.unresolved_std() == {"strings"}          # no GOROOT in this environment


def test_without_go_installed_the_standard_library_is_an_estimate(data):
    m = scan(FIXTURES / "vendored", environ=NO_GO)
    profile = build_profile(m, data.knowledge, today=TODAY)
    assert profile.dependency_packages == 1                   # github.com/acme/left, from vendor/
    assert profile.std_packages is None and profile.std_lines is None
    assert "go.build.std_packages_typical" in profile.provenance["std_packages"]


def test_with_go_installed_the_standard_library_closure_is_measured(service_profile, service):
    assert service_profile.std_packages == len(service.closure.std) > 10
    assert service_profile.std_lines == sum(service.closure.std.values())
    assert service_profile.dependency_packages == 1           # example.com/lib, through the local replace


def test_modules_missing_from_disk_are_estimated_and_named(tmp_path, data):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n\nrequire github.com/absent/mod v1.2.3\n")
    (tmp_path / "m.go").write_text('package m\n\nimport _ "github.com/absent/mod/sub"\n')
    m = scan(tmp_path, environ=NO_GO)
    profile = build_profile(m, data.knowledge, today=TODAY)
    assert m.closure.unresolved_modules() == {"github.com/absent/mod"}
    assert "github.com/absent/mod" in profile.provenance["dependency_packages"]
    assert "estimated" in profile.provenance["dependency_packages"]


def test_dependencies_are_read_from_the_module_cache_with_its_escaped_paths(tmp_path):
    cache = tmp_path / "modcache"
    package = cache / "github.com" / "!burnt!sushi" / "toml@v1.3.2" / "internal"
    package.mkdir(parents=True)
    (package / "tz.go").write_text("package internal\n\nimport \"time\"\n\nvar _ = time.UTC\n")
    (package.parent / "toml.go").write_text("package toml\n\nimport _ \"github.com/BurntSushi/toml/internal\"\n")
    module = tmp_path / "m"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/m\n\ngo 1.22\n\nrequire github.com/BurntSushi/toml v1.3.2\n")
    (module / "m.go").write_text("package m\n\nimport _ \"github.com/BurntSushi/toml\"\n")
    m = scan(module, environ={**NO_GO, "GOMODCACHE": str(cache)})
    assert sorted(m.closure.third_party) == ["github.com/BurntSushi/toml", "github.com/BurntSushi/toml/internal"]
    assert m.closure.found_in == {"module-cache": 2}
    assert m.closure.third_party["github.com/BurntSushi/toml/internal"] == 5


def test_an_own_package_without_code_for_the_platform_is_not_a_missing_dependency(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text('package main\n\nimport _ "example.com/m/winonly"\n\nfunc main() {}\n')
    (tmp_path / "winonly").mkdir()
    (tmp_path / "winonly" / "w_windows.go").write_text("package winonly\n")
    m = scan(tmp_path, environ=NO_GO)
    assert m.own_packages == ["example.com/m"]
    assert m.closure.unresolved_modules() == set() and m.closure.third_party == {}


def test_a_workspace_scans_every_module_it_uses():
    m = scan(FIXTURES / "workspace")
    assert m.module_paths == ["example.com/a", "example.com/b"]
    assert m.own_packages == ["example.com/a", "example.com/b/cmd"]
    assert "example.com/a" not in m.closure.third_party       # a workspace module is own code


# ------------------------------------------------------------------ build files
def test_race_is_found_in_makefiles_taskfiles_and_ci_but_not_in_comments(service):
    assert [str(e) for e in service.setup.race_runs] == [
        ".github/workflows/ci.yml:8", ".gitlab-ci.yml:4", "Makefile:8", "Taskfile.yml:5"]
    # justfile, scripts/check.sh and `$(GO) test` in the Makefile run go test without -race
    assert [str(e) for e in service.setup.test_runs if e not in service.setup.race_runs] == [
        "Makefile:5", "justfile:2", "scripts/check.sh:3"]
    assert service.setup.race_share == 4 / 7


def test_plain_module_has_no_race_no_cgo_no_containers_no_targets(data):
    m = scan(FIXTURES / "plain")
    profile = build_profile(m, data.knowledge, today=TODAY)
    assert profile.race is False and profile.race_share is None
    assert profile.cgo is False
    assert profile.containers == ()
    assert profile.cross_compile_targets == ()
    assert [str(e) for e in m.setup.test_runs] == ["Makefile:2"]   # --race=false and -racecheck are not -race
    assert any("goreleaser's defaults" in w for w in m.setup.warnings)


def test_goreleaser_and_scripts_give_cross_compile_targets(service_profile):
    # darwin/amd64 is in the goreleaser ignore list; windows/amd64 comes from the CI workflow
    assert service_profile.cross_compile_targets == ("darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64")


def test_compose_services_clusters_and_pinned_images_become_containers(service_profile):
    by_name = {c.name: c for c in service_profile.containers}
    assert by_name["db"].kind == "postgres" and by_name["db"].fsync_heavy and by_name["db"].memory_gb == 0.5
    assert by_name["cache"].kind == "redis" and not by_name["cache"].fsync_heavy
    assert by_name["search"].kind == "generic" and by_name["search"].image_arches == ("amd64",)
    assert by_name["kind cluster"].kind == "kind-cluster"
    assert by_name["k3d cluster"].kind == "k3d-cluster"       # found by its apiVersion, not its file name
    assert by_name["golang:1.22"].image_arches == ("amd64",)  # FROM --platform=linux/amd64
    assert "app" not in by_name                                # built from the project's own Dockerfile
    assert "gcr.io/distroless/static-debian12" not in by_name  # not pinned: runs natively


def test_helm_charts_are_reported(service):
    assert service.setup.helm_charts == [("deploy/chart/Chart.yaml", ["postgresql"])]


# ------------------------------------------------------------------ the profile
def test_every_scanned_field_says_where_it_came_from(service_profile):
    for field in ("own_packages", "own_lines", "dependency_packages", "dependency_lines", "test_packages",
                  "edit_builds_per_day", "changed_packages_per_edit", "full_rebuilds_per_day", "test_runs_per_day",
                  "test_cpu_seconds", "race", "race_share", "cgo", "cross_compile_targets", "containers",
                  "deploy_arch"):
        assert service_profile.provenance[field], field
    assert service_profile.provenance["edit_builds_per_day"].startswith("default: profile.default.edit_builds_per_day")
    assert "estimate" in service_profile.provenance["edit_builds_per_day"]
    assert service_profile.provenance["race"].startswith("scan: -race at .github/workflows/ci.yml:8")
    assert service_profile.race_share == 0.57


def test_profile_id_skips_a_major_version_suffix(tmp_path, data):
    (tmp_path / "go.mod").write_text("module github.com/acme/Tool/v3\n\ngo 1.22\n")
    (tmp_path / "t.go").write_text("package tool\n")
    profile = build_profile(scan(tmp_path), data.knowledge, today=TODAY)
    assert (profile.id, profile.name) == ("tool", "github.com/acme/Tool/v3")


def test_set_overrides_a_field_and_records_it(service, data):
    profile = build_profile(service, data.knowledge, parse_set(["edit_builds_per_day=40", "budget.amount=1500",
                                                                "budget.currency=EUR", "race=false"]), today=TODAY)
    assert profile.edit_builds_per_day == 40
    assert profile.budget is not None
    assert profile.budget.amount == 1500 and profile.budget.currency == "EUR"
    assert profile.race is False and profile.race_share is None
    assert profile.provenance["edit_builds_per_day"] == "--set edit_builds_per_day on the command line"


@pytest.mark.parametrize("setting, needle", [
    ("builds=40", "--set builds: not a profile field"),
    ("edit_builds_per_day", "expected field=value"),
    ("race.share=1", "only budget.\\* and weights.\\* take a dotted key"),
])
def test_bad_set_is_one_clear_line(setting, needle):
    with pytest.raises(InputError, match=needle):
        parse_set([setting])


def test_a_set_value_the_profile_rejects_names_the_field(service, data):
    with pytest.raises(InputError, match="profile field edit_builds_per_day"):
        build_profile(service, data.knowledge, parse_set(["edit_builds_per_day=-1"]), today=TODAY)


def test_the_saved_profile_loads_as_a_profile_file(service, service_profile, tmp_path, data):
    from advisor import api
    from advisor.render.scan_format import profile_yaml
    path = tmp_path / "profile.yaml"
    path.write_text(profile_yaml(service_profile, service))
    loaded = api.resolve_profile(path, data)
    assert loaded == service_profile


# ------------------------------------------------------------------ bad trees
def test_non_utf8_and_unparsable_files_are_warnings_not_failures(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "ok.go").write_text("package m\n")
    (tmp_path / "latin1.go").write_bytes(b"package m\n\n// caf\xe9\n")
    (tmp_path / "broken.go").write_text("this is not Go\n")
    m = scan(tmp_path)
    warnings = "\n".join(m.tree.warnings)
    assert "latin1.go: not UTF-8 (byte 17)" in warnings
    assert "broken.go: header not parsed: no package clause" in warnings
    assert m.own_packages == ["example.com/m"]


def test_unreadable_files_are_skipped_with_a_warning(tmp_path, monkeypatch):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "ok.go").write_text("package m\n")
    (tmp_path / "secret.go").write_text("package m\n")
    real = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        # running as root, chmod 000 would not stop the read: simulate the permission error instead
        if path.name == "secret.go":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    m = scan(tmp_path)
    assert any("secret.go: unreadable, skipped (Permission denied)" in w for w in m.tree.warnings)
    assert m.own_lines == 1


def test_progress_is_reported_while_reading(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    for index in range(5):
        (tmp_path / f"f{index}.go").write_text("package m\n\nvar _ = 1\n")
    calls = []
    scan(tmp_path, progress=lambda files, lines: calls.append((files, lines)))
    assert calls == [(n, 3 * n) for n in range(1, 6)]


def test_symlink_loops_are_not_followed(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "a.go").write_text("package a\n")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "missing", tmp_path / "a" / "dangling.go")
    m = scan(tmp_path)
    assert m.own_packages == ["example.com/m/a"]
    assert any("symlinked folder ignored" in w for w in m.tree.warnings)


def test_huge_generated_files_are_counted_and_reported(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    body = "// Code generated by hand. DO NOT EDIT.\n\npackage m\n\nvar Table = []int{\n" + "\t1,\n" * 3_000_000 + "}\n"
    (tmp_path / "table.go").write_text(body)
    m = scan(tmp_path)
    assert m.own_lines == body.count("\n") and m.generated_lines == m.own_lines
    assert any("huge file" in w and "generated" in w for w in m.tree.warnings)


def test_a_module_with_only_tests_has_no_packages_to_profile(tmp_path, data):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "m_test.go").write_text("package m\n")
    with pytest.raises(InputError, match="no Go packages build for linux/amd64"):
        build_profile(scan(tmp_path), data.knowledge, today=TODAY)


def test_the_scan_never_writes_into_the_tree(tmp_path):
    tree = tmp_path / "service"
    shutil.copytree(FIXTURES / "service", tree)
    before = {p: p.stat().st_mtime_ns for p in tree.rglob("*")}
    scan(tree)
    assert {p: p.stat().st_mtime_ns for p in tree.rglob("*")} == before


# ------------------------------------------------------------------ properties
_TAGS = ["linux", "windows", "amd64", "arm64", "cgo", "integration", "go1.21"]


@st.composite
def expressions(draw, depth=0):
    """A random build expression as (//go:build text, Python boolean over tags)."""
    if depth > 2 or draw(st.booleans()):
        tag = draw(st.sampled_from(_TAGS))
        return tag, f"has({tag!r})"
    kind = draw(st.sampled_from(["not", "and", "or"]))
    if kind == "not":
        text, python = draw(expressions(depth + 1))
        return f"!({text})", f"(not {python})"
    (a, pa), (b, pb) = draw(expressions(depth + 1)), draw(expressions(depth + 1))
    op, pop = ("&&", "and") if kind == "and" else ("||", "or")
    return f"({a} {op} {b})", f"({pa} {pop} {pb})"


@given(expressions(), st.sampled_from(["linux", "windows", "darwin"]), st.sampled_from(["amd64", "arm64"]),
       st.booleans())
@settings(max_examples=300, deadline=None)
def test_go_build_expressions_evaluate_like_boolean_logic(expression, goos, goarch, cgo):
    text, python = expression
    platform = Platform(goos=goos, goarch=goarch, cgo=cgo, go_minor=22)
    constraint = header_constraint([f"//go:build {text}"])
    assert constraint is not None
    assert constraint.allows(platform) == eval(python, {"has": platform.has})


@given(st.lists(st.tuples(st.sampled_from(_TAGS + ["!linux", "!cgo"]), st.sampled_from(_TAGS)), min_size=1, max_size=3),
       st.sampled_from(["linux", "windows"]), st.booleans())
@settings(max_examples=200, deadline=None)
def test_plus_build_lines_are_ors_of_ands_anded_across_lines(lines, goos, cgo):
    platform = Platform(goos=goos, cgo=cgo)
    text = [f"// +build {a},{b} {b}" for a, b in lines]

    def holds(tag: str) -> bool:
        return not platform.has(tag[1:]) if tag.startswith("!") else platform.has(tag)
    expected = all((holds(a) and holds(b)) or holds(b) for a, b in lines)
    constraint = header_constraint(text)
    assert constraint is not None
    assert constraint.allows(platform) == expected


@given(st.sampled_from(sorted({"linux", "windows", "darwin", "js"})), st.sampled_from(["amd64", "arm64", "wasm"]),
       st.booleans(), st.text(string.ascii_lowercase, min_size=1, max_size=8))
def test_file_name_suffixes_name_their_platform(goos, goarch, test, stem):
    name = f"{stem}_{goos}_{goarch}{'_test' if test else ''}.go"
    assert file_name_platform(name) == (goos, goarch)
    assert file_name_platform(f"{goos}.go") == (None, None)   # no underscore: no constraint


_NAME = st.text(string.ascii_lowercase, min_size=1, max_size=6)


@given(st.lists(st.tuples(st.sampled_from(["", "_", ".", "testdata/"]), _NAME), min_size=1, max_size=12, unique=True))
@settings(max_examples=40, deadline=None)
def test_package_count_is_the_folders_go_does_not_ignore(folders):
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
        expected = set()
        for prefix, name in folders:
            folder = root / "pkgs" / f"{prefix}{name}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "x.go").write_text(f"package {name}\n")
            if prefix == "":
                expected.add(f"example.com/m/pkgs/{name}")
        assert set(scan(root).own_packages) == expected


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
@settings(max_examples=30, deadline=None)
def test_more_code_never_means_fewer_lines_or_packages(sizes):
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
        previous = (0, 0)
        for index, size in enumerate(sizes):
            folder = root / f"p{index}"
            folder.mkdir()
            (folder / "p.go").write_text(f"package p{index}\n" + "var _ = 1\n" * size)
            m = scan(root)
            current = (len(m.own_packages), m.own_lines)
            assert current[0] == previous[0] + 1 and current[1] == previous[1] + 1 + size
            previous = current


def test_a_byte_order_mark_does_not_hide_the_package_clause():
    facts = read_go_file("x.go", "\ufeff// Package x.\npackage x\n\nimport \"fmt\"\n".encode())
    assert (facts.package, facts.imports, facts.problem) == ("x", ["fmt"], None)
