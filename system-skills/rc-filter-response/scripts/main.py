"""First-order RC filter: cutoff frequency and frequency response.

Low-pass  (output across C): H(jw) = 1 / (1 + jwRC)
High-pass (output across R): H(jw) = jwRC / (1 + jwRC)
Standard library only.
"""
import json
import math
import re

DEFAULTS = {
    "resistance": 1000,
    "capacitance": 1e-7,
    "filter_type": "low-pass",
    "frequencies": [10, 100, 1000, 1591.55, 10000, 100000],
}

PREFIX = {"p": 1e-12, "n": 1e-9, "u": 1e-6, "\u00b5": 1e-6, "m": 1e-3, "": 1.0,
          "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9}
_SI = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([pnu\u00b5mkKMG]?)\s*(?:ohms?|\u03a9|r|R|F|Hz|hz)?\s*$")
_RKM = re.compile(r"^\s*([0-9]+)([pnu\u00b5kKMGRr])([0-9]+)\s*$")   # 4k7, 2R2, 4n7


def parse_value(value, name):
    """Accept numbers or strings such as '4.7k', '100n', '4k7', '2R2', '10 uF'."""
    if isinstance(value, bool):
        raise ValueError("%s must be a number" % name)
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str):
        m = _RKM.match(value)
        if m:
            mult = 1.0 if m.group(2) in "Rr" else PREFIX[m.group(2)]
            result = float(m.group(1) + "." + m.group(3)) * mult
        else:
            m = _SI.match(value)
            if not m:
                raise ValueError("cannot parse %s %r (try 4.7k, 100n or 4k7)" % (name, value))
            result = float(m.group(1)) * PREFIX[m.group(2)]
    else:
        raise ValueError("%s must be a number or a string like '4.7k'" % name)
    if not math.isfinite(result) or result <= 0:
        raise ValueError("%s must be a positive, finite value" % name)
    return result


def execute(inputs: dict) -> dict:
    inputs = inputs or {}
    r = parse_value(inputs.get("resistance", DEFAULTS["resistance"]), "resistance")
    c = parse_value(inputs.get("capacitance", DEFAULTS["capacitance"]), "capacitance")
    kind = str(inputs.get("filter_type", DEFAULTS["filter_type"])).strip().lower().replace("_", "-")
    kind = {"lowpass": "low-pass", "lp": "low-pass", "highpass": "high-pass", "hp": "high-pass"}.get(kind, kind)
    if kind not in ("low-pass", "high-pass"):
        raise ValueError("filter_type must be 'low-pass' or 'high-pass'")
    freqs = inputs.get("frequencies", DEFAULTS["frequencies"])
    if isinstance(freqs, (int, float, str)):
        freqs = [freqs]
    if not isinstance(freqs, list) or not freqs:
        raise ValueError("frequencies must be a non-empty list of frequencies in Hz")
    if len(freqs) > 10000:
        raise ValueError("at most 10000 frequencies")
    freqs = [parse_value(f, "frequency") for f in freqs]

    tau = r * c
    fc = 1 / (2 * math.pi * tau)
    rows = []
    for f in freqs:
        x = 2 * math.pi * f * tau          # = f / fc
        h = 1 / complex(1, x) if kind == "low-pass" else complex(0, x) / complex(1, x)
        mag = abs(h)
        rows.append({
            "frequency_hz": f,
            "f_over_fc": round(f / fc, 6),
            "magnitude": round(mag, 6),
            "magnitude_db": round(20 * math.log10(mag), 3) + 0.0,  # avoid -0.0
            "phase_deg": round(math.degrees(math.atan2(h.imag, h.real)), 3),
        })
    slope = "-20" if kind == "low-pass" else "+20"
    summary = ("%s RC filter, R = %g ohm, C = %g F: tau = %.6g s, fc = %.6g Hz. "
               "At fc the gain is -3.01 dB and the phase %s45 deg; far from fc the "
               "slope is %s dB/decade (%s6 dB/octave)."
               % (kind, r, c, tau, fc, "-" if kind == "low-pass" else "+", slope, slope[0]))
    return {
        "cutoff_hz": round(fc, 6),
        "time_constant_s": float("%.12g" % tau),
        "response": rows,
        "summary": summary,
        # Columns of `response` as plain lists, one entry per frequency, for charts.
        "magnitudes_db": [row["magnitude_db"] for row in rows],
        "phases_deg": [row["phase_deg"] for row in rows],
    }


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
