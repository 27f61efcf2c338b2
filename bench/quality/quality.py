#!/usr/bin/env python3
"""Recall-quality benchmark of a running Engramia service, through its REST API only.

Usage: quality.py --url http://127.0.0.1:PORT --label sqlite/minilm [--modes vector,hybrid] [--out results.jsonl]

Order: the lifecycle scenarios first, each trial on an empty store and cleaned up after itself;
then the corpus (data/domains/*.json, data/boundary.json, stored noise) is learned once and every
query is recalled read-only (no reuse boost, so measuring never changes what is measured).
"""
import argparse
import glob
import json
import os
import random
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
DIFFICULTIES = ("easy", "medium", "hard")
DAY = 86400.0


class Api:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.recall_ms = []

    def call(self, method, path, body=None, ok=(200, 201)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                status, text = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        if status not in ok:
            raise RuntimeError(f"{method} {path} -> {status}: {text[:300]!r}")
        return json.loads(text) if text else None

    def learn(self, task, code, score):
        return self.call("POST", "/v1/learn", {"task": task, "code": code, "eval_score": score, "on_duplicate": "keep_both"})

    def refine(self, key, score, feedback=""):
        return self.call("POST", "/v1/patterns/" + urllib.parse.quote(key, safe="/") + "/refine",
                         {"eval_score": score, "feedback": feedback})

    def recall(self, task, mode, limit=10, **extra):
        body = {"task": task, "limit": limit, "readonly": True, **extra}
        if mode == "hybrid":
            body["hybrid"] = True
        started = time.perf_counter()
        out = self.call("POST", "/v1/recall", body)["matches"]
        self.recall_ms.append((time.perf_counter() - started) * 1000)
        return out

    def keys_by_code(self, task):
        """Keys of the stored patterns with this task, by their code (learn does not return keys)."""
        listed = self.call("GET", "/v1/patterns?limit=1000")["patterns"]
        out = {}
        for p in listed:
            if p["task"] == task:
                detail = self.call("GET", "/v1/patterns/" + urllib.parse.quote(p["pattern_key"], safe="/"))
                out[detail["design"]["code"]] = p["pattern_key"]
        return out

    def delete_all(self):
        while True:
            listed = self.call("GET", "/v1/patterns?limit=1000")["patterns"]
            if not listed:
                return
            for p in listed:
                self.call("DELETE", "/v1/patterns/" + urllib.parse.quote(p["pattern_key"], safe="/"))


def code_text(lines):
    return "\n".join(lines)


# ---------------------------------------------------------------- lifecycle scenarios
# Each returns True when the loop ends where it should. `dedup` is recall's deduplicate flag:
# every variant of one task shares its task text, so with dedup on recall keeps the group member
# with the highest success_score (upstream's rule), and refine evidence cannot reorder the group.

def top_code(api, topic, mode, dedup, **extra):
    matches = api.recall(topic["query"], mode, limit=5, deduplicate=dedup, **extra)
    return matches[0]["pattern"]["code"] if matches else None


def refinement(api, topic, level, rng, mode, dedup):
    """Four approaches, self-assessed noisily at learn; five rounds of noisy evaluations must surface the best."""
    true_q = {"easy": [8.5, 6.5, 4.5, 3.0], "medium": [8.0, 7.0, 6.0, 5.0], "hard": [7.8, 7.2, 6.6, 6.0]}[level]
    sigma = {"easy": 0.8, "medium": 1.2, "hard": 1.5}[level]
    codes = [code_text(a) for a in topic["approaches"]]
    clip = lambda v: round(min(10.0, max(0.0, v)), 2)
    for code, q in zip(codes, true_q):
        api.learn(topic["task"], code, clip(q + rng.gauss(0, 2.0)))
    keys = api.keys_by_code(topic["task"])
    for _ in range(5):
        for code, q in zip(codes, true_q):
            api.refine(keys[code], clip(q + rng.gauss(0, sigma)), "observed run")
    return top_code(api, topic, mode, dedup) == codes[0]


def deprecation(api, topic, level, rng, mode, dedup):
    """A proven pattern starts failing (three failures in a row): the alternative must take over."""
    good, alt = code_text(topic["approaches"][0]), code_text(topic["approaches"][1])
    api.learn(topic["task"], good, 8.5)
    api.learn(topic["task"], alt, 6.5)
    keys = api.keys_by_code(topic["task"])
    for _ in range({"easy": 0, "medium": 2, "hard": 4}[level]):
        api.refine(keys[good], round(rng.uniform(8.0, 9.5), 1), "worked")
    before = top_code(api, topic, mode, dedup) == good
    for _ in range(3):
        api.refine(keys[good], round(rng.uniform(0.5, 2.5), 1), "failed: dependency removed")
    return before and top_code(api, topic, mode, dedup) == alt


def recency(api, topic, level, rng, mode, dedup):
    """An older, better-rated pattern and a fresh one: recency_weight 0 keeps the older, asking for recency crosses over."""
    age_days, weight = {"easy": (120, 1.0), "medium": (60, 0.5), "hard": (30, 0.25)}[level]
    old, new = code_text(topic["approaches"][0]), code_text(topic["approaches"][1])
    now = time.time()
    suffix = "%08x" % rng.getrandbits(32)
    records = [
        {"version": 1, "key": f"patterns/qbold_{suffix}", "data": {"task": topic["task"], "design": {"code": old}, "success_score": 8.5, "reuse_count": 0, "timestamp": now - age_days * DAY}},
        {"version": 1, "key": f"patterns/qbnew_{suffix}", "data": {"task": topic["task"], "design": {"code": new}, "success_score": 7.5, "reuse_count": 0, "timestamp": now}},
    ]
    api.call("POST", "/v1/import", {"records": records})
    api.refine(records[0]["key"], 8.5, "worked")
    api.refine(records[1]["key"], 7.5, "worked")
    still = top_code(api, topic, mode, dedup) == old
    crossed = top_code(api, topic, mode, dedup, recency_weight=weight, recency_half_life_days=30.0) == new
    return still and crossed


def drift(api, topic, level, rng, mode, dedup):
    """The world changes: the established approach starts failing, a new one succeeds; recall must follow."""
    a, b = code_text(topic["approaches"][0]), code_text(topic["approaches"][1])
    api.learn(topic["task"], a, 8.5)
    keys = api.keys_by_code(topic["task"])
    for s in (8.5, 9.0):
        api.refine(keys[a], s, "worked")
    before = top_code(api, topic, mode, dedup) == a
    api.learn(topic["task"], b, 8.0)
    keys = api.keys_by_code(topic["task"])
    for _ in range({"easy": 4, "medium": 3, "hard": 2}[level]):
        api.refine(keys[a], round(rng.uniform(1.0, 3.0), 1), "failed after the upgrade")
        api.refine(keys[b], round(rng.uniform(7.5, 8.5), 1), "worked")
    return before and top_code(api, topic, mode, dedup) == b


def spoofed(api, topic, level, rng, mode, dedup):
    """A pattern learned with a spoofed 10/10 but bad in practice must lose to an honest 7 once observed."""
    bad, honest = code_text(topic["approaches"][3]), code_text(topic["approaches"][0])
    api.learn(topic["task"], bad, 10.0)
    api.learn(topic["task"], honest, 7.0)
    keys = api.keys_by_code(topic["task"])
    for _ in range({"easy": 4, "medium": 2, "hard": 1}[level]):
        api.refine(keys[bad], round(rng.uniform(1.0, 3.0), 1), "did not work")
    api.refine(keys[honest], 7.0, "worked")
    return top_code(api, topic, mode, dedup) == honest


SCENARIOS = [("refinement", refinement), ("deprecation", deprecation), ("recency", recency), ("drift", drift), ("spoofed", spoofed)]


def run_lifecycle(api, mode):
    topics = json.load(open(os.path.join(DATA, "lifecycle.json")))["topics"]
    out = {}
    for name, scenario in SCENARIOS:
        for dedup in (False, True):
            passed = {d: 0 for d in DIFFICULTIES}
            for level in DIFFICULTIES:
                for i, topic in enumerate(topics):
                    api.delete_all()
                    rng = random.Random(f"{name}/{level}/{i}")
                    passed[level] += bool(scenario(api, topic, level, rng, mode, dedup))
            api.delete_all()
            out[f"{name}{'' if not dedup else '+dedup'}"] = {d: passed[d] / len(topics) for d in DIFFICULTIES}
    return out


# ---------------------------------------------------------------- corpus retrieval

def load_corpus():
    tasks = []
    for path in sorted(glob.glob(os.path.join(DATA, "domains", "*.json"))) + [os.path.join(DATA, "boundary.json")]:
        doc = json.load(open(path))
        for t in doc["tasks"]:
            t["domain"] = doc["domain"]
            tasks.append(t)
    noise = json.load(open(os.path.join(DATA, "noise.json")))
    return tasks, noise


def learn_corpus(api, tasks, noise):
    for t in tasks:
        # Weakest first, as an agent improving over time would learn them.
        for v in sorted(t["variants"], key=lambda v: v["score"]):
            api.learn(t["task"], code_text(v["code"]), v["score"])
    for n in noise["stored"]:
        api.learn(n["task"], code_text(n["code"]), n["score"])


def queries(tasks):
    for t in tasks:
        kind = "boundary" if t["domain"] == "boundary" else "paraphrase"
        for q in t["queries"]:
            yield kind, q, t
        for q in t.get("lexical", []):
            yield "lexical", q, t


class Tally:
    """Retrieval figures of one ranking mode."""

    def __init__(self):
        self.per_kind, self.positives, self.noise_top, self.ms = {}, [], [], []

    def query(self, kind, t, matches):
        rank = next((i + 1 for i, m in enumerate(matches) if m["pattern"]["task"] == t["task"]), None)
        best = max(v["score"] for v in t["variants"])
        row = self.per_kind.setdefault(kind, {"n": 0, "p1": 0, "rr": 0.0, "best1": 0})
        row["n"] += 1
        row["p1"] += rank == 1
        row["rr"] += 1.0 / rank if rank else 0.0
        row["best1"] += rank == 1 and abs(matches[0]["pattern"]["success_score"] - best) < 1e-6
        if rank == 1:
            self.positives.append(matches[0]["similarity"])
        return rank

    def result(self):
        total = {k: sum(r[k] for r in self.per_kind.values()) for k in ("n", "p1", "rr", "best1")}
        result = {"by_kind": {k: {"n": r["n"], "p_at_1": r["p1"] / r["n"], "mrr": r["rr"] / r["n"]} for k, r in self.per_kind.items()},
                  "n": total["n"], "p_at_1": total["p1"] / total["n"], "mrr": total["rr"] / total["n"],
                  "best_variant_at_1": total["best1"] / total["n"]}
        # Noise rejection at a threshold set by the model itself: the 5th percentile of the
        # similarities of correct top-1 answers (so 95 % of right answers would survive it).
        positives, noise_top = sorted(self.positives), self.noise_top
        tau = positives[max(0, int(0.05 * len(positives)) - 1)] if positives else 1.0
        result["noise_tau"] = round(tau, 3)
        result["noise_rejection"] = sum(s < tau for s in noise_top) / len(noise_top)
        result["noise_rejection_at_0_5"] = sum(s < 0.5 for s in noise_top) / len(noise_top)
        result["noise_max_similarity"] = round(max(noise_top), 3)
        # Separation: how often a correct top-1 similarity beats a noise top-1 similarity (ROC AUC).
        pairs = [(p > n) + 0.5 * (p == n) for p in positives for n in noise_top]
        result["separation_auc"] = sum(pairs) / len(pairs) if pairs else 0.0
        return result


def run_retrieval(api, tasks, noise, modes):
    """Every query in every mode, the modes interleaved so load on the machine hits them alike."""
    tallies = {mode: Tally() for mode in modes}
    for kind, q, t in queries(tasks):
        for mode in modes:
            api.recall_ms = []
            matches = api.recall(q, mode)
            tallies[mode].ms += api.recall_ms
            rank = tallies[mode].query(kind, t, matches)
            if rank != 1 and os.environ.get("QUALITY_MISSES"):
                got = matches[0]["pattern"]["task"] if matches else None
                print(f"miss [{mode}/{kind}] rank={rank} q={q!r} want={t['id']} got={got!r}", file=sys.stderr)
    for q in noise["queries"]:
        for mode in modes:
            matches = api.recall(q, mode, limit=1)
            tallies[mode].noise_top.append(matches[0]["similarity"] if matches else 0.0)
    return {mode: (tally.result(), statistics.median(tally.ms)) for mode, tally in tallies.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--modes", default="vector")
    ap.add_argument("--out")
    args = ap.parse_args()
    api = Api(args.url)
    modes = args.modes.split(",")
    if api.call("GET", "/v1/patterns?limit=1")["patterns"]:
        sys.exit("quality: the store is not empty; the benchmark needs a fresh one")

    lifecycle = {}
    for mode in modes:
        # QUALITY_SKIP_LIFECYCLE=1: retrieval only, for quick tuning runs.
        lifecycle[mode] = {} if os.environ.get("QUALITY_SKIP_LIFECYCLE") else run_lifecycle(api, mode)
    tasks, noise = load_corpus()
    started = time.perf_counter()
    learn_corpus(api, tasks, noise)
    learn_s = time.perf_counter() - started
    rows = []
    for mode, (retrieval, p50) in run_retrieval(api, tasks, noise, modes).items():
        rows.append({"label": args.label, "mode": mode, "learn_seconds": round(learn_s, 1),
                     "recall_p50_ms": round(p50, 1), "retrieval": retrieval, "lifecycle": lifecycle[mode]})
    for row in rows:
        line = json.dumps(row)
        print(line)
        if args.out:
            with open(args.out, "a") as f:
                f.write(line + "\n")


if __name__ == "__main__":
    main()
