"""A developer's Go workload profile and the constraints laid over it."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from advisor.types.hardware import MARKET_CURRENCY, Arch, Currency, Market, OsName
from advisor.types.provenance import Frozen
from advisor.types.scoring import Criterion


class Budget(Frozen):
    amount: float = Field(gt=0)
    currency: Currency = "USD"


class Container(Frozen):
    """A service the developer runs locally next to their Go code."""

    name: str
    kind: Literal["kind-cluster", "k3d-cluster", "postgres", "mysql", "redis", "etcd", "kafka", "mongodb", "generic"]
    memory_gb: float | None = Field(default=None, gt=0)
    fsync_heavy: bool | None = None
    image_arches: tuple[Arch, ...] = ("amd64", "arm64")


class BuildEnvironment(Frozen):
    """Where the builds run, beyond the machine; unset fields have no effect (the model does not guess them)."""

    container_bind_mount: bool | None = Field(
        default=None, description="go build and go test run in a container of a Docker Desktop-style VM on a "
        "source tree bind-mounted from the macOS or Windows host (no effect when the host runs Linux)")
    windows_defender: Literal["realtime", "excluded"] | None = Field(
        default=None, description="on Windows: Defender real-time protection scans the toolchain's files "
        "(realtime), or go.exe is excluded as a process (excluded)")


class Profile(Frozen):
    """A developer's Go workload: what the model predicts hardware against."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str
    description: str
    represents: str | None = None
    own_packages: int = Field(ge=1)
    own_lines: int = Field(ge=1)
    dependency_packages: int = Field(ge=0)
    dependency_lines: int = Field(ge=0)
    std_packages: int | None = Field(default=None, ge=0, description="standard-library packages the build compiles; "
                                     "unset: the go.build.std_packages_typical coefficient")
    std_lines: int | None = Field(default=None, ge=0, description="lines of those packages; "
                                  "unset: the go.build.std_lines_typical coefficient")
    critical_path_share: float | None = Field(default=None, ge=0, le=1,
                                              description="share of compiled lines on the longest chain of package "
                                                          "compiles; unset: go.build.critical_path_share_typical")
    test_packages: int = Field(default=0, ge=0)
    edit_builds_per_day: int = Field(ge=0, le=2000)
    changed_packages_per_edit: float = Field(default=2, ge=1)
    full_rebuilds_per_day: float = Field(ge=0, le=100)
    test_runs_per_day: int = Field(ge=0, le=1000)
    test_cpu_seconds: float = Field(default=10, ge=0, description="CPU seconds one test run executes on the reference "
                                    "core, excluding compilation")
    largest_test_package_share: float | None = Field(
        default=None, gt=0, le=1, description="share of a test run's CPU in its largest package (go test runs "
        "packages in parallel, one package's tests in sequence); unset: go.test.largest_package_share")
    race: bool = False
    race_share: float | None = Field(default=None, ge=0, le=1,
                                     description="share of test runs with -race; defaults to 1 when race is on")
    cgo: bool = False
    cross_compile_targets: tuple[str, ...] = ()
    gopls: bool = True
    containers: tuple[Container, ...] = ()
    deploy_arch: Literal["amd64", "arm64", "any"] = "any"
    os: tuple[OsName, ...] = ()
    arch: tuple[Arch, ...] = ()
    budget: Budget | None = None
    market: Market | None = Field(default=None, description="where the buyer buys: only machines sold there are "
                                  "ranked, at their price there; unset: the budget currency's market, else us")
    weights: dict[Criterion, float] = Field(default_factory=dict)
    travels: bool = False
    environment: BuildEnvironment = BuildEnvironment()
    provenance: dict[str, str] = Field(default_factory=dict)

    @property
    def buyer_market(self) -> str:
        """The market prices are read in: the profile's, else the budget currency's, else us."""
        if self.market is not None:
            return self.market
        if self.budget is not None:
            return next(m for m, currency in MARKET_CURRENCY.items() if currency == self.budget.currency)
        return "us"

    @property
    def race_fraction(self) -> float:
        """Share of test runs that use -race."""
        if not self.race:
            return 0.0
        return 1.0 if self.race_share is None else self.race_share

    @model_validator(mode="after")
    def _consistent(self) -> "Profile":
        if not self.race and self.race_share:
            raise ValueError("race_share: set race: true to run tests with -race")
        for target in self.cross_compile_targets:
            if target.count("/") != 1:
                raise ValueError(f"cross_compile_targets: {target!r} is not GOOS/GOARCH")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("weights: weights must not be negative")
        return self


