"""Pick standard-value resistors for a voltage divider (standard library only).

Vout = Vin * R2eff / (R1 + R2eff), where R2eff = R2 || R_load.
"""
import bisect
import json
import math

DEFAULTS = {
    "vin": 12.0,
    "vout": 3.3,
    "series": "E24",
    "load_ohms": 0,
    "min_total_ohms": 1000,
    "max_total_ohms": 100000,
}

BASE = {
    "E6": [1.0, 1.5, 2.2, 3.3, 4.7, 6.8],
    "E12": [1.0, 1.2, 1.5, 1.8, 2.2, 2.7, 3.3, 3.9, 4.7, 5.6, 6.8, 8.2],
    "E24": [1.0, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.7, 3.0,
            3.3, 3.6, 3.9, 4.3, 4.7, 5.1, 5.6, 6.2, 6.8, 7.5, 8.2, 9.1],
    # E48 and E96 follow round(10^(i/N), 2) exactly.
    "E48": [round(10 ** (i / 48), 2) for i in range(48)],
    "E96": [round(10 ** (i / 96), 2) for i in range(96)],
}
TOLERANCE = {"E6": 20, "E12": 10, "E24": 5, "E48": 2, "E96": 1}


def series_values(name, lo=1.0, hi=1e7):
    vals = []
    for exp in range(0, 8):
        for b in BASE[name]:
            v = round(b * 10 ** exp, 6)
            if lo <= v <= hi:
                vals.append(v)
    return vals


def parallel(a, b):
    return a * b / (a + b) if b > 0 else a


def fmt_ohms(v):
    for unit, div in (("M", 1e6), ("k", 1e3)):
        if v >= div:
            return ("%g" % (v / div)) + unit
    return "%g" % v


def get_float(inputs, key):
    val = inputs.get(key, DEFAULTS[key])
    try:
        val = float(val)
    except (TypeError, ValueError):
        raise ValueError("%s must be a number (got %r)" % (key, val))
    if not math.isfinite(val):
        raise ValueError("%s must be finite" % key)
    return val


def execute(inputs: dict) -> dict:
    inputs = inputs or {}
    vin, vout = get_float(inputs, "vin"), get_float(inputs, "vout")
    load = get_float(inputs, "load_ohms")
    lo, hi = get_float(inputs, "min_total_ohms"), get_float(inputs, "max_total_ohms")
    series = str(inputs.get("series", DEFAULTS["series"])).strip().upper()
    if series not in BASE:
        raise ValueError("series must be one of E6, E12, E24, E48, E96")
    if vin == 0 or vout == 0 or (vin > 0) != (vout > 0) or abs(vout) >= abs(vin):
        raise ValueError("need 0 < vout < vin (same sign); a passive divider cannot step up")
    if load < 0:
        raise ValueError("load_ohms must be 0 (no load) or positive")
    if not 0 < lo < hi:
        raise ValueError("need 0 < min_total_ohms < max_total_ohms")

    ratio = vout / vin
    values = series_values(series)
    mid = math.sqrt(lo * hi)
    candidates = []
    for r2 in values:
        r2e = parallel(r2, load)
        ideal_r1 = r2e * (1 / ratio - 1)
        k = bisect.bisect_left(values, ideal_r1)
        for r1 in values[max(0, k - 1):k + 1]:
            total = r1 + r2
            if not lo <= total <= hi:
                continue
            v = vin * r2e / (r1 + r2e)
            # Rank by output error, then by closeness (in log terms) of the total
            # resistance to the middle of the allowed window.
            closeness = abs(math.log(total / mid))
            candidates.append((round(abs(v - vout), 12), closeness, r1, r2, v))
    if not candidates:
        raise ValueError("no pair of %s values fits the total-resistance window" % series)
    candidates.sort()

    def describe(c):
        _, _, r1, r2, v = c
        current = vin / (r1 + r2e_of(r2))
        return {
            "r1_ohms": r1, "r2_ohms": r2,
            "label": "R1 = %s, R2 = %s" % (fmt_ohms(r1), fmt_ohms(r2)),
            "vout": round(v, 5),
            "error_percent": round(100 * (v - vout) / vout, 4),
            "divider_current_ma": round(1000 * current, 5),
            "r1_power_mw": round(1000 * current ** 2 * r1, 4),
            "thevenin_ohms": round(parallel(r1, r2e_of(r2)), 3),
        }

    def r2e_of(r2):
        return parallel(r2, load)

    seen, top = set(), []
    for c in candidates:
        if (c[2], c[3]) not in seen:
            seen.add((c[2], c[3]))
            top.append(describe(c))
        if len(top) == 5:
            break

    # Worst-case output with both parts at the edge of their tolerance band.
    tol = TOLERANCE[series] / 100
    b = top[0]
    r1, r2 = b["r1_ohms"], b["r2_ohms"]
    v_lo = vin * r2e_of(r2 * (1 - tol)) / (r1 * (1 + tol) + r2e_of(r2 * (1 - tol)))
    v_hi = vin * r2e_of(r2 * (1 + tol)) / (r1 * (1 - tol) + r2e_of(r2 * (1 + tol)))
    return {
        "ideal_ratio": round(ratio, 6),
        "best": b,
        "candidates": top,
        "tolerance_range_v": [round(v_lo, 4), round(v_hi, 4)],
    }


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
