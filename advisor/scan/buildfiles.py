"""How a project is built, tested, containerised and released, read from its Makefiles, CI, Docker and release files."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from advisor.errors import InputError
from advisor.reading import read_regular
from advisor.scan.constraints import KNOWN_ARCH, KNOWN_OS
from advisor.scan.gomod import base_name
from advisor.yamlio import parse_yaml_all

# A -race flag as its own word: not --race, not -race-detector, not -racey.
_RACE = re.compile(r"(?<![\w-])-race(?![\w-])")
_TEST_RUN = re.compile(r"\bgo\s+test\b|\bgotestsum\b|\$[({]GO[)}]\s+test\b|\bginkgo\b")
_GOOS_GOARCH = re.compile(r"\bGOOS=([a-z0-9]+)\b[^\n]*?\bGOARCH=([a-z0-9]+)\b"
                          r"|\bGOARCH=([a-z0-9]+)\b[^\n]*?\bGOOS=([a-z0-9]+)\b")
_FROM = re.compile(r"^\s*FROM\s+(?:--platform=(\S+)\s+)?(\S+)(?:\s+AS\s+(\S+))?", re.I | re.M)
_CLUSTER_COMMAND = re.compile(r"\b(kind)\s+create\s+cluster\b|\b(k3d)\s+cluster\s+create\b")
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.I)

# Image name (last path element, before the tag) -> the service kind the model knows about.
SERVICE_KINDS = {
    "postgres": "postgres", "postgis": "postgres", "timescaledb": "postgres", "timescaledb-ha": "postgres",
    "cockroach": "postgres", "yugabyte": "postgres",
    "mysql": "mysql", "mariadb": "mysql", "percona-server": "mysql", "percona": "mysql", "tidb": "mysql",
    "redis": "redis", "valkey": "redis", "keydb": "redis", "redis-stack": "redis", "dragonfly": "redis",
    "etcd": "etcd", "kafka": "kafka", "cp-kafka": "kafka", "redpanda": "kafka",
    "mongo": "mongodb", "mongodb": "mongodb",
}
# Services whose durability rests on fsync (their default configuration syncs the write-ahead log on commit).
FSYNC_HEAVY_KINDS = frozenset({"postgres", "mysql", "etcd", "kafka", "mongodb"})


@dataclass(frozen=True)
class Evidence:
    """A line in a file that a detector acted on."""
    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Service:
    name: str
    image: str
    kind: str
    evidence: Evidence
    memory_gb: float | None = None
    platform: str | None = None


@dataclass
class BuildSetup:
    race_runs: list[Evidence] = field(default_factory=list)        # go test ... -race
    test_runs: list[Evidence] = field(default_factory=list)        # every go test invocation
    cross_targets: dict[str, Evidence] = field(default_factory=dict)  # "goos/goarch" -> where
    base_images: list[tuple[str, str | None, Evidence]] = field(default_factory=list)  # (image, --platform, where)
    services: list[Service] = field(default_factory=list)
    clusters: list[tuple[str, Evidence]] = field(default_factory=list)  # ("kind"|"k3d", where)
    helm_charts: list[tuple[str, list[str]]] = field(default_factory=list)  # (Chart.yaml, dependency names)
    goreleaser: list[str] = field(default_factory=list)            # files
    warnings: list[str] = field(default_factory=list)
    read: list[Path] = field(default_factory=list)                 # the files read (relative), inputs of the run

    @property
    def test_invocations(self) -> set[str]:
        """Every place that runs tests: go test lines, and lines that only set -race (e.g. RACE := -race)."""
        return {str(e) for e in self.test_runs + self.race_runs}

    @property
    def race_share(self) -> float | None:
        """Share of the test invocations found that pass -race (None when no invocation was found)."""
        runs = self.test_invocations
        return len({str(e) for e in self.race_runs}) / len(runs) if runs else None


def _text(root: Path, relative: Path, setup: BuildSetup, inside: list[Path]) -> str | None:
    """A build file's text when it is a regular file inside the scanned folders and not huge, else a warning."""
    try:
        data = read_regular(root / relative, BUILD_FILE_LIMIT, inside=inside)
    except InputError as error:
        setup.warnings.append(f"{error}; skipped")
        return None
    return data.decode("utf-8", errors="replace")


def _yaml_documents(text: str, relative: Path, setup: BuildSetup) -> list:
    try:
        return [d for d in parse_yaml_all(text) if d is not None]
    except RecursionError:
        setup.warnings.append(f"{relative}: YAML nested too deeply, skipped")
        return []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{relative}:{mark.line + 1}" if mark is not None else str(relative)
        problem = " ".join(str(getattr(error, "problem", None) or error).split())  # a warning is one line
        setup.warnings.append(f"{where}: not valid YAML, skipped ({problem})")
        return []


_TRAILING_COMMENT = re.compile(r"(^|\s)#.*$")


def _code_lines(text: str) -> list[tuple[int, str]]:
    """Lines with comments removed in shell, make, YAML and just syntax (all start comments with #)."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        code = _TRAILING_COMMENT.sub("", line)
        if code.strip():
            lines.append((number, code))
    return lines


def _scan_commands(relative: Path, text: str, setup: BuildSetup) -> None:
    for number, line in _code_lines(text):
        evidence = Evidence(relative.as_posix(), number, line.strip()[:200])
        if _TEST_RUN.search(line):
            setup.test_runs.append(evidence)
        if _RACE.search(line):
            setup.race_runs.append(evidence)
        for match in _GOOS_GOARCH.finditer(line):
            goos, goarch = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            if goos in KNOWN_OS and goarch in KNOWN_ARCH:
                setup.cross_targets.setdefault(f"{goos}/{goarch}", evidence)
        command = _CLUSTER_COMMAND.search(line)
        if command:
            setup.clusters.append((command.group(1) or command.group(2), evidence))


def image_kind(image: str) -> str:
    """The service kind of a container image reference such as docker.io/library/postgres:16-alpine."""
    name = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].lower()
    return SERVICE_KINDS.get(name, "generic")


def _scan_dockerfile(relative: Path, text: str, setup: BuildSetup) -> None:
    stages = set()
    for match in _FROM.finditer(text):
        platform, image, alias = match.group(1), match.group(2), match.group(3)
        line = text.count("\n", 0, match.start()) + 1
        if alias:
            stages.add(alias.lower())
        if image.lower() in stages or image == "scratch":
            continue  # a build stage of the same file, or the empty image
        setup.base_images.append((image, platform, Evidence(relative.as_posix(), line, match.group(0).strip())))


def _memory_gb(value: object) -> float | None:
    if isinstance(value, (int, float)):
        return float(value) / 2**30
    match = _MEMORY.match(str(value or ""))
    if not match:
        return None
    scale = {"": 1 / 2**30, "k": 1 / 2**20, "m": 1 / 2**10, "g": 1, "t": 1024}[match.group(2).lower()]
    return round(float(match.group(1)) * scale, 3)


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _scan_compose(relative: Path, text: str, setup: BuildSetup) -> None:
    for document in _yaml_documents(text, relative, setup):
        services = document.get("services") if isinstance(document, dict) else None
        if not isinstance(services, dict):
            continue
        for name, spec in services.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("image"), str):
                continue  # a service built from the project's own Dockerfile
            image = spec["image"]
            limits = ((spec.get("deploy") or {}).get("resources") or {}).get("limits") or {}
            memory = _memory_gb(spec.get("mem_limit") or limits.get("memory"))
            evidence = Evidence(relative.as_posix(), _line_of(text, f"{name}:"), f"{name}: image {image}")
            setup.services.append(Service(str(name), image, image_kind(image), evidence, memory, spec.get("platform")))


def _scan_yaml_config(relative: Path, text: str, setup: BuildSetup) -> None:
    """kind and k3d cluster configurations are recognised by their apiVersion, not their file name."""
    for document in _yaml_documents(text, relative, setup):
        if not isinstance(document, dict):
            continue
        api = str(document.get("apiVersion", ""))
        if api.startswith("kind.x-k8s.io") and document.get("kind") == "Cluster":
            setup.clusters.append(("kind", Evidence(relative.as_posix(), _line_of(text, "apiVersion"), api)))
        elif api.startswith("k3d.io"):
            setup.clusters.append(("k3d", Evidence(relative.as_posix(), _line_of(text, "apiVersion"), api)))


def _scan_chart(relative: Path, text: str, setup: BuildSetup) -> None:
    for document in _yaml_documents(text, relative, setup)[:1]:
        if isinstance(document, dict):
            names = [str(d.get("name")) for d in document.get("dependencies") or [] if isinstance(d, dict)]
            setup.helm_charts.append((relative.as_posix(), names))


def _scan_goreleaser(relative: Path, text: str, setup: BuildSetup) -> None:
    setup.goreleaser.append(relative.as_posix())
    for document in _yaml_documents(text, relative, setup)[:1]:
        builds = document.get("builds") if isinstance(document, dict) else None
        for build in builds or []:
            if not isinstance(build, dict) or build.get("skip") is True:
                continue
            goos, goarch = build.get("goos"), build.get("goarch")
            if not goos or not goarch:
                # goreleaser then applies its own defaults, which changed between releases: not guessed here
                setup.warnings.append(f"{relative}: a build without explicit goos and goarch uses goreleaser's "
                                      "defaults; its targets are not counted")
                continue
            ignored = {(i.get("goos"), i.get("goarch")) for i in build.get("ignore") or [] if isinstance(i, dict)}
            for os_name in goos:
                for arch in goarch:
                    if (os_name, str(arch)) in ignored or (os_name, None) in ignored or (None, str(arch)) in ignored:
                        continue
                    target = f"{os_name}/{arch}"
                    setup.cross_targets.setdefault(
                        target, Evidence(relative.as_posix(), _line_of(text, "goos"), "goreleaser build"))


_COMMAND_FILES = frozenset({"makefile", "gnumakefile", "justfile", ".justfile", "jenkinsfile", "taskfile.yml",
                            "taskfile.yaml", "taskfile.dist.yml", "taskfile.dist.yaml", ".gitlab-ci.yml", ".drone.yml",
                            "azure-pipelines.yml", "bitbucket-pipelines.yml", "cloudbuild.yaml"})
# Other YAML files are only sniffed for kind/k3d cluster configurations, and only up to this size.
YAML_SNIFF_BYTES = 256 * 1024
# No hand-written Makefile, CI config or Dockerfile comes near this; a larger one is skipped.
BUILD_FILE_LIMIT = 4 * 1024 * 1024


def build_file_kind(relative: Path) -> str | None:
    """What a file can tell about the build: commands, dockerfile, compose, chart, goreleaser, yaml; None if nothing."""
    lower = relative.name.lower()
    parts = relative.parts
    yaml_file = lower.endswith((".yml", ".yaml"))
    if lower.startswith((".goreleaser", "goreleaser")) and yaml_file:
        return "goreleaser"
    if (lower in ("dockerfile", "containerfile") or lower.startswith("dockerfile.")
            or lower.endswith((".dockerfile", ".containerfile"))):
        return "dockerfile"
    if lower.startswith(("docker-compose", "compose")) and yaml_file:
        return "compose"
    if lower == "chart.yaml":
        return "chart"
    if lower in _COMMAND_FILES or lower.endswith((".mk", ".sh", ".bash")):
        return "commands"
    if yaml_file and (parts[:2] == (".github", "workflows") or parts[:1] in ((".circleci",), (".gitlab",), (".ci",),
                                                                             (".buildkite",), (".woodpecker",))):
        return "commands"
    if yaml_file:
        return "yaml"
    return None


def read_build_setup(root: Path, files: list[Path], inside: list[Path] | None = None) -> BuildSetup:
    """Everything the detectors find in the build files the tree walk collected (read only inside `inside`,
    by default root)."""
    setup = BuildSetup()
    inside = inside or [root]
    readers = {"goreleaser": _scan_goreleaser, "dockerfile": _scan_dockerfile, "compose": _scan_compose,
               "chart": _scan_chart}
    for relative in sorted(files):
        kind = build_file_kind(relative)
        if kind == "yaml":
            try:
                if (root / relative).stat().st_size > YAML_SNIFF_BYTES:
                    continue
            except OSError:
                continue
        text = _text(root, relative, setup, inside)
        if text is None:
            continue
        # a file that told something is an input of the run; a YAML file only sniffed (a saved profile) is not
        if kind != "yaml" or "kind.x-k8s.io" in text or "k3d.io" in text:
            setup.read.append(relative)
        if kind in readers:
            readers[kind](relative, text, setup)
        elif kind == "yaml":
            if "kind.x-k8s.io" in text or "k3d.io" in text:
                _scan_yaml_config(relative, text, setup)
        else:
            if relative.name.lower().endswith((".yml", ".yaml")):
                _scan_yaml_config(relative, text, setup)
            _scan_commands(relative, text, setup)
    return setup


def summarize_generators(commands: list[str]) -> Counter:
    """Which tools go:generate directives call: `go run pkg@v` and `go tool x` name the tool, not `go`."""
    tools: Counter = Counter()
    for command in commands:
        words = command.split()
        if not words:
            continue
        if words[0] == "go" and len(words) > 2 and words[1] in ("run", "tool"):
            args = [w for w in words[2:] if not w.startswith("-")]
            tool = args[0] if args else words[1]
            tool = base_name(tool.split("@", 1)[0])
        elif words[0] in ("sh", "bash") and len(words) > 2 and words[1] == "-c":
            tool = words[2].strip("'\"").split()[0] if words[2].strip("'\"") else "sh"
        else:
            tool = words[0]
        tools[Path(tool).name.removesuffix(".sh") or tool] += 1
    return tools
