"""`go-advisor probe`: the live Linux probe against nproc, /proc/meminfo and lscpu; fake /sys trees; recorded
macOS and Windows outputs; fields that degrade to unknown; --match; the CLI in a subprocess."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_cli import run

from advisor.probe import probe
from advisor.probe import reading as reading_module
from advisor.probe.go import cache_size_mb
from advisor.probe.macos import SYSCTL, SYSTEM_PROFILER
from advisor.probe.match import match_cpu, match_machine, normalize
from advisor.probe.reading import FIELDS, Host
from advisor.probe.record import to_record
from advisor.probe.windows import POWERSHELL, WMIC_CPU
from advisor.types.hardware import Cpu, Machine, Ssd

FIXTURES = Path(__file__).parent / "fixtures" / "probe"
GO_ENV = ("go", "env", "-json", "GOCACHE", "GOFLAGS")
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads this machine's /proc and /sys")


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


# ------------------------------------------------------------------ this Linux machine
@linux_only
def test_live_probe_agrees_with_nproc_meminfo_and_lscpu():
    found = probe()
    assert found.value("limits.usable_cpus") == int(subprocess.run(["nproc"], capture_output=True, text=True,
                                                                   check=True).stdout)
    meminfo = Path("/proc/meminfo").read_text()
    assert found.value("memory.total_kib") == int(re.search(r"MemTotal:\s+(\d+) kB", meminfo).group(1))
    assert found.value("cpu.threads") == os.cpu_count()
    assert all(found[name].how for name in FIELDS)
    if shutil.which("lscpu") is None:
        pytest.skip("lscpu not installed")
    lscpu = dict(line.split(":", 1) for line in subprocess.run(["lscpu"], capture_output=True, text=True,
                                                               check=True).stdout.splitlines() if ":" in line)
    lscpu = {key.strip(): value.strip() for key, value in lscpu.items()}
    assert found.value("cpu.threads") == int(lscpu["CPU(s)"])
    assert found.value("cpu.name") == lscpu["Model name"]
    cores = int(lscpu["Core(s) per socket"]) * int(lscpu.get("Socket(s)", "1"))
    assert found.value("cpu.cores") == cores
    for level in (2, 3):
        shown = lscpu.get(f"L{level} cache")
        if shown:
            number, unit = re.match(r"([\d.]+)\s*([KMG])", shown).groups()
            mib = float(number) * {"K": 1 / 1024, "M": 1, "G": 1024}[unit]
            assert found.value(f"cpu.l{level}_mb") == pytest.approx(mib, rel=0.01), (level, shown)


# ------------------------------------------------------------------ fake /sys trees
def _hybrid_tree(root: Path) -> None:
    """An Intel hybrid laptop: 4 P-cores with SMT (CPUs 0-7) and 8 E-cores (CPUs 8-15) in two clusters."""
    files = {"/sys/devices/system/cpu/online": "0-15\n", "/sys/devices/cpu_core/cpus": "0-7\n",
             "/sys/devices/cpu_atom/cpus": "8-15\n",
             "/proc/cpuinfo": "".join(f"processor\t: {i}\nvendor_id\t: GenuineIntel\nmodel name\t: 12th Gen Intel(R) "
                                      f"Core(TM) i7-1260P\n\n" for i in range(16)),
             "/proc/meminfo": "MemTotal:       32537868 kB\nSwapTotal:       8388604 kB\n",
             "/etc/os-release": 'NAME="Ubuntu"\nVERSION_ID="24.04"\n',
             "/proc/sys/kernel/osrelease": "6.8.0-45-generic\n",
             "/sys/class/dmi/id/sys_vendor": "Dell Inc.\n", "/sys/class/dmi/id/product_name": "XPS 13 9320\n",
             "/sys/class/power_supply/BAT0/energy_full_design": "55000000\n",
             "/sys/block/nvme0n1/device/model": "PM9A1 NVMe Samsung 1024GB\n",
             "/sys/block/nvme0n1/size": "2000409264\n", "/sys/block/nvme0n1/removable": "0\n",
             "/sys/block/nvme0n1/queue/rotational": "0\n", "/sys/block/nvme0n1/queue/write_cache": "write back\n",
             "/sys/block/loop0/queue/rotational": "0\n",
             "/proc/mounts": "/dev/nvme0n1p2 / ext4 rw 0 0\n/dev/nvme0n1p3 /home btrfs rw 0 0\n",
             "/proc/self/cgroup": "0::/user.slice/session.scope\n", "/sys/fs/cgroup/cgroup.controllers": "cpu\n",
             "/sys/fs/cgroup/user.slice/cpu.max": "150000 100000\n",
             "/sys/fs/cgroup/user.slice/session.scope/cpu.max": "max 100000\n"}
    for cpu in range(16):
        base = f"/sys/devices/system/cpu/cpu{cpu}"
        core = cpu // 2 if cpu < 8 else cpu - 4
        files |= {f"{base}/topology/physical_package_id": "0", f"{base}/topology/core_id": str(core),
                  f"{base}/cpufreq/cpuinfo_max_freq": "4700000" if cpu < 8 else "3400000",
                  f"{base}/cpufreq/base_frequency": "2100000" if cpu < 8 else "1500000",
                  f"{base}/thermal_throttle/core_throttle_count": "3" if cpu == 0 else "0",
                  f"{base}/thermal_throttle/package_throttle_count": "11",
                  f"{base}/cache/index2/level": "2", f"{base}/cache/index2/type": "Unified",
                  f"{base}/cache/index2/size": "1280K" if cpu < 8 else "2048K",
                  f"{base}/cache/index2/shared_cpu_list": f"{cpu - cpu % 2}-{cpu - cpu % 2 + 1}" if cpu < 8
                  else ("8-11" if cpu < 12 else "12-15"),
                  f"{base}/cache/index3/level": "3", f"{base}/cache/index3/type": "Unified",
                  f"{base}/cache/index3/size": "18432K", f"{base}/cache/index3/shared_cpu_list": "0-15"}
    write(root, files)


def _linux_host(root: Path, go: str | None = "go version go1.25.1 linux/amd64\n", **extra) -> Host:
    commands: dict = {("nvme", "id-ctrl", "/dev/nvme0", "--output-format=json"):
                      json.dumps({"mn": "SAMSUNG MZVL21T0HCLR-00BL2", "vwc": 7, "fr": "GXA7801Q"})}
    if go is not None:
        commands[("go", "version")] = go
        commands[GO_ENV] = json.dumps({"GOCACHE": "/home/dev/.cache/go-build", "GOFLAGS": "-trimpath"})
    return Host(root=root, system="Linux", machine="x86_64", commands=commands, environ={}, affinity_cpus=16,
                **extra)


def test_fake_sys_hybrid_cores_caches_clocks_drives_and_cgroup(tmp_path):
    _hybrid_tree(tmp_path)
    write(tmp_path, {"/home/dev/.cache/go-build/00/a-d": "x" * 1000, "/home/dev/.cache/go-build/README": "y" * 1000})
    found = probe(_linux_host(tmp_path))
    assert found.value("cpu.cores") == 12
    assert (found.value("cpu.performance_cores"), found.value("cpu.efficiency_cores")) == (4, 8)
    assert "cpu_core" in found["cpu.performance_cores"].how
    assert found.value("cpu.threads") == 16
    assert found.value("cpu.l2_mb") == pytest.approx(4 * 1.25 + 2 * 2)  # 4 P-core L2s, 2 E-core cluster L2s
    assert found.value("cpu.l3_mb") == 18
    assert (found.value("cpu.base_clock_ghz"), found.value("cpu.boost_clock_ghz")) == (2.1, 4.7)
    assert found.value("memory.ram_gb") == 32 and found.value("memory.swap_gb") == 8.0
    assert found.value("machine.battery_wh") == 55.0
    assert found.value("machine.name") == "XPS 13 9320"
    assert found.value("thermal.throttle_events") == {"core": 3, "package": 11}
    assert found.value("limits.cgroup_cpu_quota") == 1.5
    assert found["limits.cgroup_cpu_quota"].how == "/sys/fs/cgroup/user.slice/cpu.max"  # the ancestor's limit
    assert found.value("go.gomaxprocs") == 2  # Go 1.25: ceil(1.5) = 2
    assert found.value("go.goflags") == "-trimpath"
    assert found.value("go.gocache_size_mb") == 0.002
    assert found.value("storage.gocache_filesystem") == "btrfs on /dev/nvme0n1p3 at /home"
    [drive] = found.drives  # loop0 is left out
    assert drive["model"].value == "SAMSUNG MZVL21T0HCLR-00BL2"  # nvme id-ctrl mn, over sysfs's
    assert drive["volatile_write_cache"].how == "nvme id-ctrl /dev/nvme0 vwc bit 0"
    assert drive["volatile_write_cache"].value is True and drive["rotational"].value is False
    assert drive["size_gb"].value == 1024


def test_without_nvme_cli_the_drive_comes_from_sysfs(tmp_path):
    _hybrid_tree(tmp_path)
    host = _linux_host(tmp_path)
    assert host.commands is not None
    del host.commands[("nvme", "id-ctrl", "/dev/nvme0", "--output-format=json")]
    [drive] = probe(host).drives
    assert drive["model"].value == "PM9A1 NVMe Samsung 1024GB"
    assert drive["volatile_write_cache"].how == ("/sys/block/nvme0n1/queue/write_cache (write back); not from nvme "
                                                 "id-ctrl: nvme-cli not installed")


def test_smbios_memory_devices_give_ram_type_and_configured_speed(tmp_path):
    _hybrid_tree(tmp_path)
    for slot, size_mb in enumerate((16384, 16384, 0)):  # the third slot is empty
        raw = bytearray(0x28)
        raw[0], raw[1] = 17, 0x28
        raw[0x0C:0x0E] = size_mb.to_bytes(2, "little")
        raw[0x12] = 0x23  # LPDDR5
        raw[0x15:0x17] = (6400).to_bytes(2, "little")
        raw[0x20:0x22] = (5200).to_bytes(2, "little")
        folder = tmp_path / f"sys/firmware/dmi/entries/17-{slot}"
        folder.mkdir(parents=True)
        (folder / "raw").write_bytes(bytes(raw))
    found = probe(_linux_host(tmp_path))
    assert (found.value("memory.type"), found.value("memory.speed_mts")) == ("LPDDR5", 5200)
    assert found["memory.speed_mts"].how.endswith("configured speed")
    assert to_record(found)["machines"][0]["ram"]["type"]["value"] == "LPDDR5-5200"


def test_go_before_1_25_ignores_the_cgroup_limit(tmp_path):
    _hybrid_tree(tmp_path)
    found = probe(_linux_host(tmp_path, go="go version go1.22.5 linux/amd64\n"))
    assert found.value("go.gomaxprocs") == 16
    assert "Go >= 1.25 would use 2" in found["go.gomaxprocs"].how


def test_cpu_capacity_tells_big_from_little_cores_and_cgroup_v1_quota(tmp_path):
    files = {"/sys/devices/system/cpu/online": "0-7",
             "/proc/self/cgroup": "12:cpu,cpuacct:/docker/abc\n",
             "/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us": "250000",
             "/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us": "100000"}
    for cpu in range(8):
        base = f"/sys/devices/system/cpu/cpu{cpu}"
        files |= {f"{base}/topology/physical_package_id": "0", f"{base}/topology/core_id": str(cpu),
                  f"{base}/cpu_capacity": "1024" if cpu >= 4 else "446"}
    write(tmp_path, files)
    found = probe(Host(root=tmp_path, system="Linux", machine="aarch64", commands={}, environ={}, affinity_cpus=8))
    assert (found.value("cpu.performance_cores"), found.value("cpu.efficiency_cores")) == (4, 4)
    assert found.value("cpu.arch") == "arm64"
    assert found.value("limits.cgroup_cpu_quota") == 2.5
    assert found.value("go.gomaxprocs") == 8  # Go unknown here: no go on this host
    assert found["go.version"].how == "unknown: go not on PATH"


# ------------------------------------------------------------------ degrading to unknown
def test_an_empty_tree_degrades_every_field_to_unknown_with_a_reason(tmp_path):
    found = probe(Host(root=tmp_path, system="Linux", machine="x86_64", commands={}, environ={}))
    assert set(found.fields) == set(FIELDS)
    for name, reading in found.fields.items():
        assert reading.how, name
        if not reading.known:
            assert reading.how.startswith(("unknown: ", "none: ")), (name, reading.how)
    assert found["cpu.name"].how == ("unknown: /proc/cpuinfo does not exist; lscpu not installed")
    assert found["machine.name"].how == "unknown: /sys/class/dmi/id/product_name does not exist"
    assert found.drives == []


def test_permission_denied_reads_as_unknown(tmp_path, monkeypatch):
    _hybrid_tree(tmp_path)
    denied = tmp_path / "sys/class/dmi/id/product_name"
    real = Path.read_bytes

    def read_bytes(self):
        if self == denied:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    found = probe(_linux_host(tmp_path))
    assert found["machine.name"].how == "unknown: /sys/class/dmi/id/product_name not readable (permission)"
    assert found.value("cpu.threads") == 16  # the rest is still read


def test_a_parser_bug_degrades_to_unknown_instead_of_raising(tmp_path, monkeypatch):
    from advisor.probe import linux

    def broken(host):
        raise ValueError("unexpected cpuinfo")

    monkeypatch.setattr(linux, "probe", broken)
    found = probe(Host(root=tmp_path, system="Linux", machine="x86_64", commands={}, environ={}, affinity_cpus=4))
    assert found["cpu.name"].how == "unknown: reading Linux failed: ValueError: unexpected cpuinfo"
    assert found.value("limits.usable_cpus") == 4 and found.value("go.gomaxprocs") == 4


def test_commands_not_found_failing_and_timing_out_give_reasons():
    host = Host(timeout_s=0.3)
    assert host.run(["go-advisor-no-such-tool"]).reason == "go-advisor-no-such-tool not found"
    assert host.run([sys.executable, "-c", "import time; time.sleep(5)"]).reason.endswith("timed out after 0.3 s")
    failed = host.run([sys.executable, "-c", "import sys; sys.exit('broken')"])
    assert failed.text is None and "exited 1: broken" in failed.reason


def test_go_commands_run_with_gotoolchain_local_so_nothing_is_downloaded():
    shown = Host(environ={}).run([sys.executable, "-c", "import os; print(os.environ['GOTOOLCHAIN'])"],
                                 {"GOTOOLCHAIN": "local"})
    assert shown.text == "local\n"


def test_recorded_command_failures_degrade(tmp_path):
    _hybrid_tree(tmp_path)
    host = _linux_host(tmp_path)
    assert host.commands is not None
    host.commands[("go", "version")] = subprocess.TimeoutExpired("go", 10)
    host.commands[GO_ENV] = FileNotFoundError()
    found = probe(host)
    assert found["go.version"].how == "unknown: `go version` timed out after 10 s"
    assert found["go.gocache"].how == "unknown: go not found"
    assert found["storage.gocache_filesystem"].how == "unknown: GOCACHE unknown"


def test_gocache_walk_stops_at_its_bound_and_never_writes(tmp_path):
    for index in range(30):
        write(tmp_path, {f"cache/{index % 3}/{index}-d": "z" * 100})
    before = sorted(p.stat().st_mtime_ns for p in tmp_path.rglob("*"))
    size_mb, how = cache_size_mb(tmp_path / "cache", max_entries=10)
    assert how.startswith("at least: walk of") and size_mb <= 0.001
    assert cache_size_mb(tmp_path / "cache") == (0.003, f"sum of file sizes under {tmp_path / 'cache'} (33 entries)")
    assert sorted(p.stat().st_mtime_ns for p in tmp_path.rglob("*")) == before


# ------------------------------------------------------------------ recorded macOS and Windows outputs
def test_macos_m2_pro_from_recorded_sysctl_and_system_profiler(tmp_path, data):
    folder = FIXTURES / "macos-m2-pro"
    host = Host(root=tmp_path, system="Darwin", machine="arm64", environ={}, commands={
        SYSCTL: (folder / "sysctl.txt").read_text(), SYSTEM_PROFILER: (folder / "system_profiler.json").read_text(),
        ("go", "version"): "go version go1.23.4 darwin/arm64\n", GO_ENV: (folder / "go-env.json").read_text()})
    found = probe(host)
    assert found.value("cpu.name") == "Apple M2 Pro" and found.value("cpu.arch") == "arm64"
    assert (found.value("cpu.performance_cores"), found.value("cpu.efficiency_cores")) == (8, 4)
    assert found.value("cpu.threads") == 12
    assert found.value("cpu.l2_mb") == 36.0  # two 16 MB P-clusters and one 4 MB E-cluster
    assert found.value("cpu.l3_mb") is None and "no L3" in found["cpu.l3_mb"].how
    assert found.value("memory.ram_gb") == 16 and found.value("memory.type") == "LPDDR5"
    assert found.value("memory.swap_gb") == 2.0
    assert found.value("os.version") == "14.5" and found.value("machine.model_id") == "Mac14,9"
    assert found.value("machine.name") == "MacBook Pro"
    assert found.value("limits.usable_cpus") == 12
    assert found.value("storage.gocache_filesystem") == "APFS on disk3s5 at /System/Volumes/Data"
    [drive] = found.drives
    assert drive["model"].value == "APPLE SSD AP0512Z" and drive["rotational"].value is False
    assert drive["volatile_write_cache"].how.startswith("unknown: ")
    cpu = match_cpu(found.value("cpu.name"), data.catalog, found.value("cpu.cores"))
    assert cpu.id == "apple-m2-pro-12c"
    assert match_machine(found.value("machine.vendor"), found.value("machine.name"), cpu.id,
                         data.catalog).id == "apple-macbook-pro-14-m2-pro-max-2023"


def test_windows_laptop_from_recorded_cim_json(tmp_path, data):
    cim = (FIXTURES / "windows-xps-13-plus" / "cim.json").read_text()
    found = probe(Host(root=tmp_path, system="Windows", machine="AMD64", environ={}, commands={POWERSHELL: cim}))
    assert found.value("cpu.name") == "12th Gen Intel(R) Core(TM) i7-1260P"
    assert (found.value("cpu.cores"), found.value("cpu.threads")) == (12, 16)
    assert (found.value("cpu.l2_mb"), found.value("cpu.l3_mb"), found.value("cpu.base_clock_ghz")) == (9, 18, 2.1)
    assert found["cpu.performance_cores"].how.startswith("unknown: ")
    assert found.value("memory.ram_gb") == 32 and found.value("memory.type") == "LPDDR5"
    assert found.value("memory.speed_mts") == 5200 and found.value("memory.swap_gb") == 4.75
    assert (found.value("machine.vendor"), found.value("machine.name")) == ("Dell Inc.", "XPS 13 9320")
    assert found.value("os.name") == "Microsoft Windows 11 Pro" and found.value("cpu.arch") == "amd64"
    [drive] = found.drives
    assert drive["model"].value == "PM9A1 NVMe Samsung 1024GB" and drive["rotational"].value is False
    assert drive["internal"].value is True
    cpu = match_cpu(found.value("cpu.name"), data.catalog, found.value("cpu.cores"))
    assert cpu.id == "intel-core-i7-1260p"
    assert match_machine(found.value("machine.vendor"), found.value("machine.name"), cpu.id,
                         data.catalog).id == "dell-xps-13-plus-9320"


def test_windows_falls_back_to_wmic_when_powershell_is_missing(tmp_path):
    wmic = (FIXTURES / "windows-xps-13-plus" / "wmic-cpu.txt").read_text()
    found = probe(Host(root=tmp_path, system="Windows", machine="AMD64", environ={}, commands={WMIC_CPU: wmic}))
    assert found.value("cpu.name") == "12th Gen Intel(R) Core(TM) i7-1260P"
    assert found["cpu.threads"].how == "wmic cpu NumberOfLogicalProcessors" and found.value("cpu.threads") == 16
    assert found["memory.ram_gb"].how == "unknown: powershell not found"


# ------------------------------------------------------------------ --match and the record
@pytest.mark.parametrize(("name", "cores", "expected"), [
    ("AMD Ryzen 7 7840U w/ Radeon 780M Graphics", 8, "amd-ryzen-7-7840u"),
    ("AMD Ryzen 7 PRO 7840U w/ Radeon 780M Graphics", 8, "amd-ryzen-7-pro-7840u"),
    ("12th Gen Intel(R) Core(TM) i7-1260P", 12, "intel-core-i7-1260p"),
    ("Apple M2 Pro", 12, "apple-m2-pro-12c"),
    ("Apple M2 Pro", 10, "apple-m2-pro-10c"),
    ("Apple M2", 8, "apple-m2"),
    ("Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz", 4, "intel-core-i7-8550u"),
    ("Snapdragon(R) X Elite - X1E78100 - Qualcomm(R) Oryon(TM) CPU", 12, "qualcomm-snapdragon-x-elite-x1e-78-100"),
])
def test_match_finds_the_database_cpu(data, name, cores, expected):
    assert match_cpu(name, data.catalog, cores).id == expected


def test_match_names_no_cpu_without_its_model_number(data):
    found = match_cpu("Intel(R) Xeon(R) Processor", data.catalog, 2)
    assert found.id is None and "model number" in found.how
    assert normalize("Intel(R) Core(TM) i7-1260P CPU @ 2.10GHz") == "intel core i7-1260p"


def test_match_finds_the_machine_by_dmi_product_name(data):
    assert match_machine("Dell Inc.", "XPS 13 9320", "intel-core-i7-1260p", data.catalog).id == "dell-xps-13-plus-9320"
    assert match_machine("LENOVO", "21CB007JUS ThinkPad X1 Carbon Gen 10", "intel-core-i7-1260p",
                         data.catalog).id == "lenovo-thinkpad-x1-carbon-gen-10"
    assert match_machine("Apple", "MacBook Pro", "apple-m2-pro-12c",
                         data.catalog).id == "apple-macbook-pro-14-m2-pro-max-2023"
    assert match_machine(None, None, None, data.catalog).id is None


def test_record_has_the_database_schema_shape(tmp_path):
    _hybrid_tree(tmp_path)
    record = to_record(probe(_linux_host(tmp_path)))
    [machine], [cpu], [ssd] = record["machines"], record["cpus"], record["ssds"]
    assert set(machine) <= set(Machine.model_fields) and set(cpu) <= set(Cpu.model_fields)
    assert set(ssd) <= set(Ssd.model_fields)
    assert cpu["performance_cores"] == {"value": 4, "source": "go-advisor-probe", "confidence": "measured",
                                        "note": "/sys/devices/cpu_core/cpus and cpu_atom/cpus (Intel hybrid PMUs), "
                                                "counted per core"}
    assert machine["weight_kg"]["value"] is None and machine["weight_kg"]["note"].startswith("unknown: ")
    assert machine["battery_wh"]["value"] == 55.0
    assert machine["configurations"][0]["ram_gb"] == 32
    assert record["go"]["gomaxprocs"]["value"] == 2


# ------------------------------------------------------------------ the CLI
def test_cli_probe_prints_yaml_json_and_a_table(tmp_path):
    as_yaml = run("probe", "--format", "yaml", cwd=tmp_path)
    assert as_yaml.returncode == 0, as_yaml.stderr
    document = yaml.safe_load(as_yaml.stdout)
    assert {"machines", "cpus", "ssds", "system", "go"} <= set(document)
    assert document["cpus"][0]["threads"]["value"] == os.cpu_count()
    as_json = run("probe", "--format", "json", "--match", "-o", str(tmp_path / "probe.json"), cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    matched = json.loads((tmp_path / "probe.json").read_text())["match"]
    assert set(matched) == {"cpu", "machine"} and matched["cpu"]["how"]
    table = run("probe", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "how it was read" in table.stdout and "/proc/meminfo MemTotal" in table.stdout


def test_unknown_field_reasons_keep_their_prefix():
    assert reading_module.unknown("unknown: x").how == "unknown: x"
    assert reading_module.first(reading_module.unknown("a"), reading_module.unknown("a")).how == "unknown: a"
