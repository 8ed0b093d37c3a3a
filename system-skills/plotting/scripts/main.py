"""Hand-built SVG line and bar charts (standard library only).

No plotting library: axes, "nice" ticks, grid, legend and marks are written
as SVG elements directly, so the output is small, crisp and dependency-free.
"""
import json
import math
from xml.sax.saxutils import escape

DEFAULTS = {
    "kind": "line",
    "labels": ["Jan", "Feb", "Mar", "Apr", "May", "Jun"],
    "series": {"Revenue": [12.5, 14.1, 13.2, 17.8, 19.4, 21.0], "Costs": [9.8, 10.2, 11.5, 11.1, 12.9, 13.4]},
    "title": "Revenue and costs, H1",
    "y_label": "EUR thousand",
    "width": 640,
    "height": 360,
}
# Okabe-Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def nice_number(x, round_it):
    """Round x to 1, 2, 5 or 10 times a power of ten (Heckbert's method)."""
    exp = math.floor(math.log10(x))
    f = x / 10 ** exp
    if round_it:
        nf = 1 if f < 1.5 else 2 if f < 3 else 5 if f < 7 else 10
    else:
        nf = 1 if f <= 1 else 2 if f <= 2 else 5 if f <= 5 else 10
    return nf * 10 ** exp


def nice_ticks(lo, hi, target=5):
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    span = nice_number(hi - lo, False)
    step = nice_number(span / (target - 1), True)
    start = math.floor(lo / step) * step
    stop = math.ceil(hi / step) * step
    n = int(round((stop - start) / step))
    decimals = max(0, -int(math.floor(math.log10(step))))
    ticks = [round(start + i * step, decimals) for i in range(n + 1)]
    return ticks, decimals


def fmt(v, decimals):
    s = "{:,.{d}f}".format(v, d=decimals)
    return "0" if s in ("-0", "-0.0") else s


def execute(inputs: dict) -> dict:
    inputs = inputs or {}
    kind = str(inputs.get("kind", DEFAULTS["kind"])).strip().lower()
    if kind not in ("line", "bar"):
        raise ValueError("kind must be 'line' or 'bar'")
    series = inputs.get("series", DEFAULTS["series"])
    if isinstance(series, list):
        series = {"Series 1": series}
    if not isinstance(series, dict) or not series:
        raise ValueError("series must be an object mapping names to lists of numbers")
    if len(series) > len(PALETTE):
        raise ValueError("at most %d series" % len(PALETTE))
    clean = {}
    n = None
    for name, vals in series.items():
        if not isinstance(vals, list) or not vals:
            raise ValueError("series %r must be a non-empty list" % name)
        row = []
        for v in vals:
            if v is None:
                row.append(None)
            elif isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError("series %r contains a non-numeric value %r (use null for gaps)" % (name, v))
            else:
                row.append(float(v))
        if n is not None and len(row) != n:
            raise ValueError("all series must have the same length")
        n = len(row)
        clean[str(name)] = row
    labels = inputs.get("labels")
    if labels is None:  # default labels only make sense for data of the same length
        labels = DEFAULTS["labels"] if len(DEFAULTS["labels"]) == n else []
    if not labels:
        labels = [str(i + 1) for i in range(n)]
    if not isinstance(labels, list) or len(labels) != n:
        raise ValueError("labels must be a list with one entry per data point (%d)" % n)
    labels = [str(x) for x in labels]
    try:
        width = int(inputs.get("width", DEFAULTS["width"]))
        height = int(inputs.get("height", DEFAULTS["height"]))
    except (TypeError, ValueError):
        raise ValueError("width and height must be integers")
    if not (200 <= width <= 4000 and 150 <= height <= 4000):
        raise ValueError("width must be 200-4000 and height 150-4000 pixels")
    title = str(inputs.get("title", DEFAULTS["title"]) or "")
    y_label = str(inputs.get("y_label", DEFAULTS["y_label"]) or "")

    values = [v for row in clean.values() for v in row if v is not None]
    if not values:
        raise ValueError("series contain no numbers")
    lo, hi = min(values), max(values)
    if kind == "bar":  # bar length encodes value: the axis must include zero
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    ticks, dec = nice_ticks(lo, hi)
    y0, y1 = ticks[0], ticks[-1]

    multi = len(clean) > 1
    left, right = 64, 16
    top = 40 if title else 16
    top += 22 if multi else 0
    bottom = 44
    pw, ph = width - left - right, height - top - bottom
    if pw < 50 or ph < 50:
        raise ValueError("chart area too small for the margins; increase width or height")

    def ys(v):
        return top + ph - (v - y0) / (y1 - y0) * ph

    band = pw / n

    def xs(i):
        return left + band * (i + 0.5)

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'role="img" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">'
           % (width, height, width, height)]
    out.append("<title>%s</title>" % escape(title or "%s chart" % kind))
    out.append("<desc>%s chart of %s over %d points, y from %s to %s</desc>"
               % (kind.capitalize(), escape(", ".join(clean)), n, fmt(lo, dec), fmt(hi, dec)))
    out.append('<rect width="100%" height="100%" fill="#ffffff"/>')
    if title:
        out.append('<text x="%d" y="24" font-size="16" font-weight="600" fill="#111">%s</text>' % (left, escape(title)))
    # grid and y ticks
    for t in ticks:
        y = ys(t)
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>'
                   % (left, left + pw, y, y, "#888" if t == 0 else "#e5e5e5"))
        out.append('<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle" fill="#444">%s</text>'
                   % (left - 8, y, fmt(t, dec)))
    if y_label:
        out.append('<text transform="translate(14 %.1f) rotate(-90)" text-anchor="middle" fill="#444">%s</text>'
                   % (top + ph / 2, escape(y_label)))
    # x labels, thinned so they do not overlap (about 7 px per character)
    longest = max(len(s) for s in labels)
    every = max(1, math.ceil((longest * 7 + 8) / band))
    for i, lab in enumerate(labels):
        if i % every == 0:
            out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#444">%s</text>'
                       % (xs(i), top + ph + 18, escape(lab)))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#888"/>' % (left, left + pw, top + ph, top + ph))

    names = list(clean)
    if kind == "bar":
        group = band * 0.8
        bw = group / len(names)
        base = ys(max(y0, min(0.0, y1)))
        for si, name in enumerate(names):
            for i, v in enumerate(clean[name]):
                if v is None:
                    continue
                x = xs(i) - group / 2 + si * bw
                y = ys(v)
                out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>'
                           % (x + 1, min(y, base), max(bw - 2, 1), abs(base - y), PALETTE[si],
                              escape(name), escape(labels[i]), "{:,.6g}".format(v)))
    else:
        for si, name in enumerate(names):
            pts, path = [], []
            for i, v in enumerate(clean[name]):
                if v is None:  # a gap breaks the line instead of drawing through it
                    pts = []
                    continue
                cmd = "L" if pts else "M"
                pts.append((xs(i), ys(v)))
                path.append("%s%.1f %.1f" % (cmd, xs(i), ys(v)))
            out.append('<path d="%s" fill="none" stroke="%s" stroke-width="2.5" stroke-linejoin="round"/>'
                       % (" ".join(path), PALETTE[si]))
            for i, v in enumerate(clean[name]):
                if v is not None:
                    out.append('<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s, %s: %s</title></circle>'
                               % (xs(i), ys(v), PALETTE[si], escape(name), escape(labels[i]),
                                  "{:,.6g}".format(v)))
    if multi:
        x = left
        ly = top - 14
        for si, name in enumerate(names):
            out.append('<rect x="%d" y="%d" width="12" height="12" rx="2" fill="%s"/>' % (x, ly - 9, PALETTE[si]))
            out.append('<text x="%d" y="%d" fill="#222">%s</text>' % (x + 16, ly + 1, escape(name)))
            x += 16 + 7 * len(name) + 18
    out.append("</svg>")
    return {"svg": "\n".join(out), "y_ticks": ticks}


if __name__ == "__main__":
    print(json.dumps(execute(DEFAULTS), indent=2))
