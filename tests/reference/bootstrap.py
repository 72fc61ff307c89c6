"""Independent re-implementation of trialstat's bootstrap random stream, for golden_bootstrap.rs.

trialstat's resamples come from its own generator (src/stats/rng.rs): xoshiro256** (Blackman &
Vigna 2018) whose four state words are the first four outputs of SplitMix64 (Steele, Lea & Flood
2014) started at ``seed XOR mix(stream)``; bounded integers by Lemire's (2019) multiply-shift
method with rejection; resample b uses stream b and draws, group by group, n_g indices below(n_g).

This script implements all of that from the published algorithms in plain Python integers (no
numpy, no trialstat code), reads the data sets and seeds from tests/reference/bootstrap_input.json
(but not trialstat's replicates), and writes tests/reference/bootstrap_py.json with
  - raw generator outputs (next_u64, below, next_f64) for a few (seed, stream) pairs,
  - for each data set: t0, the first resamples' indices, the first replicates, the compensated
    sum of all replicates and a few order statistics.
Run from the repository root: python3 tests/reference/bootstrap.py
"""

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from refcommon import read_json, versions, write_json  # noqa: E402

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix64(z):
    """SplitMix64's output function."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Rng:
    def __init__(self, seed, stream):
        sm = (seed ^ mix64(stream)) & MASK
        s = []
        for _ in range(4):
            sm = (sm + GAMMA) & MASK
            s.append(mix64(sm))
        self.s = s

    def next_u64(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        """Lemire (2019): high word of x*n, redrawing while the low word < 2^64 mod n."""
        if n == 0:
            return 0
        m = self.next_u64() * n
        low = m & MASK
        if low < n:
            threshold = (1 << 64) % n
            while low < threshold:
                m = self.next_u64() * n
                low = m & MASK
        return m >> 64

    def next_f64(self):
        return (self.next_u64() >> 11) * 2.0**-53


# Published vectors (reference C code): a sanity check of this transcription itself.
_r = Rng(42, 0)
assert [_r.next_u64() for _ in range(3)] == [1546998764402558742, 6990951692964543102, 12544586762248559009]
_r.s = [1, 2, 3, 4]
assert [_r.next_u64() for _ in range(4)] == [11520, 0, 1509978240, 1215971899390074240]


def left_sum(values):
    s = 0.0
    for v in values:  # left to right, as trialstat's test statistics
        s += v
    return s


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0


def statistic(kind, data, groups):
    if kind == "mean":
        idx = groups[0]
        return left_sum(data["x"][i] for i in idx) / len(idx)
    if kind == "median_diff":
        return median([data["x"][i] for i in groups[0]]) - median([data["y"][i] for i in groups[1]])
    if kind == "ratio_of_means":
        idx = groups[0]
        return left_sum(data["a"][i] for i in idx) / left_sum(data["b"][i] for i in idx)
    raise ValueError(kind)


def main():
    inp = read_json("bootstrap_input.json")

    out = {
        "about": "independent Python transcription of trialstat's RNG and resampling; "
        "see tests/reference/bootstrap.py",
        "versions": versions(),
    }
    pairs = [(20240601, 0), (20240601, 1), (1, 12345), (0, 0), (MASK, MASK), (123456789, 1 << 40)]
    out["next_u64"] = []
    for seed, stream in pairs:
        r = Rng(seed, stream)
        out["next_u64"].append(
            {"seed": str(seed), "stream": str(stream), "values": [str(r.next_u64()) for _ in range(6)]}
        )
    # Bounded draws, including n just above 2^63 where about half of all draws are rejected.
    ns = [1, 2, 3, 7, 10, 25, 1000, 2**32 + 1, 2**63 + 1, 2**63 + 1, 2**63 + 1, 2**63 + 1, MASK, 6, 5]
    r = Rng(7, 3)
    out["below"] = {"seed": 7, "stream": 3, "n": [str(n) for n in ns], "values": [str(r.below(n)) for n in ns]}
    r = Rng(7, 4)
    out["next_f64"] = {"seed": 7, "stream": 4, "values": [r.next_f64() for _ in range(5)]}

    cases = []
    for c in inp["cases"]:
        kind, data, sizes = c["statistic"], c["data"], c["group_sizes"]
        seed, R = c["seed"], c["resamples"]
        t0 = statistic(kind, data, [list(range(n)) for n in sizes])
        reps, first = [], []
        for b in range(R):
            rng = Rng(seed, b)
            groups = [[rng.below(n) for _ in range(n)] for n in sizes]
            if b < 3:
                first.append(groups)
            reps.append(statistic(kind, data, groups))
        srt = sorted(reps)
        ks = sorted({1, 2, max(1, R // 40), R // 2, R - R // 40, R - 1, R})
        cases.append(
            {
                "name": c["name"],
                "t0": t0,
                "first_resamples": first,
                "first_replicates": reps[:20],
                "sum_replicates": math.fsum(reps),
                "order_statistics": [{"k": k, "value": srt[k - 1]} for k in ks],
            }
        )
    out["cases"] = cases
    write_json(out, "bootstrap_py.json")


if __name__ == "__main__":
    sys.exit(main())
