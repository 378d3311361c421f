"""Benchmarks/run --only attack: reach a device under attack (issue 16, onion-service proof of work).

A private network with one device whose C tor has proof-of-work defenses on (`scripts/testnet up
--devices '' --pow-device`: HiddenServicePoWDefensesEnabled 1, one introduction dequeued per second)
is flooded, for the whole series, by `onionctl-bench flood` (W concurrent INTRODUCE1 cells without
proof of work, each on its own circuit; it follows the service's new introduction points when the time
period changes, and no attempt starts in the minute before a change). Then, alternating which goes
first, each run:

  onionctl   a fresh `onionctl-bench attack` (warm cache): bootstrap, then one request; the time from
             the request to the response, or "not reached" at --attack-limit. It prints the efforts
             it solved at and each solve's time.
  C tor      a fresh C tor client (warm DataDirectory), bootstrapped, then curl --socks5-hostname
             (retried when tor gives up before the limit); the time from the first curl to a 200, or
             "not reached" at --attack-limit.
  (--attack-clients may add onionctl-nopow: onionctl with proof of work turned off.)

Results go to --results (Benchmarks/results/*.json, as the other cases) and a table between the
markers <!-- pow-attack:begin --> and <!-- pow-attack:end --> in docs/performance.md and
Benchmarks/notes.md.
"""

import json
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

BEGIN, END = "<!-- pow-attack:begin -->", "<!-- pow-attack:end -->"
# Written there as well as in --markdown (Benchmarks/run case_render).
ALSO_WRITE = ["Benchmarks/notes.md"]
NAMES = {"onionctl": "onionctl (PoW)", "ctor": "C tor client (curl via SOCKS)",
         "onionctl-nopow": "onionctl, PoW off"}


class Flood:
    """An `onionctl-bench flood` process for the whole series; its stderr count lines are kept."""

    def __init__(self, R, net_dir, onion, seconds, workers, cache):
        self.lines = []
        self.flooding = threading.Event()
        cmd = [str(R.BENCH_BIN), "flood", "--network", str(net_dir / "network"), "--onion", onion,
               "--cache", str(cache), "--seconds", str(int(seconds)), "--workers", str(workers), "--timeout", "120"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True)
        self.result = None
        threading.Thread(target=self._out, daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()

    def _out(self):
        for line in self.proc.stdout:
            line = line.strip()
            if line == "flooding":
                self.flooding.set()
            elif line.startswith("{"):
                self.result = json.loads(line)

    def _err(self):
        for line in self.proc.stderr:
            self.lines.append(line.strip())

    def counts(self):
        """(seconds, acknowledged, failed) of the last count line, or None."""
        for line in reversed(self.lines):
            parts = line.split()
            # "onionctl-bench: flood: 40 s, 1600 introductions acknowledged, 12 failed"
            if len(parts) >= 9 and parts[1] == "flood:" and parts[3] == "s,":
                return int(parts[2]), int(parts[4]), int(parts[7])
        return None

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def o_attempt(R, net_dir, onion, cache, limit, pow_on=True):
    """One onionctl-bench attack process; its result line plus the driver's own timing."""
    cmd = [str(R.BENCH_BIN), "attack", "--network", str(net_dir / "network"), "--onion", onion, "--cache", str(cache),
           "--timeout", str(int(limit)), "--pow", "on" if pow_on else "off"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=limit + 240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    result = next((json.loads(l) for l in out.splitlines() if l.startswith("{")), None)
    if proc.returncode != 0 or result is None:
        raise R.Fail(f"onionctl-bench attack failed ({proc.returncode}): {err.strip()[-600:]}")
    return {"reached": bool(result["reached"]), "seconds": result["seconds"], "efforts": result["efforts"],
            "solve_s": result["solve_s"], "introductions": result["introductions"], "error": result["error"],
            "progress": result["progress"], "peak_rss_kb": result["peak_rss_kb"],
            "cpu_s": result["cpu_user_s"] + result["cpu_sys_s"]}


def c_attempt(R, ctor, onion, limit):
    """A fresh C tor client (warm DataDirectory): bootstrap, then curl until a 200 or the limit."""
    ctor.start(cold=False)
    try:
        ctor.wait_bootstrapped(time.monotonic() + 120)
        t0 = time.monotonic()
        attempts, failures = 0, []
        while True:
            left = limit - (time.monotonic() - t0)
            if left < 1:
                break
            attempts += 1
            code, _, _ = ctor.curl(onion, R.PROBE, max_time=max(1, int(left)))
            if code == 200:
                return {"reached": True, "seconds": time.monotonic() - t0, "attempts": attempts, **ctor.usage()}
            failures.append(f"curl {attempts}: HTTP {code} at {time.monotonic() - t0:.1f} s")
            time.sleep(0.2)
        return {"reached": False, "seconds": time.monotonic() - t0, "attempts": attempts, "error": "; ".join(failures),
                **ctor.usage()}
    finally:
        ctor.stop()


def describe(run):
    if not run["reached"]:
        text = f"not reached within {run['seconds']:.0f} s"
    else:
        text = f"reached in {run['seconds']:.1f} s"
    if run.get("efforts") is not None:
        solves = ", ".join(f"effort {int(e)}" + (f" in {s:.2f} s" if i < len(run["solve_s"]) else "")
                           for i, (e, s) in enumerate(zip(run["efforts"], run["solve_s"] + [0] * len(run["efforts"]))))
        text += f" ({int(run['introductions'])} introduction{'s' if run['introductions'] != 1 else ''}; " + (f"solved {solves}" if solves else "no proof of work") + ")"
    elif "attempts" in run:
        text += f" ({run['attempts']} curl attempt{'s' if run['attempts'] != 1 else ''})"
    return text


def run_series(R, opts):
    """Brings up the network, floods, measures; returns (runs, info) and tears the network down unless --keep."""
    net_dir = Path(opts.net_dir or tempfile.mkdtemp(prefix="onionctl-bench-pow-")).resolve()
    clients = [c for c in opts.attack_clients.split(",") if c]
    if not clients or set(clients) - set(NAMES):
        raise R.Fail(f"--attack-clients takes {','.join(NAMES)}")
    runs = {c: {"attack": []} for c in clients}
    info = {"load_start": R.loadavg()}
    flood = None
    ctor = None
    started = time.monotonic()
    try:
        up = R.bench_network(net_dir, opts, ["--devices", "", "--pow-device"], "a proof-of-work device")
        device = next((d for d in up["devices"] if d.get("pow")), None)
        if device is None:
            raise R.Fail("the network has no proof-of-work device (testnet up --pow-device)")
        onion = device["onion"]
        root = net_dir / "bench-attack"
        root.mkdir(exist_ok=True)
        ctor = R.CTor(net_dir, up, root / "ctor")
        ocache = root / "onionctl-cache"
        # Warm both clients' caches while the device is idle (not measured).
        R.log("priming both clients (device idle)")
        R.run_bench(["warm", "--network", str(net_dir / "network"), "--onion", onion, "--cache", str(ocache),
                     "--path", R.PROBE])
        ctor.start(cold=True)
        try:
            ctor.wait_socks(time.monotonic() + 120)
            ctor.curl_until_ok(onion, R.PROBE, time.monotonic() + 120)
        finally:
            ctor.stop()

        total = opts.attack_runs * len(clients) * (opts.attack_limit + 60) + 120
        R.log(f"flooding with {opts.attack_workers} workers (for at most {total:.0f} s)")
        flood = Flood(R, net_dir, onion, total, opts.attack_workers, root / "flood-cache")
        if not flood.flooding.wait(120):
            raise R.Fail(f"the flood got no introduction through: {flood.lines[-5:]}")
        time.sleep(opts.attack_fill)
        info["flood_start"] = flood.counts()
        # The service's introduction points change with the time period (every few minutes here): the
        # flood follows within seconds, but no attempt starts in the minute before a rotation.
        rotation = R.Rotation(up.get("onion_period_seconds", 240), before=60, after=10)
        for i in range(opts.attack_runs):
            order = clients if i % 2 == 0 else list(reversed(clients))
            for who in order:
                if not flood.alive():
                    raise R.Fail(f"the flood stopped: {flood.lines[-5:]}")
                rotation.wait_clear(0)
                before = flood.counts()
                t = time.monotonic()
                if who == "ctor":
                    run = c_attempt(R, ctor, onion, opts.attack_limit)
                else:
                    run = o_attempt(R, net_dir, onion, ocache, opts.attack_limit, pow_on=(who == "onionctl"))
                after = flood.counts()
                if before and after and after[0] > before[0]:
                    run["flood_acked_per_s"] = (after[1] - before[1]) / (after[0] - before[0])
                run["load"] = R.loadavg()
                runs[who]["attack"].append(run)
                R.log(f"attack run {i + 1}/{opts.attack_runs} {NAMES[who]}: {describe(run)} "
                      f"(flood {run.get('flood_acked_per_s', float('nan')):.0f} acks/s, load {' '.join(run['load'])}, "
                      f"{time.monotonic() - t:.0f} s)")
        info["flood_end"] = flood.counts()
    finally:
        if flood:
            flood.stop()
        R.end_series(ctor, net_dir, opts)
    R.close_series(info, started)
    info["workers"] = opts.attack_workers
    info["limit_s"] = opts.attack_limit
    return runs, info


def table(runs, info):
    clients = [c for c in NAMES if c in runs]
    lines = [f"| Client | reached | time to first success (median of reached) | runs |", "|---|---:|---:|---|"]
    for c in clients:
        rs = runs[c]["attack"]
        ok = [r["seconds"] for r in rs if r["reached"]]
        med = f"{statistics.median(ok):.1f} s" if ok else "—"
        lines.append(f"| {NAMES[c]} | {len(ok)} of {len(rs)} | {med} | " + "; ".join(describe(r) for r in rs) + " |")
    fs, fe = info.get("flood_start"), info.get("flood_end")
    rate = f"{fe[1] / fe[0]:.0f}" if fe and fe[0] > 0 else "?"
    loads = [float(r["load"][0]) for c in clients for r in runs[c]["attack"]]
    extra = "" if clients == ["onionctl", "ctor"] else f" --attack-clients {','.join(clients)}"
    note = (f"Measured {info['date']} with `Benchmarks/run --only attack --attack-runs {len(runs[clients[0]]['attack'])}{extra}` "
            f"({info['workers']} flood workers, ≈ {rate} acknowledged introductions per second over the series; each "
            f"attempt gives up at {info['limit_s']:.0f} s; 1-minute load average {min(loads):.1f}–{max(loads):.1f} during "
            f"the runs, {' '.join(info['load_start'])} at start, on 2 cores shared with other work). "
            f"Raw runs: `{info.get('results', '?')}`.")
    return "\n".join(lines) + "\n\n" + note
