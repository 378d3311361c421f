"""Benchmarks/run --only directory: a cold bootstrap from a public-size directory (issue 12).

`scripts/testnet up --devices '' --fake-relays N` brings up the private network and fills its
directory with N relays that do not exist (scripts/scale-relays: real signed descriptors, voted in by
the private authorities), so the consensus and the microdescriptors have the public network's size.
Then, alternating which client goes first, each run starts from an empty cache:

  onionctl   `onionctl-bench bootstrap`: TorClient.bootstrap() (consensus, certificates, every
             microdescriptor), then one 3-hop circuit. "directory" is when bootstrap() returned,
             "ready" when the circuit was built. Bytes: the directory answers as received
             (BootstrapReport.bytesDownloaded: HTTP headers + bodies, compressed as sent).
  C tor      a fresh C tor client: "directory" is `Bootstrapped 75% (enough_dirinfo)`, "ready"
             `Bootstrapped 100% (done)`. Bytes: C tor's own count of directory answers received
             (headers + bodies, compressed), from its heartbeat line "While bootstrapping, fetched
             this many bytes: ..." (HeartbeatPeriod 1 s, allowed under TestingTorNetwork), summed
             over purposes and taken once it is ready.

Both: peak RSS (VmHWM) and CPU seconds of the process, wall time from spawn. Results go to
--results and a table between <!-- directory-scale:begin --> and <!-- directory-scale:end --> in
docs/performance.md.
"""

import json
import re
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

BEGIN, END = "<!-- directory-scale:begin -->", "<!-- directory-scale:end -->"
NAMES = {"onionctl": "onionctl", "ctor": "C tor client"}
FETCHED = re.compile(r"While (not )?bootstrapping, fetched this many bytes: (.*)$")


def o_run(R, net_dir, cache, limit):
    """One onionctl cold bootstrap; returns the run's record."""
    cmd = [str(R.BENCH_BIN), "bootstrap", "--network", str(net_dir / "network"), "--cache", str(cache),
           "--timeout", str(int(limit))]
    t0 = time.monotonic()
    directory = None

    def mark(line, _):
        nonlocal directory
        if line == "bootstrapped" and directory is None:
            directory = time.monotonic() - t0

    result = R.bench_process(cmd, limit + 90, mark)
    ready = time.monotonic() - t0
    return {"directory_s": directory, "ready_s": ready, "bytes": int(result["bytes_downloaded"]),
            "relays": int(result["relays"]), "microdescriptors": int(result["microdescriptors"]),
            "warnings": result.get("warnings", ""), **R.o_usage(result)}


def fetched_bytes(log_text):
    """C tor's directory bytes received so far, from its last heartbeat lines: (total, by purpose)."""
    latest = {}
    for line in log_text.splitlines():
        m = FETCHED.search(line)
        if m:
            latest[bool(m.group(1))] = m.group(2)
    purposes = {}
    for text in latest.values():
        for part in text.split("; "):
            m = re.match(r"(\d+) \((.*)\)", part.strip())
            if m:
                purposes[m.group(2)] = purposes.get(m.group(2), 0) + int(m.group(1))
    return sum(purposes.values()), purposes


def c_run(R, ctor, limit):
    """One C tor cold bootstrap; returns the run's record."""
    t0 = time.monotonic()
    ctor.start(cold=True)
    log_path = ctor.root / "notice.log"
    directory = ready = None
    try:
        deadline = t0 + limit
        while time.monotonic() < deadline and ready is None:
            text = log_path.read_text(errors="replace")
            if directory is None and "Bootstrapped 75%" in text:
                directory = time.monotonic() - t0
            if "Bootstrapped 100%" in text:
                ready = time.monotonic() - t0
            elif ctor.proc.poll() is not None:
                raise R.Fail(f"C tor exited with {ctor.proc.returncode}\n{R.tn.tail(log_path)}")
            else:
                time.sleep(0.01)
        if ready is None:
            raise R.Fail(f"C tor did not bootstrap within {limit:.0f} s\n{R.tn.tail(log_path)}")
        usage = ctor.usage()
        # The next heartbeat (every second) after "Bootstrapped 100%" carries the byte counts.
        mark = len(log_path.read_text(errors="replace"))
        total, purposes = 0, {}
        until = time.monotonic() + 5
        while time.monotonic() < until:
            tail = log_path.read_text(errors="replace")[mark:]
            if "fetched this many bytes" in tail:
                time.sleep(0.05)  # both lines (while / not while bootstrapping) are written together
                total, purposes = fetched_bytes(log_path.read_text(errors="replace"))
                break
            time.sleep(0.05)
    finally:
        ctor.stop()
    if total == 0:
        raise R.Fail("C tor logged no heartbeat with its directory byte counts")
    return {"directory_s": directory, "ready_s": ready, "bytes": total, "purposes": purposes, **usage}


def document_sizes(net_dir):
    """The size of the microdescriptor consensus an authority serves (uncompressed) and its relays."""
    ports = json.loads((net_dir / "ports.json").read_text())
    dirport = next(iter(ports["authorities"].values()))["dirport"]
    sizes = {}
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{dirport}/tor/status-vote/current/consensus-microdesc",
                                    timeout=30) as r:
            body = r.read()
        sizes["consensus_bytes"] = len(body)
        sizes["consensus_relays"] = sum(1 for line in body.split(b"\n") if line.startswith(b"r "))
    except OSError:
        pass
    return sizes


def run_series(R, opts):
    net_dir = Path(opts.net_dir or tempfile.mkdtemp(prefix="onionctl-bench-dir-")).resolve()
    runs = {"onionctl": {"directory": []}, "ctor": {"directory": []}}
    info = {"load_start": R.loadavg(), "fake_relays": opts.fake_relays}
    ctor = None
    started = time.monotonic()
    try:
        t = time.monotonic()
        up = R.bench_network(net_dir, opts, ["--devices", "", "--fake-relays", str(opts.fake_relays)],
                        f"{opts.fake_relays} relays that do not exist", timeout=300 + opts.fake_relays * 0.1)
        if not opts.reuse:
            info["network_up_s"] = time.monotonic() - t
        info.update(document_sizes(net_dir))
        R.log(f"the microdescriptor consensus lists {info.get('consensus_relays', '?')} relays "
              f"({info.get('consensus_bytes', 0) / 1e6:.2f} MB uncompressed)")
        root = net_dir / "bench-directory"
        root.mkdir(exist_ok=True)
        ctor = R.CTor(net_dir, up, root / "ctor")
        ctor.extra_torrc = "HeartbeatPeriod 1 second\n"
        ocache = root / "onionctl-cache"
        limit = opts.directory_limit
        for i in range(opts.runs):
            order = ["onionctl", "ctor"] if i % 2 == 0 else ["ctor", "onionctl"]
            for who in order:
                run = o_run(R, net_dir, ocache, limit) if who == "onionctl" else c_run(R, ctor, limit)
                run["load"] = R.loadavg()
                runs[who]["directory"].append(run)
                R.log(f"directory run {i + 1}/{opts.runs} {NAMES[who]}: directory {run['directory_s']:.1f} s, "
                      f"ready {run['ready_s']:.1f} s, {run['bytes'] / 1e6:.2f} MB, peak RSS "
                      f"{run['peak_rss_kb'] / 1024:.1f} MB, CPU {run['cpu_s']:.1f} s (load {' '.join(run['load'])})")
    finally:
        R.end_series(ctor, net_dir, opts)
    R.close_series(info, started)
    return runs, info


def median(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else float("nan")


def table(runs, info):
    o, c = runs["onionctl"]["directory"], runs["ctor"]["directory"]
    rows = [("Directory usable (onionctl: bootstrap() returned; C tor: 75% enough_dirinfo)", "directory_s", "s", 1),
            ("Ready (first 3-hop circuit; C tor: Bootstrapped 100%)", "ready_s", "s", 1),
            ("Directory bytes received (compressed, headers included)", "bytes", "MB", 1e6),
            ("Peak RSS (VmHWM)", "peak_rss_kb", "MB", 1024),
            ("of which at the end: anonymous (heap, stacks)", "rss_anon_kb", "MB", 1024),
            ("of which at the end: file-backed (program, runtime, libraries)", "rss_file_kb", "MB", 1024),
            ("CPU (user + system)", "cpu_s", "s", 1)]
    lines = ["| Cold bootstrap, median | onionctl | C tor | onionctl / C tor |", "|---|---:|---:|---:|"]
    for label, key, unit, scale in rows:
        ov, cv = median(o, key) / scale, median(c, key) / scale
        lines.append(f"| {label} | {ov:.2f} {unit} | {cv:.2f} {unit} | {ov / cv:.2f} |")
    loads = [float(r["load"][0]) for r in o + c]
    purposes = c[-1].get("purposes", {}) if c else {}
    note = (f"Measured {info['date']} with `Benchmarks/run --only directory --fake-relays {info['fake_relays']} "
            f"--runs {len(o)}`: a consensus of {info.get('consensus_relays', '?')} relays "
            f"({info.get('consensus_bytes', 0) / 1e6:.2f} MB uncompressed), each run from an empty cache, the two "
            f"clients alternating; 1-minute load average {min(loads):.1f}–{max(loads):.1f} on 2 cores. "
            f"onionctl read {', '.join(str(r['microdescriptors']) for r in o)} microdescriptors; C tor's last run by purpose: "
            + "; ".join(f"{k} {v / 1e6:.2f} MB" for k, v in purposes.items())
            + f". Raw runs: `{info.get('results', '?')}`.")
    return "\n".join(lines) + "\n\n" + note
