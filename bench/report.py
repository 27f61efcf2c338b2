"""Turns bench/run.sh's JSON lines into the markdown table of docs/performance.md, with the ratios to the floors."""
import json
import os
import platform
import subprocess
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip().startswith("{")]
quick = sys.argv[2] == "1"
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"## Results ({'quick' if quick else 'full'} run)\n")
print(f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, {platform.system()} {platform.release()}\n")
try:
    start_load = open(os.path.join(os.path.dirname(sys.argv[1]), "loadavg-start")).read().strip()
except OSError:
    start_load = "?"
end_load = " ".join(open("/proc/loadavg").read().split()[:3])
print(f"Load average (1/5/15 min): {start_load} at the start, {end_load} at the end (other work shares these cores).\n")

for n in sorted({r["patterns_in_db"] for r in rows}):
    at = [r for r in rows if r["patterns_in_db"] == n]
    floors = next((r for r in at if r["step"] == "floors"), None)
    rss = next((r for r in at if r["step"] == "rss"), None)
    print(f"### {n:,} patterns\n")
    seed = next((r for r in at if r["step"] == "seed"), None)
    size = next((r for r in at if r["step"] == "size"), None)
    if seed:
        real = seed.get("real_vectors", n)
        vectors = "real MiniLM vectors" if real >= n else f"{real:,} real MiniLM vectors, the rest derived with noise"
        build = f", HNSW index built after the COPY in {seed['hnsw_build_seconds']:.0f} s" if "hnsw_build_seconds" in seed else ""
        print(f"Seeded in {seed['total_seconds']:.0f} s ({vectors}{build}).", end=" ")
    if size:
        print(f"Database {size['database_bytes'] / 2**20:,.0f} MB, HNSW (384-d) index {size['hnsw_384_bytes'] / 2**20:,.0f} MB.", end="")
    print("\n")
    if floors:
        recall_floor = floors["embed_p50_ms"] + floors["query_p50_ms"]
        learn_floor = floors["embed_p50_ms"] + floors["insert_p50_ms"]
        print(f"Floors: embed one query p50 {floors['embed_p50_ms']:.2f} ms; direct top-{floors['k']} pgvector query p50 "
              f"{floors['query_p50_ms']:.2f} ms; insert p50 {floors['insert_p50_ms']:.2f} ms; "
              f"embedding ceiling {floors['embed_ceiling_per_s']:.0f} queries/s on {floors['threads']} threads.\n")
    print("| endpoint | C | requests | errors | throughput/s | p50 ms | p95 ms | p99 ms | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in [r for r in at if r["step"] == "load"]:
        ratio = ""
        if floors and r["endpoint"] == "recall" and r["concurrency"] == 1:
            ratio = f"p50 = {r['p50_ms'] / recall_floor:.2f} × floor ({recall_floor:.2f} ms)"
        elif floors and r["endpoint"] == "recall":
            ratio = f"{100 * r['throughput_per_s'] / floors['embed_ceiling_per_s']:.0f} % of ceiling"
        elif floors and r["endpoint"] == "learn":
            ratio = f"p50 = {r['p50_ms'] / learn_floor:.2f} × floor ({learn_floor:.2f} ms)"
        print(f"| {r['endpoint']} | {r['concurrency']} | {r['requests']} | {r['errors']} | {r['throughput_per_s']:.1f} | "
              f"{r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['p99_ms']:.2f} | {ratio} |")
    load = next((r for r in at if r["step"] == "loadavg"), None)
    if rss:
        print(f"\nAPI peak RSS (VmHWM): {rss['peak_rss_mb']} MB" + (f"; load average after this size: {load['loadavg']}" if load else "") + "\n")
