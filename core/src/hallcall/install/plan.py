"""The steps of `hallcall install ROLE`: files to write and commands to run, made before any runs.

A plan is plain data, so `--dry-run` prints it, `--root DIR` writes its files under DIR (and runs
no command: they change this machine, not DIR; they are listed in the manifest instead), and
the tests check every generated file. What install made is recorded in
/etc/hallcall/installed/ROLE.json, which is what `uninstall` removes (never /var/lib/hallcall).
"""

from __future__ import annotations

import json
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from hallcall.install.roles import ROLES, Role

USER = "hallcall"
PREFIX = "/opt/hallcall"
VENV = f"{PREFIX}/venv"
ETC = "/etc/hallcall"
STATE = "/var/lib/hallcall"
UNIT_DIR = "/etc/systemd/system"
MANIFESTS = f"{ETC}/installed"
MOSQUITTO_DIR = f"{ETC}/mosquitto"
MOSQUITTO_DROPIN = f"{UNIT_DIR}/mosquitto.service.d/hallcall.conf"
#: Seconds without a WATCHDOG=1 before systemd restarts the app (the apps ping every few).
WATCHDOG_S = 30
#: The virtual terminal a screen role's session takes (getty's login prompt gives way).
TTY = "tty1"


@dataclass(frozen=True)
class WriteFile:
    path: str
    content: str
    mode: int = 0o644


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    why: str


@dataclass
class Plan:
    role: Role
    files: list[WriteFile] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    #: Commands run after the files are written (enable and start the service).
    after: list[Command] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"hallcall install {self.role.name}: {self.role.summary}"]
        for c in self.commands:
            lines.append(f"  run   {shlex.join(c.argv)}    # {c.why}")
        for f in self.files:
            lines.append(f"  write {f.path} ({oct(f.mode)[2:]})")
        for c in self.after:
            lines.append(f"  run   {shlex.join(c.argv)}    # {c.why}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Options:
    #: Where the wheels are (`pip install --find-links`); without it, the checkout's folders.
    wheels: str | None = None
    source: str | None = None
    #: Wayland `cage` (default) or Qt's own `eglfs` for the screen roles.
    screen: str = "cage"
    #: More arguments for the app's command line (e.g. the web's `--host 0.0.0.0`).
    extra_args: tuple[str, ...] = ()


def unit_name(role: str) -> str:
    return f"hallcall-{role}.service"


def exec_start(role: Role, options: Options) -> str:
    app = [
        f"{VENV}/bin/hallcall",
        role.command,
        role.file_option,
        f"{ETC}/{role.file_name}",
        *role.extra_args,
        *options.extra_args,
    ]
    if role.screen and options.screen == "cage":
        # -d: no client-side decorations; the app is the whole screen, no desktop.
        return shlex.join(["/usr/bin/cage", "-d", "--", *app])
    return shlex.join(app)


def render_unit(role: Role, options: Options) -> str:
    """The systemd unit: notify + watchdog, restarts, an unprivileged user, hardening."""
    after = ["network-online.target"]
    unit = [
        "[Unit]",
        f"Description=HallCall {role.name}: {role.summary}",
        "Documentation=https://github.com/hallcall/hallcall/blob/main/docs/install.md",
        "Wants=network-online.target",
    ]
    if role.name == "broker":
        after.append("mosquitto.service")
        unit.append("Requires=mosquitto.service")
    if role.screen and options.screen == "cage":
        after += ["systemd-user-sessions.service", f"getty@{TTY}.service"]
        unit.append(f"Conflicts=getty@{TTY}.service")
    unit += [f"After={' '.join(after)}", "StartLimitIntervalSec=0", ""]
    cage = role.screen and options.screen == "cage"
    service = [
        "[Service]",
        "Type=notify",
        # Under cage the main process is cage and the app its child: let the child notify.
        f"NotifyAccess={'all' if cage else 'main'}",
        f"ExecStart={exec_start(role, options)}",
        "Restart=on-failure",
        "RestartSec=5",
        f"WatchdogSec={WATCHDOG_S}",
        "TimeoutStartSec=120",
        f"User={USER}",
        f"Group={USER}",
    ]
    if role.groups:
        service.append(f"SupplementaryGroups={' '.join(role.groups)}")
    service += [
        f"WorkingDirectory={STATE}",
        f"Environment=HOME={STATE}",
        "Environment=PYTHONUNBUFFERED=1",
        f"EnvironmentFile=-{ETC}/{role.name}.env",
        "StateDirectory=hallcall",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "ProtectKernelTunables=yes",
        "ProtectControlGroups=yes",
        f"ReadWritePaths={STATE}",
    ]
    if role.screen:
        service += [
            "Environment=HALLCALL_HIDE_CURSOR=1",
            "Environment=QT_QPA_PLATFORM=" + ("wayland" if options.screen == "cage" else "eglfs"),
        ]
        if options.screen == "cage":
            # A login session on the VT gives cage its seat and XDG_RUNTIME_DIR (/run/user/UID).
            service += [
                "PAMName=login",
                f"TTYPath=/dev/{TTY}",
                "TTYReset=yes",
                "TTYVHangup=yes",
                "TTYVTDisallocate=yes",
                "StandardInput=tty-fail",
                "StandardOutput=journal",
                "StandardError=journal",
                f"UtmpIdentifier={TTY}",
                "UtmpMode=user",
                "ReadWritePaths=-/run/user",
            ]
        else:
            service += [
                "Environment=QT_QPA_EGLFS_HIDECURSOR=1",
                "Environment=QT_QPA_EGLFS_ALWAYS_SET_MODE=1",
                f"Environment=XDG_RUNTIME_DIR=/run/{USER}",
                "RuntimeDirectory=hallcall",
                "RuntimeDirectoryMode=0700",
            ]
    return "\n".join([*unit, *service, "", "[Install]", "WantedBy=multi-user.target", ""])


def mosquitto_dropin() -> str:
    """Debian's mosquitto.service, started on the hall's configuration (`hallcall mqtt-setup`)."""
    return (
        "# Written by `hallcall install broker`: Mosquitto runs the hall's configuration.\n"
        "[Service]\n"
        "ExecStart=\n"
        f"ExecStart=/usr/sbin/mosquitto -c {MOSQUITTO_DIR}/mosquitto.conf\n"
    )


def pip_command(role: Role, options: Options) -> tuple[str, ...]:
    pip = (f"{VENV}/bin/pip", "install", "--upgrade")
    if options.wheels:
        return (*pip, "--find-links", options.wheels, role.distribution)
    source = Path(options.source or _checkout())
    if not (source / "core/pyproject.toml").is_file():
        raise ValueError(f"{source} is not a HallCall checkout: give --source DIR or --wheels DIR")
    return (*pip, *(str(source / p.split("[")[0]) + _extras(p) for p in role.parts))


def _extras(part: str) -> str:
    return part[part.index("[") :] if "[" in part else ""


def _checkout() -> str:
    """The checkout this module runs from (core/src/hallcall/install/plan.py)."""
    return str(Path(__file__).resolve().parents[4])


def make_plan(role_name: str, device_file: Path, options: Options) -> Plan:
    role = ROLES[role_name]
    plan = Plan(role)
    cmd = plan.commands.append
    cmd(Command(("apt-get", "update", "-q"), "fresh package lists"))
    cmd(
        Command(
            ("apt-get", "install", "-y", "--no-install-recommends", *role.apt),
            "Debian packages",
        )
    )
    for group in role.groups:
        cmd(Command(("groupadd", "--system", "-f", group), f"group {group} (Pi OS has it)"))
    cmd(
        Command(
            (
                "sh",
                "-c",
                f"id -u {USER} >/dev/null 2>&1 || useradd --system --user-group "
                f"--home-dir {STATE} --no-create-home --shell /usr/sbin/nologin {USER}",
            ),
            "the unprivileged user the app runs as",
        )
    )
    if role.groups:
        cmd(Command(("usermod", "-a", "-G", ",".join(role.groups), USER), "its groups"))
    cmd(Command(("python3", "-m", "venv", VENV), "the venv"))
    cmd(Command(pip_command(role, options), f"only {role.distribution} and what it needs"))

    text = device_file.read_text(encoding="utf-8")
    plan.files.append(WriteFile(f"{ETC}/{role.file_name}", text, 0o640))
    plan.files.append(WriteFile(f"{UNIT_DIR}/{unit_name(role.name)}", render_unit(role, options)))
    if role.name == "broker":
        plan.files.append(WriteFile(MOSQUITTO_DROPIN, mosquitto_dropin()))
    after = plan.after.append
    after(
        Command(("chown", f"root:{USER}", f"{ETC}/{role.file_name}"), "the app may read its file")
    )
    if role.name == "broker":
        after(
            Command(
                (
                    f"{VENV}/bin/hallcall",
                    "mqtt-setup",
                    "--config",
                    f"{ETC}/{role.file_name}",
                    "--out",
                    MOSQUITTO_DIR,
                ),
                "Mosquitto's config, ACL and passwords (kept on a re-run)",
            )
        )
        after(
            Command(
                ("chown", "-R", "mosquitto:mosquitto", f"{MOSQUITTO_DIR}/data"),
                "Mosquitto saves its sessions there",
            )
        )
        after(
            Command(
                ("chgrp", "mosquitto", f"{MOSQUITTO_DIR}/passwd", f"{MOSQUITTO_DIR}/acl"),
                "Mosquitto reads its passwords and ACL",
            )
        )
        after(
            Command(
                ("chmod", "0640", f"{MOSQUITTO_DIR}/passwd", f"{MOSQUITTO_DIR}/acl"),
                "as the user mosquitto (it drops root before reading them)",
            )
        )
        after(
            Command(
                ("chgrp", USER, f"{MOSQUITTO_DIR}/secrets/queue-broker.password"),
                "the queue broker reads its own password",
            )
        )
        after(Command(("chmod", "0640", f"{MOSQUITTO_DIR}/secrets/queue-broker.password"), ""))
        after(
            Command(
                ("chgrp", USER, f"{MOSQUITTO_DIR}/secrets"),
                "the queue broker may reach its password file, not list the others",
            )
        )
        after(Command(("chmod", "0710", f"{MOSQUITTO_DIR}/secrets"), ""))
    after(Command(("systemctl", "daemon-reload"), "systemd reads the new unit"))
    if role.name == "broker":
        after(Command(("systemctl", "enable", "mosquitto.service"), "Mosquitto starts at boot"))
        after(Command(("systemctl", "restart", "mosquitto.service"), "on the hall's config"))
    after(Command(("systemctl", "enable", unit_name(role.name)), "starts at boot"))
    after(Command(("systemctl", "restart", unit_name(role.name)), "starts now"))
    return plan


def _under(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


def systemd_running() -> bool:
    """systemd is PID 1 here (not a chroot or an image being built)."""
    return Path("/run/systemd/system").is_dir()


def _run(command: Command) -> None:
    argv = command.argv
    if argv[0] == "systemctl" and not systemd_running():
        # In a chroot or an image: enabling works on the files alone; the rest waits for boot.
        if argv[1] != "enable":
            print(f"hallcall install: skipped (systemd is not running): {shlex.join(argv)}")
            return
        argv = ("systemctl", "--root=/", *argv[1:])
    print(f"hallcall install: {shlex.join(argv)}", flush=True)
    subprocess.run(argv, check=True)


def install(plan: Plan, root: Path) -> list[str]:
    """Carry the plan out under `root`; commands run only when root is "/". Returns the files."""
    live = root == Path("/")
    if live:
        for c in plan.commands:
            _run(c)
    made: list[str] = []
    for f in plan.files:
        target = _under(root, f.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f.content, encoding="utf-8")
        target.chmod(f.mode)
        made.append(f.path)
    manifest = {
        "role": plan.role.name,
        "files": made,
        "venv": VENV,
        "commands": [list(c.argv) for c in [*plan.commands, *plan.after]],
        "commands_run": live,
    }
    target = _under(root, f"{MANIFESTS}/{plan.role.name}.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if live:
        for c in plan.after:
            _run(c)
    return made


def uninstall(role_name: str, root: Path, dry_run: bool = False) -> list[str]:
    """Stop and disable the role's service and remove what install wrote; the data in
    /var/lib/hallcall and Mosquitto's passwords stay. The venv and the user go with the last
    role. Returns what was (or would be) removed."""
    live = root == Path("/") and not dry_run
    manifest_path = _under(root, f"{MANIFESTS}/{role_name}.json")
    if not manifest_path.exists():
        raise FileNotFoundError(f"{role_name} is not installed here (no {manifest_path})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    unit = unit_name(role_name)
    removed: list[str] = []
    booted = systemd_running()
    if live:
        disable = (
            ("systemctl", "disable", "--now", unit)
            if booted
            else ("systemctl", "--root=/", "disable", unit)
        )
        subprocess.run(disable, check=False)
    for path in [*manifest["files"], f"{MANIFESTS}/{role_name}.json"]:
        target = _under(root, path)
        if target.exists():
            removed.append(path)
            if not dry_run:
                target.unlink()
    others = [p for p in _under(root, MANIFESTS).glob("*.json") if p != manifest_path]
    if not others:
        removed.append(VENV)
        if not dry_run:
            import shutil

            shutil.rmtree(_under(root, VENV), ignore_errors=True)
    if live and booted:
        subprocess.run(("systemctl", "daemon-reload"), check=False)
        if role_name == "broker":
            subprocess.run(("systemctl", "try-restart", "mosquitto.service"), check=False)
    if live and not others:
        subprocess.run(("userdel", USER), check=False)
    return removed
