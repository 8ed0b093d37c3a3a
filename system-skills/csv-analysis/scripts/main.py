"""Column-by-column profile of CSV text (standard library only)."""
import csv
import datetime
import io
import json
import math
import re
import statistics
from collections import Counter

DEFAULTS = {
    "csv": (
        "date,region,product,units,unit_price,returned\n"
        "2024-01-03,North,Widget,12,2.50,false\n"
        "2024-01-04,South,Gadget,5,10.00,false\n"
        "2024-01-04,North,Widget,,2.50,true\n"
        "2024-01-05,East,Gizmo,30,1.25,false\n"
        "2024-01-06,South,Widget,7,2.50,NA\n"
        "2024-01-08,North,Gadget,120,9.50,false\n"
    ),
    "delimiter": "auto",
    "top_n": 3,
    "series_columns": [],
}
MISSING = {"", "na", "n/a", "nan", "null", "none", "-", "?"}
TRUE, FALSE = {"true", "yes", "y", "t"}, {"false", "no", "n", "f"}
MAX_CHARS = 5_000_000


def as_int(s):
    t = s.replace("_", "")
    if t.lstrip("+-").isdigit():
        return int(t)
    raise ValueError


def as_float(s):
    v = float(s)
    if not math.isfinite(v):
        raise ValueError
    return v


_COMMA_DECIMAL = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")


def as_float_comma(s):
    """European style: 1.234,5 -> 1234.5 (only tried when the delimiter is not a comma)."""
    if not _COMMA_DECIMAL.fullmatch(s):
        raise ValueError
    return float(s.replace(".", "").replace(",", "."))


def as_bool(s):
    t = s.lower()
    if t in TRUE:
        return True
    if t in FALSE:
        return False
    raise ValueError


def as_date(s):
    """ISO 8601 date or date-time, normalised to a naive UTC datetime for sorting."""
    if len(s) < 8:
        raise ValueError
    if len(s) == 10:
        return datetime.datetime.combine(datetime.date.fromisoformat(s), datetime.time())
    d = datetime.datetime.fromisoformat(s)
    if d.tzinfo is not None:
        d = d.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return d


PARSERS = [("boolean", as_bool), ("integer", as_int), ("number", as_float), ("date", as_date)]


def try_parse(values, fn):
    ok, bad = [], []
    for v in values:
        try:
            ok.append(fn(v))
        except (ValueError, TypeError):
            bad.append(v)
    return ok, bad


def num(x, digits=6):
    return float(round(x, digits)) if isinstance(x, float) else x


def numeric_stats(vals):
    n = len(vals)
    mean = statistics.fmean(vals)
    total = sum(vals) if all(isinstance(v, int) for v in vals) else num(math.fsum(vals))
    out = {"sum": total, "mean": num(mean), "min": min(vals), "max": max(vals)}
    out["std"] = num(statistics.stdev(vals)) if n > 1 else 0.0
    if n >= 2:
        q1, med, q3 = statistics.quantiles(vals, n=4, method="inclusive")
    else:
        q1 = med = q3 = vals[0]
    iqr = q3 - q1
    lo, hi = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    out.update({"q1": num(q1), "median": num(med), "q3": num(q3),
                "outliers": sorted(v for v in vals if v < lo or v > hi)[:10]})
    out["zeros"] = sum(1 for v in vals if v == 0)
    return out


def execute(inputs: dict) -> dict:
    inputs = inputs or {}
    text = inputs.get("csv", DEFAULTS["csv"])
    if not isinstance(text, str) or not text.strip():
        raise ValueError("csv must be non-empty CSV text with a header row")
    if len(text) > MAX_CHARS:
        raise ValueError("csv is larger than %d characters" % MAX_CHARS)
    delim = inputs.get("delimiter", DEFAULTS["delimiter"])
    try:
        top_n = int(inputs.get("top_n", DEFAULTS["top_n"]))
    except (TypeError, ValueError):
        raise ValueError("top_n must be an integer")
    if not 1 <= top_n <= 50:
        raise ValueError("top_n must be between 1 and 50")
    wanted = inputs.get("series_columns") or []
    if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
        raise ValueError("series_columns must be a list of column names")
    text = text.lstrip("\ufeff")  # Excel often prepends a BOM
    warnings = []
    if delim in (None, "", "auto"):
        try:
            delim = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|").delimiter
        except csv.Error:
            delim = ","
    elif delim in ("\\t", "tab"):
        delim = "\t"
    if not isinstance(delim, str) or len(delim) != 1:
        raise ValueError("delimiter must be a single character, 'tab' or 'auto'")

    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ValueError("no rows found")
    header = [h.strip() for h in rows[0]]
    seen = Counter()
    for i, h in enumerate(header):
        name = h or "column_%d" % (i + 1)
        seen[name] += 1
        if seen[name] > 1:
            warnings.append("duplicate header %r renamed to %r" % (name, "%s_%d" % (name, seen[name])))
            name = "%s_%d" % (name, seen[name])
        elif not h:
            warnings.append("blank header in column %d named %r" % (i + 1, name))
        header[i] = name
    body = rows[1:]
    ragged = [i + 1 for i, r in enumerate(body) if len(r) != len(header)]
    if ragged:
        warnings.append("%d row(s) have the wrong number of fields (first at data row %d); padded or truncated"
                        % (len(ragged), ragged[0]))
    if len(header) == 1 and delim == ",":
        warnings.append("only one column found: is the delimiter really a comma?")

    columns = {}
    series, labels = {}, None
    for ci, name in enumerate(header):
        raw = [(r[ci] if ci < len(r) else "").strip() for r in body]
        present = [v for v in raw if v.lower() not in MISSING]
        info = {"type": "empty", "count": len(present), "missing": len(raw) - len(present)}
        if present:
            info["type"] = "string"
            numeric_ok, numeric_bad = 0, []
            parsers = PARSERS + ([("number", as_float_comma)] if delim != "," else [])
            for tname, fn in parsers:
                ok, bad = try_parse(present, fn)
                if not bad:
                    info["type"] = tname
                    if fn is as_float_comma:
                        info["decimal_comma"] = True
                        warnings.append("column %r uses decimal commas; parsed as numbers" % name)
                    break
                if fn is as_float:
                    numeric_ok, numeric_bad = len(ok), bad
            if info["type"] == "string" and numeric_ok >= 0.8 * len(present):
                warnings.append("column %r is %d%% numeric but has text such as %r; treated as string"
                                % (name, round(100 * numeric_ok / len(present)), numeric_bad[0]))
            t = info["type"]
            if t in ("integer", "number"):
                conv = as_int if t == "integer" else (as_float_comma if info.get("decimal_comma") else as_float)
                vals = [conv(v) for v in present]
                series[name] = [conv(v) if v.lower() not in MISSING else None for v in raw]
                info.update(numeric_stats(vals))
                if info["outliers"]:
                    warnings.append("column %r has values outside 1.5 IQR: %s" % (name, info["outliers"][:5]))
            elif t == "boolean":
                vals = [as_bool(v) for v in present]
                info.update({"true": sum(vals), "false": len(vals) - sum(vals),
                             "true_ratio": num(sum(vals) / len(vals), 4)})
            elif t == "date":
                pairs = sorted((as_date(v), v) for v in present)
                info.update({"min": pairs[0][1], "max": pairs[-1][1],
                             "span_days": num((pairs[-1][0] - pairs[0][0]).total_seconds() / 86400, 3)})
            if t in ("string", "date"):
                if labels is None:
                    labels = raw
                counts = Counter(present)
                info["unique"] = len(counts)
                info["top"] = [[v, c] for v, c in counts.most_common(top_n)]
                lengths = [len(v) for v in present]
                if t == "string":
                    info["min_length"], info["max_length"] = min(lengths), max(lengths)
                if info["unique"] == len(present) and len(present) > 1 and t == "string":
                    info["looks_like_id"] = True
            padded = [v for v in raw if v != v.strip()]
            if padded:
                warnings.append("column %r has values with surrounding spaces" % name)
        columns[name] = info
    for w in wanted:
        if w not in columns:
            raise ValueError("series_columns: there is no column %r (columns: %s)" % (w, ", ".join(header)))
        if w not in series:
            raise ValueError("series_columns: column %r is %s, not numeric" % (w, columns[w]["type"]))
    if wanted:
        series = {w: series[w] for w in wanted}
    return {"row_count": len(body), "columns": columns, "warnings": warnings,
            "labels": labels or [], "series": series}


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
