"""Evidence sets for the probe: what each kind of system shows, in the format of a recording.

``this machine`` is the recording the probe made on the course's build machine (a Firecracker micro-VM with
a stray /.dockerenv, 2026-12-03, widgets/labs/recorded/). The others are reconstructed from the formats
these systems document and print (mountinfo lines, cgroup files, DMI strings, kernel releases); the ids and
paths are made up. ``materialise`` writes one as a file tree, so the tests read it through the real readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from widgets.core import data

ID = "3f2a9c" + "0" * 52 + "b1d2e3"  # a 64-hex container id
POD = "7d4e1b2a-9c3f-4e5d-8a6b-0c1d2e3f4a5b"
CPU_VM = "flags\t\t: fpu vme de pse tsc msr sse sse2 hypervisor avx2\n"
CPU_METAL = "flags\t\t: fpu vme de pse tsc msr sse sse2 vmx avx2\n"
IDENTITY = "         0          0 4294967295\n"
V2 = ["/sys/fs/cgroup/cgroup.controllers"]
V2_NESTED = [*V2, "/sys/fs/cgroup/cgroup.type"]


def _mount(n: int, root: str, target: str, fstype: str, source: str, options: str = "rw") -> str:
    return f"{n} 1 0:{n} {root} {target} rw,relatime - {fstype} {source} {options}\n"


def _docker_mounts(store: str = "/var/lib/docker") -> str:
    layers = f"lowerdir={store}/overlay2/l/ZQ2V3S4K5:{store}/overlay2/l/7HH2QX,upperdir={store}/overlay2/{ID}/diff"
    return _mount(1081, "/", "/", "overlay", "overlay", f"rw,{layers},workdir={store}/overlay2/{ID}/work") + "".join(
        _mount(1090 + i, f"{store}/containers/{ID}/{f}", f"/etc/{f}", "ext4", "/dev/nvme0n1p2")
        for i, f in enumerate(("resolv.conf", "hostname", "hosts"))
    )


ENVIRONMENTS: dict[str, dict[str, Any]] = {
    "Docker on cgroup v2": {
        "files": {
            "/proc/cpuinfo": CPU_METAL,
            "/sys/class/dmi/id/sys_vendor": "Dell Inc.\n",
            "/sys/class/dmi/id/product_name": "PowerEdge R650\n",
            "/proc/sys/kernel/osrelease": "6.8.0-49-generic\n",
            "/proc/self/cgroup": "0::/\n",
            "/proc/1/cgroup": "0::/\n",
            "/proc/self/mountinfo": _docker_mounts(),
            "/proc/1/comm": "python3\n",
            "/proc/self/uid_map": IDENTITY,
        },
        "exists": ["/.dockerenv", *V2_NESTED],
    },
    "Docker on cgroup v1": {
        "files": {
            "/proc/cpuinfo": CPU_VM,
            "/sys/class/dmi/id/sys_vendor": "Amazon EC2\n",
            "/sys/class/dmi/id/product_name": "m5.large\n",
            "/proc/sys/kernel/osrelease": "3.10.0-1160.el7.x86_64\n",
            "/proc/self/cgroup": "".join(f"{i}:{c}:/docker/{ID}\n" for i, c in enumerate(("pids", "memory"), 1))
            + f"3:name=systemd:/docker/{ID}\n",
            "/proc/1/cgroup": f"1:pids:/docker/{ID}\n",
            "/proc/self/mountinfo": _docker_mounts(),
            "/proc/self/uid_map": IDENTITY,
        },
        "exists": ["/.dockerenv", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/pids"],
    },
    "Podman rootless": {
        "files": {
            "/proc/cpuinfo": CPU_METAL,
            "/sys/class/dmi/id/sys_vendor": "LENOVO\n",
            "/sys/class/dmi/id/product_name": "21CF\n",
            "/proc/sys/kernel/osrelease": "6.11.4-301.fc41.x86_64\n",
            "/proc/self/cgroup": "0::/\n",
            "/proc/self/mountinfo": _mount(
                500,
                "/",
                "/",
                "overlay",
                "overlay",
                "rw,lowerdir=/home/ana/.local/share/containers/storage/overlay/l/ABC,"
                "upperdir=/home/ana/.local/share/containers/storage/overlay/9f8e/diff",
            )
            + _mount(510, f"/containers/overlay-containers/{ID}/userdata/hostname", "/etc/hostname", "tmpfs", "tmpfs"),
            "/run/.containerenv": "",
            "/proc/1/comm": "bash\n",
            "/proc/self/uid_map": "         0       1000          1\n         1     524288      65536\n",
        },
        "exists": V2_NESTED,
        "environ": {"container": "podman"},
    },
    "a Kubernetes pod": {
        "files": {
            "/proc/cpuinfo": CPU_VM,
            "/sys/class/dmi/id/sys_vendor": "Google\n",
            "/sys/class/dmi/id/product_name": "Google Compute Engine\n",
            "/proc/sys/kernel/osrelease": "6.1.100+\n",
            "/proc/self/cgroup": "0::/\n",
            "/proc/self/mountinfo": _mount(
                700,
                "/",
                "/",
                "overlay",
                "overlay",
                "rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/41/fs",
            )
            + _mount(701, f"/var/lib/kubelet/pods/{POD}/etc-hosts", "/etc/hosts", "ext4", "/dev/sda1")
            + _mount(
                702,
                f"/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/{ID}/hostname",
                "/etc/hostname",
                "ext4",
                "/dev/sda1",
            )
            + _mount(703, "/", "/var/run/secrets/kubernetes.io/serviceaccount", "tmpfs", "tmpfs"),
            "/proc/1/comm": "node\n",
            "/proc/self/uid_map": IDENTITY,
        },
        "exists": V2_NESTED,
        "environ": {"KUBERNETES_SERVICE_HOST": "10.96.0.1"},
    },
    "LXC": {
        "files": {
            "/proc/cpuinfo": CPU_METAL,
            "/sys/class/dmi/id/sys_vendor": "Supermicro\n",
            "/sys/class/dmi/id/product_name": "SYS-1029P-WTR\n",
            "/proc/sys/kernel/osrelease": "6.8.0-49-generic\n",
            "/proc/self/cgroup": "0::/user.slice/user-1000.slice/session-c1.scope\n",
            "/proc/self/mountinfo": _mount(900, "/", "/", "zfs", "default/containers/c1")
            + "".join(
                _mount(910 + i, "/proc/" + f, "/proc/" + f, "fuse.lxcfs", "lxcfs")
                for i, f in enumerate(("cpuinfo", "meminfo"))
            ),
            "/run/systemd/container": "lxc\n",
            "/proc/1/comm": "systemd\n",
            "/proc/self/uid_map": "         0    1000000 1000000000\n",
        },
        "exists": V2_NESTED,
    },
    "WSL2": {
        "files": {
            "/proc/cpuinfo": CPU_VM,
            "/proc/sys/kernel/osrelease": "5.15.153.1-microsoft-standard-WSL2\n",
            "/sys/devices/system/clocksource/clocksource0/available_clocksource": "tsc hyperv_clocksource_tsc_page\n",
            "/sys/devices/system/clocksource/clocksource0/current_clocksource": "tsc\n",
            "/proc/self/cgroup": "0::/\n",
            "/proc/self/mountinfo": _mount(60, "/", "/", "ext4", "/dev/sdc"),
            "/proc/1/comm": "init\n",
            "/proc/self/uid_map": IDENTITY,
        },
        "exists": V2,
    },
    "a KVM guest": {
        "files": {
            "/proc/cpuinfo": CPU_VM,
            "/sys/class/dmi/id/sys_vendor": "QEMU\n",
            "/sys/class/dmi/id/product_name": "Standard PC (Q35 + ICH9, 2009)\n",
            "/sys/class/dmi/id/bios_vendor": "SeaBIOS\n",
            "/sys/devices/system/clocksource/clocksource0/available_clocksource": "kvm-clock tsc acpi_pm\n",
            "/sys/devices/system/clocksource/clocksource0/current_clocksource": "kvm-clock\n",
            "/sys/bus/pci/devices/0000:00:01.0/vendor": "0x8086\n",
            "/sys/bus/pci/devices/0000:00:03.0/vendor": "0x1af4\n",
            "/proc/sys/kernel/osrelease": "6.8.0-49-generic\n",
            "/proc/self/cgroup": "0::/user.slice/user-1000.slice/session-3.scope\n",
            "/proc/self/mountinfo": _mount(28, "/", "/", "ext4", "/dev/vda1"),
            "/proc/1/comm": "systemd\n",
            "/proc/self/uid_map": IDENTITY,
        },
        "exists": V2,
    },
    "bare metal": {
        "files": {
            "/proc/cpuinfo": CPU_METAL,
            "/sys/class/dmi/id/sys_vendor": "LENOVO\n",
            "/sys/class/dmi/id/product_name": "21CF\n",
            "/sys/devices/system/clocksource/clocksource0/available_clocksource": "tsc hpet acpi_pm\n",
            "/sys/devices/system/clocksource/clocksource0/current_clocksource": "tsc\n",
            "/proc/sys/kernel/osrelease": "6.8.0-49-generic\n",
            "/proc/self/cgroup": "0::/user.slice/user-1000.slice/user@1000.service/app.slice\n",
            "/proc/self/mountinfo": _mount(26, "/", "/", "ext4", "/dev/nvme0n1p2"),
            "/proc/1/comm": "systemd\n",
            "/proc/self/uid_map": IDENTITY,
        },
        "exists": V2,
    },
}

#: name -> (kind, words in the hypervisor's name, words in the engine's name)
EXPECTED = {
    "Docker on cgroup v2": ("container", "", "Docker"),
    "Docker on cgroup v1": ("container-in-vm", "Amazon EC2", "Docker"),
    "Podman rootless": ("container", "", "Podman"),
    "a Kubernetes pod": ("container-in-vm", "Google Compute Engine", "Kubernetes (containerd)"),
    "LXC": ("container", "", "LXC"),
    "WSL2": ("vm", "Hyper-V (WSL 2)", ""),
    "a KVM guest": ("vm", "QEMU (KVM)", ""),
    "this machine": ("vm", "Firecracker (KVM)", ""),
    "bare metal": ("bare-metal", "", ""),
}


def this_machine() -> dict[str, Any]:
    """The recording of the course's build machine (Firecracker, a stray /.dockerenv), as shipped."""
    return data.recording("probe_2026-12-03.json")


def evidence_set(name: str) -> dict[str, Any]:
    """One of :data:`EXPECTED`'s evidence sets."""
    return this_machine() if name == "this machine" else ENVIRONMENTS[name]


def materialise(tmp_path: Path, recording: dict[str, Any]) -> Path:
    """Write a recording as a file tree under ``tmp_path`` (files with their text, the rest as empty files)."""
    for rel, text in recording.get("files", {}).items():
        p = tmp_path / rel.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode("latin-1") if rel.startswith("/sys/firmware/") else text.encode())
    paths = [*recording.get("files", {}), *recording.get("exists", ())]
    for rel in recording.get("exists", ()):
        p = tmp_path / rel.lstrip("/")
        if any(q.startswith(rel + "/") for q in paths):  # a directory with recorded contents
            p.mkdir(parents=True, exist_ok=True)
        elif not p.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("")
    return tmp_path
