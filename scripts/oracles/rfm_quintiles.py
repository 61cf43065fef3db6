#!/usr/bin/python3
"""Independent oracle for the RFM quintile scores (packages/engine/src/profiles/rfm-quintiles.ts).

For a few customer sets (random, skewed, tie-heavy, tiny) it writes the customers, numpy's
quantile breakpoints (np.quantile at 0.2/0.4/0.6/0.8, default 'linear' method) and each
customer's expected scores:
  F, M = 1 + number of breakpoints strictly below the value
  R    = 5 - number of breakpoints strictly below the recency (fewer days is better)

Run:  /usr/bin/python3 scripts/oracles/rfm_quintiles.py   (needs numpy: apt-get install python3-numpy)
It rewrites packages/engine/src/profiles/rfm-quintiles.oracle.json, which the engine test reads.
"""
import json
import os

import numpy as np

QUANTILES = [0.2, 0.4, 0.6, 0.8]
rng = np.random.default_rng(20261123)


def money(values):
    return np.round(np.asarray(values, dtype=np.float64), 2)


def case(name, recency, frequency, monetary):
    recency = np.asarray(recency, dtype=np.int64)
    frequency = np.asarray(frequency, dtype=np.int64)
    monetary = np.asarray(monetary, dtype=np.float64)
    assert len(recency) == len(frequency) == len(monetary) > 0
    bp = {
        "recency": np.quantile(recency, QUANTILES),
        "frequency": np.quantile(frequency, QUANTILES),
        "monetary": np.quantile(monetary, QUANTILES),
    }
    r = 5 - (bp["recency"][None, :] < recency[:, None]).sum(axis=1)
    f = 1 + (bp["frequency"][None, :] < frequency[:, None]).sum(axis=1)
    m = 1 + (bp["monetary"][None, :] < monetary[:, None]).sum(axis=1)
    return {
        "name": name,
        "customers": [
            {"recencyDays": int(a), "frequency": int(b), "monetary": float(c)}
            for a, b, c in zip(recency, frequency, monetary)
        ],
        "breakpoints": {k: [float(x) for x in v] for k, v in bp.items()},
        "scores": [{"r": int(a), "f": int(b), "m": int(c)} for a, b, c in zip(r, f, m)],
    }


cases = []

n = 200
cases.append(case(
    "uniform random, 200 customers",
    rng.integers(0, 366, n),
    rng.integers(1, 21, n),
    money(rng.uniform(5, 2000, n)),
))

n = 1000
cases.append(case(
    "skewed (geometric orders, log-normal spend), 1000 customers",
    rng.integers(0, 730, n),
    rng.geometric(0.45, n),
    money(rng.lognormal(4, 1.2, n)),
))

n = 150
cases.append(case(
    "tie-heavy: 70% one order, few distinct recencies and amounts",
    rng.choice([0, 1, 7, 30, 90], n),
    np.where(rng.random(n) < 0.7, 1, rng.integers(2, 5, n)),
    rng.choice([19.99, 49.5, 100.0], n),
))

cases.append(case(
    "seven customers (breakpoints between ranks)",
    [3, 14, 0, 200, 45, 45, 9],
    [1, 2, 1, 6, 3, 1, 2],
    [12.5, 80, 9.99, 1200, 310.25, 40, 80],
))

cases.append(case(
    "two customers",
    [10, 400],
    [5, 1],
    [500.0, 20.0],
))

out = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "packages", "engine", "src", "profiles", "rfm-quintiles.oracle.json",
)
with open(out, "w") as f:
    json.dump({"generatedBy": "scripts/oracles/rfm_quintiles.py", "numpy": np.__version__,
               "cases": cases}, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
