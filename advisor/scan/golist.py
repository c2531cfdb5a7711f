"""Optional enrichment: `go list -deps -json`, run so that it can never download anything."""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from advisor.errors import InputError
from advisor.reading import read_regular
from advisor.scan.constraints import Platform
from advisor.scan.gofile import count_lines
from advisor.scan.tree import GO_FILE_LIMIT, Tree

GO_LIST_TIMEOUT_S = 600


@dataclass
class GoListResult:
    """Counts from the go command, or why it could not give them."""
    go_version: str | None = None
    own_packages: int = 0
    own_lines: int = 0
    dependency_packages: int = 0
    dependency_lines: int = 0
    std_packages: int = 0
    std_lines: int = 0
    error: str | None = None
    package_errors: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Counts are trusted only when go list loaded every package; otherwise the scan's own are used."""
        return self.error is None and not self.package_errors

    def warning(self) -> str | None:
        if self.error:
            return f"{self.error}; the scan's own counts are used"
        if self.package_errors:
            return (f"--use-go: go list could not load {len(self.package_errors)} packages "
                    f"({self.package_errors[0]}); the scan's own counts are used")
        return None


def _decode_stream(text: str) -> list[dict]:
    """go list -json prints one JSON object after another, not an array."""
    decoder, position, objects = json.JSONDecoder(), 0, []
    while position < len(text):
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        item, position = decoder.raw_decode(text, position)
        objects.append(item)
    return objects


def _lines(package: dict) -> int:
    total = 0
    for name in package.get("GoFiles", []) + package.get("CgoFiles", []):
        try:
            total += count_lines(read_regular(Path(package["Dir"]) / name, GO_FILE_LIMIT))
        except InputError:
            continue
    return total


def go_list_deps(tree: Tree, platform: Platform, environ: dict[str, str]) -> GoListResult:
    """Packages and lines of each main module and of everything it imports, as the go command resolves them."""
    go = shutil.which("go", path=environ.get("PATH"))
    if go is None:
        return GoListResult(error="--use-go: no `go` command on PATH")
    # -mod=readonly: the go command reports a go.mod that needs changes instead of rewriting it (the user's
    # files are never modified); -mod=vendor where the module vendors; GOPROXY=off: nothing is downloaded.
    env = dict(environ, GOFLAGS="-mod=readonly", GOPROXY="off", GOOS=platform.goos, GOARCH=platform.goarch,
               CGO_ENABLED="1" if platform.cgo else "0", GOTOOLCHAIN="local")
    result = GoListResult()
    try:
        version = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, env=env, timeout=60)
        result.go_version = version.stdout.strip() or None
    except (OSError, subprocess.TimeoutExpired):
        pass
    seen: set[str] = set()
    for module in tree.modules:
        try:
            vendored = tree.work is None and (module.root / "vendor" / "modules.txt").is_file()
            done = subprocess.run([go, "list", "-e", "-deps", "-json", "./..."], cwd=module.root,
                                  env=dict(env, GOFLAGS="-mod=vendor") if vendored else env,
                                  capture_output=True, text=True, timeout=GO_LIST_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return GoListResult(go_version=result.go_version,
                                error=f"--use-go: go list took over {GO_LIST_TIMEOUT_S} s in {module.root}")
        except OSError as error:
            return GoListResult(go_version=result.go_version, error=f"--use-go: cannot run go ({error})")
        if done.returncode != 0 and not done.stdout.strip():
            first = next((line for line in done.stderr.splitlines() if line.strip()), "no output")
            return GoListResult(go_version=result.go_version,
                                error=f"--use-go: go list failed in {module.root}: {first}")
        try:
            packages = _decode_stream(done.stdout)
        except json.JSONDecodeError as error:
            return GoListResult(go_version=result.go_version, error=f"--use-go: unreadable go list output ({error})")
        for package in packages:
            path = package.get("ImportPath", "")
            if path in seen or path == "C":
                continue
            seen.add(path)
            if package.get("Error"):
                message = package["Error"].get("Err")
                result.package_errors.append(f"{path}: {message.splitlines()[0] if message else 'error'}")
            main = ((package.get("Module") or {}).get("Main", False)
                    or (module.module == "std" and package.get("Standard")))
            if package.get("DepOnly") is not True and main:
                result.own_packages += 1
                result.own_lines += _lines(package)
            else:
                result_lines = _lines(package)
                result.dependency_packages += 1
                result.dependency_lines += result_lines
                if package.get("Standard"):
                    result.std_packages += 1
                    result.std_lines += result_lines
    return result
