"""A second Docker host on this machine, for tests/hub/test_two_hosts.py: a Docker engine in a
network namespace of its own (own data root, exec root and socket), reached over a veth pair on a
/30 of the benchmarking range 198.18.0.0/15 that the test makes and removes. `ip netns exec` is not
used: it remounts /sys, and the engine then fails with "Devices cgroup isn't mounted"; `nsenter
--net` enters only the network namespace."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
from pathlib import Path

import docker

from tests.support.containers import poll


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {result.stderr.strip()}")
    return result


class SecondEngine:
    """host_address: this machine's end of the veth pair; address: the second engine's end."""

    def __init__(self):
        self.name = "hubnode-" + secrets.token_hex(3)
        # Short paths: the engine's containerd puts sockets under the exec root (108 bytes at most).
        self.state = Path("/tmp") / self.name
        self.state.mkdir()
        self.netns = Path("/var/run/netns") / self.name
        self.veth = self.name.replace("hubnode-", "hn") + "a"
        subnet = 4 * secrets.randbelow(64)
        self.host_address, self.address = f"198.18.29.{subnet + 1}", f"198.18.29.{subnet + 2}"
        self.socket = self.state / "docker.sock"
        self.process: subprocess.Popen | None = None
        try:
            run("ip", "netns", "add", self.name)
            run("ip", "link", "add", self.veth, "type", "veth", "peer", "name", self.veth[:-1] + "b",
                "netns", self.name)
            run("ip", "addr", "add", f"{self.host_address}/30", "dev", self.veth)
            run("ip", "link", "set", self.veth, "up")
            inside = ("ip", "-n", self.name)
            run(*inside, "addr", "add", f"{self.address}/30", "dev", self.veth[:-1] + "b")
            run(*inside, "link", "set", self.veth[:-1] + "b", "up")
            run(*inside, "link", "set", "lo", "up")
            self.start()
        except BaseException:
            self.remove()
            raise

    def start(self) -> None:
        args = ["nsenter", f"--net={self.netns}", "dockerd", "--data-root", str(self.state / "data"),
                "--exec-root", str(self.state / "exec"), "--pidfile", str(self.state / "docker.pid"),
                "-H", f"unix://{self.socket}", "--containerd-namespace", self.name,
                "--containerd-plugins-namespace", self.name + "-plugins",
                # no default bridge: the test's services use the host network (and /sys/class/net
                # here is this machine's, where a docker0 of the same name already is)
                "--bridge", "none",
                # the registry this machine serves on its end of the veth pair, in plain HTTP
                "--insecure-registry", f"{self.host_address}/32"]
        with (self.state / "dockerd.log").open("ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        poll(self._answers, 60, f"the second engine did not answer on {self.socket}")
        self.client = docker.DockerClient(base_url=f"unix://{self.socket}", version="auto", timeout=120)

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"the second engine exited with {self.process.returncode}:\n{self.log_tail()}")
        return docker.APIClient(base_url=f"unix://{self.socket}", version="1.45", timeout=5).ping()

    def log_tail(self, chars: int = 3000) -> str:
        path = self.state / "dockerd.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        """Stop the engine as its host going down would: its containers end with it."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)

    def go_down(self) -> None:
        """The second host goes down: every process in its network namespace -- the engine, its
        containerd and shims, its containers -- killed at once, nothing told to anyone. The
        containers' cgroups (named by their IDs, beside this machine's) are removed after."""
        ids = [container.id for container in self.client.containers.list()]
        inode = self.netns.stat().st_ino

        def all_killed() -> bool:
            left = 0
            for pid in [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]:
                try:
                    if os.stat(f"/proc/{pid}/ns/net").st_ino == inode:
                        os.kill(pid, signal.SIGKILL)
                        left += 1
                except (FileNotFoundError, ProcessLookupError, PermissionError):  # gone, or not ours
                    pass
            return left == 0

        poll(all_killed, 30, "the second host's processes were not all killed")
        self.process.wait(30)
        for cgroup in [c for id_ in ids for c in Path("/sys/fs/cgroup").glob(f"*/docker/{id_}")]:
            poll(lambda: cgroup.rmdir() or True, 30, f"{cgroup} was not removed")

    def remove(self) -> None:
        self.stop()
        # The engine unmounts its layers on the way out; anything left (a killed engine) goes first.
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()
                  if line.split()[1].startswith(str(self.state) + "/")]
        for mount in sorted(mounts, reverse=True):
            subprocess.run(["umount", "-l", mount], capture_output=True, timeout=30)
        subprocess.run(["ip", "link", "del", self.veth], capture_output=True, timeout=30)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, timeout=30)
        shutil.rmtree(self.state, ignore_errors=True)
