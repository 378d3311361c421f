"""Benchmarks/run --only rotation: devices that publish late after a time-period rotation (issue 15).

A real Minitor device publishes its descriptor for a new time period minutes after the period has
started. `scripts/testnet up --devices late0:thermostat:auth:latepub0,lateD:thermostat:auth:latepubD`
brings up two such devices: their C tor services do not publish by themselves, and the harness's
`publisher` posts only each service's first descriptor, so a period's descriptor reaches the HSDirs
half a period (120 s on this network, whose periods are 240 s) after the period starts, plus D s for
the second device. The previous period's descriptor stays on its HSDirs, and its introduction points
live until the 120-s mark (C tor closes them when it rotates); for the second device nothing leads to
it for D s after that.

Each run watches one rotation: from 20 s before a period starts until 215 s after, each client
polls each device every --rotation-poll s (a poll that is still running is not doubled):

  onionctl   `onionctl get DEVICE` as a fresh process each poll (directory and kept descriptors in
             its cache), as a script polling a device would run it;
  C tor      one C tor client process for the whole series, `curl` through its SocksPort each poll.

Per device and client it records every poll, and reports how long the device was unreachable (each
stretch from a failed poll to the end of the next successful one, added up; 0 when no poll failed)
and how soon after the publisher posted the new descriptor the first successful poll ended. C tor's client on a TestingTorNetwork
asks an HSDir again for a service after 5 s (REND_HID_SERV_DIR_REQUERY_PERIOD_TESTING); on the live
network it waits 15 minutes, so its figures here are better than it would do there.

Results go to --results and a table between <!-- rotation:begin --> and <!-- rotation:end --> in
docs/performance.md.
"""

import json
import os
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

BEGIN, END = "<!-- rotation:begin -->", "<!-- rotation:end -->"
PATH = "/api/v1/thermostat"
PERIOD, PERIOD_START = 240, 120      # this network's period, and where periods start in each run
LEAD, TAIL = 20, 215                 # seconds watched before and after a period starts
POLL_LIMIT = 30                      # each poll's bound


def address_book(R, up, home):
    """A private HOME whose address book lists the devices, client-auth keys imported."""
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), ONIONCTL_CONFIG_DIR=str(home / "config"),
               XDG_CONFIG_HOME=str(home / "config-xdg"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_STATE_HOME=str(home / "state"), ONIONCTL_NETWORK=up["network_file"])
    for dev in up["devices"]:
        for cmd in ([str(R.ONIONCTL_BIN), "add", dev["name"], dev["onion"], "--kind", dev["kind"]],
                    [str(R.ONIONCTL_BIN), "import", dev["auth_private_file"]]):
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
            if out.returncode != 0:
                raise R.Fail(f"{' '.join(cmd[1:3])} failed: {out.stderr[-500:]}")
    return env


def o_poll(R, env, dev):
    out = subprocess.run([str(R.ONIONCTL_BIN), "get", dev["name"]], env=env, capture_output=True, text=True,
                         timeout=POLL_LIMIT + 30)
    return out.returncode == 0, (out.stderr.strip().splitlines() or [""])[-1][:200]


def c_poll(ctor, dev):
    code, _, _ = ctor.curl(dev["onion"], PATH, max_time=POLL_LIMIT)
    return code == 200, f"HTTP {code}"


def watch(R, start, end, poll, pollers):
    """Runs every poller (name -> function returning (ok, detail)) each `poll` s from `start` to `end`
    (Unix times); returns name -> [{"t": start of the poll, "s": seconds, "ok", "detail"}]."""
    records = {name: [] for name in pollers}

    def loop(name, fn):
        slot = start
        while slot < end:
            delay = slot - time.time()
            if delay > 0:
                time.sleep(delay)
            t0 = time.time()
            try:
                ok, detail = fn()
            except subprocess.TimeoutExpired:
                ok, detail = False, "poll timed out"
            records[name].append({"t": round(t0, 2), "s": round(time.time() - t0, 2), "ok": ok, "detail": detail})
            while slot <= time.time():
                slot += poll

    threads = [threading.Thread(target=loop, args=(name, fn), daemon=True) for name, fn in pollers.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=end - time.time() + POLL_LIMIT + 60)
    return records


def posted_at(dev, after, before):
    """When the device's publisher posted a descriptor it had not posted before `after` (the new
    period's; a new revision of the old one keeps its certificate) between `after` and `before`."""
    try:
        events = [json.loads(line) for line in Path(dev["publisher_log"]).read_text().splitlines()]
    except (OSError, ValueError):
        return None
    posted = [e for e in events if e.get("event") == "posted"]
    old = {e.get("cert") for e in posted if e["t"] < after}
    return next((e["t"] for e in posted if after <= e["t"] < before and e.get("cert") not in old), None)


def outage(polls, period_start, posted):
    """How long the device was unreachable in all (each stretch from a failed poll's start to the end
    of the next successful poll; None if the last stretch never ended), the first and last of those
    moments, and how soon after the publication the first successful poll ended."""
    failed = [p for p in polls if not p["ok"]]
    unreachable, start, first_fail, back = 0.0, None, None, None
    for p in polls:
        if not p["ok"] and start is None:
            start = p["t"]
            first_fail = first_fail if first_fail is not None else start
        elif p["ok"] and start is not None:
            back = p["t"] + p["s"]
            unreachable += back - start
            start = None
    if start is not None:
        unreachable = None
    after_post = None
    if posted:
        # A request in flight when the descriptor appears counts (its retry found it: a real answer).
        first_after = next((p for p in polls if p["ok"] and p["t"] + p["s"] >= posted), None)
        if first_after:
            after_post = first_after["t"] + first_after["s"] - posted
    return {"unreachable": unreachable, "after_post": after_post, "failed": len(failed), "polls": len(polls),
            "first_fail": None if first_fail is None else round(first_fail - period_start, 1),
            "back": None if back is None else round(back - period_start, 1)}


def run_series(R, opts):
    net_dir = Path(opts.net_dir or tempfile.mkdtemp(prefix="onionctl-bench-rotation-")).resolve()
    delay = int(opts.rotation_delay)
    spec = f"late0:thermostat:auth:latepub0,late{delay}:thermostat:auth:latepub{delay}"
    runs = {"onionctl": {"rotation": []}, "ctor": {"rotation": []}}
    info = {"load_start": R.loadavg(), "delay": delay, "poll": opts.rotation_poll}
    ctor = None
    started = time.monotonic()
    try:
        up = R.bench_network(net_dir, opts, ["--devices", spec], "two late-publishing devices")
        devices = up["devices"]
        root = net_dir / "bench-rotation"
        env = address_book(R, up, root / "home")
        ctor = R.CTor(net_dir, up, root / "ctor")
        ctor.start(cold=True)
        ctor.wait_bootstrapped(time.monotonic() + 120)
        for i in range(opts.rotation_runs):
            now = time.time()
            period_start = (now // PERIOD) * PERIOD + PERIOD_START
            while period_start - LEAD < now + 2:
                period_start += PERIOD
            pollers = {}
            for dev in devices:
                pollers[("onionctl", dev["name"])] = lambda dev=dev: o_poll(R, env, dev)
                pollers[("ctor", dev["name"])] = lambda dev=dev: c_poll(ctor, dev)
            R.log(f"rotation run {i + 1}/{opts.rotation_runs}: watching the period that starts at "
                  f"{time.strftime('%H:%M:%S', time.gmtime(period_start))} UTC")
            records = watch(R, period_start - LEAD, period_start + TAIL, opts.rotation_poll, pollers)
            for dev in devices:
                posted = posted_at(dev, period_start, period_start + PERIOD)
                for who in ("onionctl", "ctor"):
                    polls = records[(who, dev["name"])]
                    run = {"device": dev["name"], "delay": dev.get("late_publish_delay"),
                           "posted": None if posted is None else round(posted - period_start, 1),
                           **outage(polls, period_start, posted), "load": R.loadavg(),
                           "polls_raw": [dict(p, t=round(p["t"] - period_start, 2)) for p in polls]}
                    runs[who]["rotation"].append(run)
                    R.log(f"  {who:8} {dev['name']:7} posted at +{run['posted']} s: unreachable "
                          f"{'—' if run['unreachable'] is None else format(run['unreachable'], '.1f') + ' s'} "
                          f"(first failure {run['first_fail']}, back {run['back']}), first success "
                          f"{'—' if run['after_post'] is None else format(run['after_post'], '.1f') + ' s'} after "
                          f"the publication; {run['failed']}/{run['polls']} polls failed")
    finally:
        R.end_series(ctor, net_dir, opts)
    R.close_series(info, started)
    return runs, info


def cell(runs, key):
    values = [r[key] for r in runs if r[key] is not None]
    missing = len(runs) - len(values)
    if not values:
        return "— (never)"
    text = f"{statistics.median(values):.1f} s (max {max(values):.1f})"
    return text + (f", {missing} of {len(runs)} never" if missing else "")


def table(runs, info):
    delay = info["delay"]
    lines = ["| Time-period rotation, device publishing late (median of runs, max) | onionctl | C tor |",
             "|---|---:|---:|"]
    for name, what in ((f"late0", "new descriptor 120 s into the period (previous one usable until then)"),
                       (f"late{delay}", f"new descriptor {120 + delay} s into the period (nothing usable for the last {delay} s)")):
        o = [r for r in runs["onionctl"]["rotation"] if r["device"] == name]
        c = [r for r in runs["ctor"]["rotation"] if r["device"] == name]
        lines.append(f"| {what}: unreachable for | {cell(o, 'unreachable')} | {cell(c, 'unreachable')} |")
        lines.append(f"| … first success after the publication | {cell(o, 'after_post')} | {cell(c, 'after_post')} |")
    every = runs["onionctl"]["rotation"] + runs["ctor"]["rotation"]
    loads = [float(r["load"][0]) for r in every] or [0.0]
    n = len(runs["onionctl"]["rotation"]) // 2
    note = (f"Measured {info['date']} with `Benchmarks/run --only rotation --rotation-runs {n} --rotation-delay {delay}`: "
            f"{n} rotations; each client polls each device every {info['poll']:g} s from 20 s before the period starts "
            f"to 215 s after (onionctl: `onionctl get` as a fresh process; C tor: one client process, curl through its "
            f"SocksPort); 1-minute load average {min(loads):.1f}–{max(loads):.1f} on 2 cores. The network's periods "
            f"are 240 s; a live period is 24 h, and a live C tor client asks an HSDir again only after 15 minutes "
            f"(5 s on a testing network). Raw polls: `{info.get('results', '?')}`.")
    return "\n".join(lines) + "\n\n" + note
