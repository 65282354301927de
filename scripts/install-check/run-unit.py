"""Play systemd's part for hallcall-broker.service in a chroot: Mosquitto on the hall's config,
then ExecStart= as User= with NOTIFY_SOCKET and WATCHDOG_USEC; READY=1 and WATCHDOG=1 must come.
(Mosquitto listens where mqtt-setup said: 0.0.0.0:1883 of the machine's network.)"""

import os
import shlex
import socket
import subprocess
import time

unit = open("/etc/systemd/system/hallcall-broker.service").read().splitlines()
exec_start = next(x.split("=", 1)[1] for x in unit if x.startswith("ExecStart="))
os.makedirs("/var/lib/hallcall", exist_ok=True)
os.system("chown hallcall:hallcall /var/lib/hallcall")
os.makedirs("/run/mosquitto", exist_ok=True)
os.system("chown mosquitto /run/mosquitto")
os.makedirs("/var/log/mosquitto", exist_ok=True)
os.system("chown mosquitto /var/log/mosquitto")
path = "/run/notify-test.sock"
if os.path.exists(path):
    os.unlink(path)
rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
rx.bind(path)
os.chmod(path, 0o777)
rx.settimeout(1)
mosq = subprocess.Popen(["/usr/sbin/mosquitto", "-c", "/etc/hallcall/mosquitto/mosquitto.conf"])
time.sleep(1)
env = {
    "NOTIFY_SOCKET": path,
    "WATCHDOG_USEC": "30000000",
    "PATH": "/usr/bin:/bin",
    "HOME": "/var/lib/hallcall",
}
app = subprocess.Popen(
    [
        "setpriv",
        "--reuid=hallcall",
        "--regid=hallcall",
        "--init-groups",
        "--",
        *shlex.split(exec_start),
    ],
    env=env,
    cwd="/var/lib/hallcall",
)
got = []
deadline = time.time() + 60
while time.time() < deadline and not (any("READY=1" in m for m in got) and "WATCHDOG=1" in got[-1]):
    try:
        got.append(rx.recv(4096).decode())
        print("notify:", got[-1].replace("\n", " | "), flush=True)
    except TimeoutError:
        pass
    if app.poll() is not None:
        print("app exited", app.returncode)
        break
app.terminate()
print("app rc", app.wait(20))
mosq.terminate()
mosq.wait(10)
ready = [m for m in got if m.startswith("READY=1\nSTATUS=serving ")]
pinged = any(m == "WATCHDOG=1" for m in got[got.index(ready[0]) :]) if ready else False
db = os.path.exists("/var/lib/hallcall/hall.db")
print(f"READY=1 with status: {bool(ready)}, WATCHDOG=1 after it: {pinged}, database: {db}")
raise SystemExit(0 if ready and pinged and db else 1)
