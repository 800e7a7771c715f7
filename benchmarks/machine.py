"""What machine a benchmark row was measured on (shared by the benchmarks)."""

import os
import platform


def cpu_name():
    """The CPU's model name from /proc/cpuinfo (else what `platform` says)."""
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        if names:
            return names[0]
    except OSError:
        pass
    return platform.processor() or platform.machine() or "?"


def machine():
    """Cores this process may use, the CPU, the load average, the nice level
    and whether oneDNN was asked for: a row's `machine_start`/`machine_end`."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cores": cores, "cpu": cpu_name(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "nice": os.nice(0), "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS")}
