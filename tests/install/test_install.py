"""`hallcall install ROLE --root DIR` for every role: the files it writes, checked one by one,
the units through `systemd-analyze verify`, and `uninstall` taking them away again."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from hallcall.cli import main
from hallcall.install.plan import Options, make_plan, render_unit
from hallcall.install.roles import ROLES, roles_table

REPO = Path(__file__).resolve().parents[2]
DEVICE_FILES = {
    "broker": REPO / "config/src/hallcall/config/halls/example-university.toml",
    "web": REPO / "config/src/hallcall/config/halls/example-university.toml",
    "kiosk": REPO / "kiosk/examples/kiosk.toml",
    "window": REPO / "window_terminal/examples/window.toml",
    "display": REPO / "display/examples/display.toml",
    "sign": REPO / "display/examples/sign.toml",
    "rating-pad": REPO / "rating_pad/examples/rating-pad.toml",
}
SCREEN_ROLES = {"kiosk", "window", "display", "rating-pad"}


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """A unit file's sections and keys; a key may repeat (Environment=), so values are lists."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return sections


def install(role: str, root: Path, *extra: str) -> None:
    assert (
        main(["install", role, "--device", str(DEVICE_FILES[role]), "--root", str(root), *extra])
        == 0
    )


def test_every_role_has_its_device_file():
    assert (
        set(DEVICE_FILES)
        == set(ROLES)
        == {"broker", "kiosk", "window", "display", "sign", "rating-pad", "web"}
    )
    for path in DEVICE_FILES.values():
        assert path.is_file(), path


@pytest.mark.parametrize("role", list(ROLES))
def test_install_into_root_writes_the_role(role, tmp_path):
    install(role, tmp_path)
    spec = ROLES[role]
    unit_path = tmp_path / f"etc/systemd/system/hallcall-{role}.service"
    unit = parse_unit(unit_path.read_text())
    service = unit["Service"]
    assert service["Type"] == ["notify"]
    assert service["WatchdogSec"] == ["30"]
    assert service["Restart"] == ["on-failure"]
    assert service["User"] == ["hallcall"] and service["Group"] == ["hallcall"]
    assert service.get("SupplementaryGroups", [""]) == [" ".join(spec.groups)]
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["PrivateTmp"] == ["yes"]
    assert "/var/lib/hallcall" in service["ReadWritePaths"]
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    argv = shlex.split(service["ExecStart"][0])
    app = [
        "/opt/hallcall/venv/bin/hallcall",
        spec.command,
        spec.file_option,
        f"/etc/hallcall/{spec.file_name}",
    ]
    if role in SCREEN_ROLES:
        assert argv[:3] == ["/usr/bin/cage", "-d", "--"]
        assert argv[3:7] == app
        assert service["NotifyAccess"] == ["all"]  # the app is cage's child
        assert "QT_QPA_PLATFORM=wayland" in service["Environment"]
        assert "HALLCALL_HIDE_CURSOR=1" in service["Environment"]
        assert service["PAMName"] == ["login"] and service["TTYPath"] == ["/dev/tty1"]
        assert unit["Unit"]["Conflicts"] == ["getty@tty1.service"]
        assert {"video", "render", "input"} <= set(spec.groups)
    else:
        assert "cage" not in service["ExecStart"][0]
        assert argv[:4] == app
        assert service["NotifyAccess"] == ["main"]
    # The device file is a copy, readable by its group only.
    copy = tmp_path / f"etc/hallcall/{spec.file_name}"
    assert copy.read_bytes() == DEVICE_FILES[role].read_bytes()
    assert copy.stat().st_mode & 0o777 == 0o640
    manifest = json.loads((tmp_path / f"etc/hallcall/installed/{role}.json").read_text())
    assert manifest["commands_run"] is False
    commands = [" ".join(c) for c in manifest["commands"]]
    assert any(c.startswith("apt-get install -y --no-install-recommends") for c in commands)
    assert any("useradd --system" in c for c in commands)
    assert any(c.startswith("python3 -m venv /opt/hallcall/venv") for c in commands)
    assert f"systemctl enable hallcall-{role}.service" in commands


def test_the_groups_each_role_needs():
    assert "dialout" in ROLES["kiosk"].groups and "lp" in ROLES["kiosk"].groups  # printers
    assert "gpio" in ROLES["rating-pad"].groups
    assert "audio" in ROLES["display"].groups
    assert ROLES["sign"].groups == ("dialout",)
    assert ROLES["broker"].groups == () and ROLES["web"].groups == ()


def test_each_role_installs_only_its_parts(tmp_path):
    """pip gets the role's parts only: no broker on a kiosk, no Qt part on the broker."""
    pips = {
        role: next(
            c.argv
            for c in make_plan(role, DEVICE_FILES[role], Options()).commands
            if c.argv[0].endswith("/pip")
        )
        for role in ROLES
    }

    def parts(role):
        return {Path(a.split("[")[0]).name for a in pips[role][3:]}

    assert parts("broker") == {"core", "config", "broker"}
    assert parts("kiosk") == {"core", "hardware", "device_kit", "kiosk"}
    assert "broker" not in parts("kiosk") | parts("window") | parts("display") | parts("rating-pad")
    assert f"{REPO}/hardware[printer]" in pips["kiosk"]
    assert f"{REPO}/device_kit[qt]" in pips["kiosk"]
    for role in ROLES:  # every folder named exists, and its pyproject's deps are all in the set
        for arg in pips[role][3:]:
            assert (Path(arg.split("[")[0]) / "pyproject.toml").is_file(), arg
    wheels = make_plan("kiosk", DEVICE_FILES["kiosk"], Options(wheels="/srv/wheels")).commands
    pip = next(c.argv for c in wheels if c.argv[0].endswith("/pip"))
    assert pip[-3:] == ("--find-links", "/srv/wheels", "hallcall-kiosk")


def test_role_parts_are_closed_under_the_parts_dependencies():
    """A role's folder list holds every hallcall-* its parts depend on (else pip would look for
    it on an index and fail)."""
    import tomllib

    folder = {
        tomllib.loads((p / "pyproject.toml").read_text())["project"]["name"]: p.name
        for p in REPO.iterdir()
        if (p / "pyproject.toml").is_file() and p.name != REPO.name
    }
    for role in ROLES.values():
        have = {p.split("[")[0] for p in role.parts}
        for part in have:
            deps = tomllib.loads((REPO / part / "pyproject.toml").read_text())["project"]
            for dep in deps.get("dependencies", []):
                name = dep.split("[")[0].split("=")[0].split(">")[0].strip()
                if name.startswith("hallcall-"):
                    assert folder[name] in have, (role.name, part, name)
        assert folder[role.distribution] in have


def test_broker_role_configures_mosquitto(tmp_path):
    install("broker", tmp_path)
    dropin = (tmp_path / "etc/systemd/system/mosquitto.service.d/hallcall.conf").read_text()
    assert (
        "ExecStart=\nExecStart=/usr/sbin/mosquitto -c /etc/hallcall/mosquitto/mosquitto.conf"
        in dropin
    )
    unit = parse_unit((tmp_path / "etc/systemd/system/hallcall-broker.service").read_text())
    assert unit["Unit"]["Requires"] == ["mosquitto.service"]
    assert "mosquitto.service" in unit["Unit"]["After"][0]
    argv = shlex.split(unit["Service"]["ExecStart"][0])
    assert argv[argv.index("--mqtt-password-file") + 1] == (
        "/etc/hallcall/mosquitto/secrets/queue-broker.password"
    )
    manifest = json.loads((tmp_path / "etc/hallcall/installed/broker.json").read_text())
    assert [
        "/opt/hallcall/venv/bin/hallcall",
        "mqtt-setup",
        "--config",
        "/etc/hallcall/hall.toml",
        "--out",
        "/etc/hallcall/mosquitto",
    ] in manifest["commands"]
    # Found on a clean Debian 12 chroot: Mosquitto reads passwd as the user mosquitto, and the
    # queue broker (user hallcall) must reach its password through secrets/ (mode 0700 root).
    assert ["chmod", "0640", "/etc/hallcall/mosquitto/passwd", "/etc/hallcall/mosquitto/acl"] in (
        manifest["commands"]
    )
    assert ["chgrp", "hallcall", "/etc/hallcall/mosquitto/secrets"] in manifest["commands"]
    assert ["chmod", "0710", "/etc/hallcall/mosquitto/secrets"] in manifest["commands"]
    assert manifest["commands"][0] == ["apt-get", "update", "-q"]


def test_in_a_chroot_systemctl_only_enables(monkeypatch, capsys):
    """No systemd as PID 1 (a chroot, an image being built): enable on the files, start at boot."""
    from hallcall.install import plan

    ran = []
    monkeypatch.setattr(plan, "systemd_running", lambda: False)
    monkeypatch.setattr(plan.subprocess, "run", lambda argv, check: ran.append(argv))
    plan._run(plan.Command(("systemctl", "enable", "hallcall-kiosk.service"), ""))
    plan._run(plan.Command(("systemctl", "restart", "hallcall-kiosk.service"), ""))
    plan._run(plan.Command(("systemctl", "daemon-reload"), ""))
    assert ran == [("systemctl", "--root=/", "enable", "hallcall-kiosk.service")]
    assert capsys.readouterr().out.count("skipped (systemd is not running)") == 2


def test_eglfs_instead_of_cage(tmp_path):
    install("kiosk", tmp_path, "--screen", "eglfs", "--args", "--lang zh")
    service = parse_unit((tmp_path / "etc/systemd/system/hallcall-kiosk.service").read_text())[
        "Service"
    ]
    assert service["ExecStart"][0].startswith("/opt/hallcall/venv/bin/hallcall kiosk")
    assert "QT_QPA_PLATFORM=eglfs" in service["Environment"]
    assert "QT_QPA_EGLFS_HIDECURSOR=1" in service["Environment"]
    assert "PAMName" not in service


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path, capsys):
    install("display", tmp_path, "--dry-run")
    out = capsys.readouterr().out
    assert "apt-get install -y --no-install-recommends" in out and "cage" in out
    assert "write /etc/systemd/system/hallcall-display.service" in out
    assert list(tmp_path.iterdir()) == []


def test_install_without_root_as_a_user_refuses(capsys, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)  # the tests may run as root
    assert main(["install", "kiosk", "--device", str(DEVICE_FILES["kiosk"])]) == 2
    assert "run as root" in capsys.readouterr().err


def test_uninstall_removes_what_install_made_and_keeps_the_data(tmp_path, capsys):
    install("kiosk", tmp_path)
    install("display", tmp_path)
    data = tmp_path / "var/lib/hallcall/hall.db"
    data.parent.mkdir(parents=True)
    data.write_text("data")
    (tmp_path / "opt/hallcall/venv/bin").mkdir(parents=True)

    assert main(["uninstall", "kiosk", "--root", str(tmp_path)]) == 0
    assert not (tmp_path / "etc/systemd/system/hallcall-kiosk.service").exists()
    assert not (tmp_path / "etc/hallcall/kiosk.toml").exists()
    assert not (tmp_path / "etc/hallcall/installed/kiosk.json").exists()
    assert (tmp_path / "etc/systemd/system/hallcall-display.service").exists()
    assert (tmp_path / "opt/hallcall/venv").exists()  # the display still uses it

    assert main(["uninstall", "display", "--root", str(tmp_path)]) == 0
    assert not (tmp_path / "opt/hallcall/venv").exists()
    assert data.read_text() == "data"
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["var/lib/hallcall/hall.db"]
    assert main(["uninstall", "display", "--root", str(tmp_path)]) == 2
    assert "not installed" in capsys.readouterr().err


def _verify(root: Path, unit: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", unit],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _root_for_verify(root: Path) -> None:
    """What verify looks at under --root: the system's units and the commands ExecStart runs."""
    units = Path("/lib/systemd/system")
    (root / "usr/lib/systemd").mkdir(parents=True, exist_ok=True)
    (root / "usr/lib/systemd/system").symlink_to(units)
    stubs = {"/usr/bin/cage", "/opt/hallcall/venv/bin/hallcall", "/usr/sbin/mosquitto"}
    mosquitto = units / "mosquitto.service"
    if mosquitto.exists():  # Debian's unit, verified with the broker's drop-in
        for line in mosquitto.read_text().splitlines():
            if line.startswith("Exec") and "=" in line:
                stubs.add(line.split("=", 1)[1].lstrip("-@+!:").split()[0])
    for stub in stubs:
        path = root / stub.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)


def test_units_pass_systemd_analyze_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.fail(
            "systemd-analyze is not installed here: apt-get install systemd (scripts/setup.sh "
            "--test installs it); the generated units cannot be verified without it"
        )
    _root_for_verify(tmp_path)
    for role in ROLES:
        install(role, tmp_path)
    # verify prints a unit's problems as warnings and still exits 0: stderr must be empty too.
    units = [f"/etc/systemd/system/hallcall-{role}.service" for role in ROLES]
    if (Path("/lib/systemd/system/mosquitto.service")).exists():
        units.append("mosquitto.service")  # with the broker's drop-in
    for unit in units:
        result = _verify(tmp_path, unit)
        assert result.returncode == 0 and result.stderr == "", (unit, result.stderr)


def test_verify_would_catch_a_broken_unit(tmp_path):
    """The check above is not vacuous: a wrong value is reported."""
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is not installed here: apt-get install systemd")
    _root_for_verify(tmp_path)
    text = render_unit(ROLES["kiosk"], Options()).replace("WatchdogSec=30", "WatchdogSec=soon")
    path = tmp_path / "etc/systemd/system/broken.service"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    assert (
        "Failed to parse sec value"
        in _verify(tmp_path, "/etc/systemd/system/broken.service").stderr
    )


def test_docs_show_the_roles_table():
    assert roles_table() in (REPO / "docs/install.md").read_text()
