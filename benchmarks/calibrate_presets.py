"""Measure the dependency closures the presets claim, on real library code from Debian's golang-*-dev packages.

Writes a tiny module per preset whose main package imports what such a project imports, scans it with
GOPATH=/usr/share/gocode (no downloads) and prints own/third-party/std packages and lines. Run:
  apt-get install -y golang-go golang-google-grpc-dev golang-github-jackc-pgx-v4-dev \
      golang-github-gin-gonic-gin-dev golang-google-protobuf-dev golang-github-prometheus-client-golang-dev \
      golang-github-spf13-cobra-dev
  python benchmarks/calibrate_presets.py
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from advisor.scan.measure import scan

GOPATH = "/usr/share/gocode"
# What a project of each kind imports directly (its own code is not measured here).
IMPORTS = {
    "learning (a Cobra CLI)": ["github.com/spf13/cobra"],
    "microservice (gRPC + HTTP service with Postgres, metrics)": [
        "google.golang.org/grpc", "google.golang.org/grpc/health",
        "google.golang.org/protobuf/proto", "google.golang.org/protobuf/types/known/timestamppb",
        "github.com/gin-gonic/gin", "github.com/jackc/pgx/v4/pgxpool",
        "github.com/prometheus/client_golang/prometheus/promhttp"],
}


def measure(imports: list[str]) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "go.mod").write_text("module example.com/calibrate\n\ngo 1.19\n")
        body = "".join(f'\t_ "{path}"\n' for path in imports)
        (root / "main.go").write_text(f"package main\n\nimport (\n{body})\n\nfunc main() {{}}\n")
        m = scan(root, environ={**os.environ, "GOPATH": GOPATH})
        if m.closure.unresolved:
            print(f"  not on disk: {sorted(m.closure.unresolved)[:8]}", file=sys.stderr)
        return {"third_party_packages": len(m.closure.third_party),
                "third_party_lines": sum(m.closure.third_party.values()),
                "std_packages": len(m.closure.std), "std_lines": sum(m.closure.std.values())}


if __name__ == "__main__":
    for name, imports in IMPORTS.items():
        print(name, measure(imports))
