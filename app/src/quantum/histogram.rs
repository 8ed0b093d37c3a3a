//! The counts of a run as an accessible SVG bar chart: a `<title>` and a
//! `<desc>` listing every bar, one `<title>` per bar, bitstrings in a
//! monospace font, on its own white background so it reads in light and
//! dark themes alike.

use std::collections::BTreeMap;
use std::fmt::Write;

/// The most bars drawn; past it the most frequent outcomes are shown.
pub const MAX_BARS: usize = 32;

/// An SVG document (UTF-8 text) charting `counts` of `shots` shots.
/// Bars are in bitstring order; with more than [`MAX_BARS`] outcomes, the
/// most frequent [`MAX_BARS`] are drawn and the caption says so.
pub fn histogram_svg(counts: &BTreeMap<String, usize>, shots: usize) -> String {
    let mut shown: Vec<(&String, usize)> = counts.iter().map(|(k, v)| (k, *v)).collect();
    if shown.len() > MAX_BARS {
        shown.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        shown.truncate(MAX_BARS);
        shown.sort_by(|a, b| a.0.cmp(b.0));
    }
    let label_len = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(1);
    let rotate = label_len > 3;
    let (bar, gap, left, top, plot) = (28.0, 10.0, 56.0, 34.0, 180.0);
    let label_room = if rotate { 8.0 + 7.2 * label_len as f64 * 0.8 } else { 22.0 };
    let height = top + plot + label_room + 8.0;
    let max = shown.iter().map(|(_, c)| *c).max().unwrap_or(0).max(1);
    let percent = |c: usize| if shots == 0 { 0.0 } else { 100.0 * c as f64 / shots as f64 };
    let caption = if counts.len() > shown.len() {
        format!("Counts of {shots} shots: the {} most frequent of {} outcomes", shown.len(), counts.len())
    } else {
        format!("Counts of {shots} shots")
    };
    // Wide enough for the bars, and for the caption above them (about 7.5 px a character).
    let width = (left + shown.len().max(1) as f64 * (bar + gap) + gap).max(left + caption.chars().count() as f64 * 7.5);
    let described: Vec<String> = shown.iter().map(|(k, c)| format!("{k}: {c} ({:.1}%)", percent(*c))).collect();
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-labelledby="qh-title qh-desc" font-family="system-ui, sans-serif" font-size="12"><title id="qh-title">{caption}</title><desc id="qh-desc">{}</desc><rect width="100%" height="100%" fill="#ffffff"/><text x="{left}" y="20" fill="#1f2328" font-weight="600">{caption}</text>"##,
        escape(&described.join(", "))
    );
    for tick in [0, max / 2, max] {
        let y = top + plot - plot * tick as f64 / max as f64;
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{:.0}" y1="{y:.1}" y2="{y:.1}" stroke="#d0d7de"/><text x="{:.0}" y="{:.1}" fill="#57606a" text-anchor="end">{tick}</text>"##,
            width - gap,
            left - 6.0,
            y + 4.0
        );
    }
    for (i, (outcome, count)) in shown.iter().enumerate() {
        let x = left + gap + i as f64 * (bar + gap);
        let h = (plot * *count as f64 / max as f64).max(if *count > 0 { 1.0 } else { 0.0 });
        let y = top + plot - h;
        let (lx, ly) = (x + bar / 2.0, top + plot + 14.0);
        let label = if rotate {
            format!(r##"<text x="{lx:.1}" y="{ly:.1}" fill="#1f2328" font-family="ui-monospace, monospace" text-anchor="end" transform="rotate(-60 {lx:.1} {ly:.1})">{}</text>"##, escape(outcome))
        } else {
            format!(r##"<text x="{lx:.1}" y="{ly:.1}" fill="#1f2328" font-family="ui-monospace, monospace" text-anchor="middle">{}</text>"##, escape(outcome))
        };
        let _ = write!(
            svg,
            r##"<g><title>{}: {count} ({:.1}%)</title><rect x="{x:.1}" y="{y:.1}" width="{bar}" height="{h:.1}" fill="#2f6fde"/>{label}</g>"##,
            escape(outcome),
            percent(*count)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
