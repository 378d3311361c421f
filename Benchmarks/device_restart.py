"""Benchmarks/run --only restart: the first request after a device reboots (issue 15).

`scripts/testnet up --devices pins:pins` brings up a private network with one device. Each run, the
two clients alternating which goes first, starts from a warm client that has just reached the device
(its descriptor cached, a rendezvous circuit open), then:

  1. the device reboots: `scripts/testnet restart-device pins --down 1 --wait-upload` stops its HTTP
     process and its onion-service tor, starts them again, and returns once every descriptor upload
     of the restarted tor has been answered (its rend.log), i.e. the new descriptor is on its HSDirs;
  2. the next request is timed from that moment to its HTTP 200.

  onionctl   `onionctl-bench restart`: the timed request is one TorClient request (it must find out
             by itself that the cached descriptor is dead); its progress steps are kept.
  C tor      a C tor client process kept running across the reboot, requests by curl through its
             SocksPort; a failed curl is retried at once (as a person or script would), each bounded
             by --restart-limit, and the time runs until the first 200.

Results go to --results and a table between <!-- device-restart:begin --> and
<!-- device-restart:end --> in docs/performance.md.
"""

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

BEGIN, END = "<!-- device-restart:begin -->", "<!-- device-restart:end -->"
DEVICE = "pins"
PATH = "/links"


def reboot(R, net_dir, limit):
    """Reboots the device and waits for its uploads; returns the harness's line about them."""
    out = subprocess.run([str(R.TESTNET), "restart-device", DEVICE, "--dir", str(net_dir), "--down", "1",
                          "--wait-upload", "--upload-timeout", str(int(limit))],
                         capture_output=True, text=True, timeout=limit + 60)
    if out.returncode != 0:
        raise R.Fail(f"restart-device failed:\n{out.stderr[-2000:]}")
    return next((line for line in out.stderr.splitlines() if "descriptor uploads accepted" in line), "").strip()


def o_run(R, net_dir, onion, cache, limit):
    """One onionctl run; returns its record."""
    cmd = [str(R.BENCH_BIN), "restart", "--network", str(net_dir / "network"), "--onion", onion,
           "--path", PATH, "--cache", str(cache), "--timeout", str(int(limit))]
    uploads = ""

    def go(line, proc):
        nonlocal uploads
        if line == "first-response":
            uploads = reboot(R, net_dir, limit)
            proc.stdin.write("go\n")
            proc.stdin.flush()

    result = R.bench_process(cmd, 2 * limit + 400, go)
    return {"seconds": result["seconds"], "reached": True, "steps": result["steps"], "uploads": uploads,
            **R.o_usage(result)}


def c_run(R, ctor, net_dir, onion, limit):
    """One C tor run (the client keeps running across the reboot); returns its record."""
    ctor.start(cold=False)
    try:
        deadline = time.monotonic() + limit
        ctor.wait_socks(deadline)
        ctor.curl_until_ok(onion, PATH, deadline)
        uploads = reboot(R, net_dir, limit)
        t0 = time.monotonic()
        try:
            attempts, _, _ = ctor.curl_until_ok(onion, PATH, t0 + limit)
            seconds, reached = time.monotonic() - t0, True
        except R.Fail:
            attempts, seconds, reached = None, time.monotonic() - t0, False
        usage = ctor.usage()
    finally:
        ctor.stop()
    return {"seconds": seconds, "reached": reached, "attempts": attempts, "uploads": uploads, **usage}


def run_series(R, opts):
    net_dir = Path(opts.net_dir or tempfile.mkdtemp(prefix="onionctl-bench-restart-")).resolve()
    runs = {"onionctl": {"restart": []}, "ctor": {"restart": []}}
    info = {"load_start": R.loadavg()}
    ctor = None
    started = time.monotonic()
    limit = opts.restart_limit
    try:
        up = R.bench_network(net_dir, opts, ["--devices", f"{DEVICE}:pins"], "one device")
        onion = up["devices"][0]["onion"]
        rotation = R.Rotation(up.get("onion_period_seconds", 240))
        root = net_dir / "bench-restart"
        root.mkdir(exist_ok=True)
        ctor = R.CTor(net_dir, up, root / "ctor")
        ocache = root / "onionctl-cache"
        for i in range(opts.runs):
            order = ["onionctl", "ctor"] if i % 2 == 0 else ["ctor", "onionctl"]
            for who in order:
                # A rotation during a run would add a missing descriptor to the restart.
                rotation.wait_clear(90)
                if who == "onionctl":
                    run = o_run(R, net_dir, onion, ocache, limit)
                else:
                    run = c_run(R, ctor, net_dir, onion, limit)
                run["load"] = R.loadavg()
                runs[who]["restart"].append(run)
                outcome = (f"first success {run['seconds']:.1f} s after the uploads" if run["reached"]
                           else f"not reached within {run['seconds']:.0f} s of the uploads")
                R.log(f"restart run {i + 1}/{opts.runs} {who}: {outcome} ({run['uploads']}; load {' '.join(run['load'])})")
    finally:
        R.end_series(ctor, net_dir, opts)
    R.close_series(info, started)
    return runs, info


def cell(runs, pick):
    """A column's value: `pick` over the runs that reached the device, and how many did not."""
    reached = [r["seconds"] for r in runs if r.get("reached", True)]
    missed = len(runs) - len(reached)
    text = f"{pick(reached):.2f} s" if reached else "—"
    return text + (f" ({missed} of {len(runs)} not reached)" if missed else "")


def table(runs, info, limit=None):
    o, c = runs["onionctl"]["restart"], runs["ctor"]["restart"]
    lines = ["| Device restart → first success (from its uploads answered) | onionctl | C tor |",
             "|---|---:|---:|",
             f"| median of the runs that reached it | {cell(o, statistics.median)} | {cell(c, statistics.median)} |",
             f"| slowest | {cell(o, max)} | {cell(c, max)} |"]
    loads = [float(r["load"][0]) for r in o + c]
    bound = max((r["seconds"] for r in c if not r.get("reached", True)), default=None)
    slowest = max(o, key=lambda r: r["seconds"])
    note = (f"Measured {info['date']} with `Benchmarks/run --only restart --runs {len(o)}`: one device (pins), "
            f"rebooted for 1 s under a warm client each run (`scripts/testnet restart-device pins --down 1 "
            f"--wait-upload`), the two clients alternating; 1-minute load average {min(loads):.1f}–{max(loads):.1f} "
            f"on 2 cores. Target (issue 15): ≤ 10 s. "
            + (f"C tor's runs marked not reached had no answer {bound:.0f} s after the uploads. "
               if bound is not None else "")
            + f"onionctl's steps in its slowest run: {slowest['steps']}. Raw runs: `{info.get('results', '?')}`.")
    return "\n".join(lines) + "\n\n" + note
