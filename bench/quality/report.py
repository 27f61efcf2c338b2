#!/usr/bin/env python3
"""Renders bench/quality results (JSON lines) as the Markdown tables of docs/quality.md."""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pct = lambda v: f"{100 * v:.0f} %"

print("| store / model | ranking | P@1 | MRR | P@1 paraphrase | P@1 lexical | P@1 boundary | best variant @1 | noise rejection (τ) | AUC | recall p50 |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    q = r["retrieval"]
    k = q["by_kind"]
    print(f"| {r['label']} | {r['mode']} | {pct(q['p_at_1'])} ({q['n']}) | {q['mrr']:.3f} | {pct(k['paraphrase']['p_at_1'])} | {pct(k['lexical']['p_at_1'])} | "
          f"{pct(k['boundary']['p_at_1'])} | {pct(q['best_variant_at_1'])} | {pct(q['noise_rejection'])} ({q['noise_tau']}) | {q['separation_auc']:.3f} | {r['recall_p50_ms']} ms |")

print()
names = list(rows[0]["lifecycle"].keys()) if rows else []
if not names:
    sys.exit(0)
print("| store / model | ranking | " + " | ".join(names) + " |")
print("|---|---|" + "---|" * len(names))
for r in rows:
    cells = []
    for n in names:
        by = r["lifecycle"][n]
        cells.append(f"{pct(sum(by.values()) / len(by))} ({'/'.join(f'{100 * by[d]:.0f}' for d in ('easy', 'medium', 'hard'))})")
    print(f"| {r['label']} | {r['mode']} | " + " | ".join(cells) + " |")
