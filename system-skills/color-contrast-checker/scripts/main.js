// WCAG 2.x contrast ratio checker with an automatic fix suggestion.
// Plain script: defines a global execute(inputs); no imports, no DOM access.

var CONTRAST_DEFAULTS = { foreground: "#8a8f98", background: "#ffffff", target_ratio: 4.5 };

function contrastParse(value, name) {
  var s = String(value).trim().toLowerCase();
  var m;
  if ((m = /^#?([0-9a-f]{3})$/.exec(s))) {
    s = m[1].split("").map(function (c) { return c + c; }).join("");
    return [0, 2, 4].map(function (i) { return parseInt(s.substr(i, 2), 16); });
  }
  if ((m = /^#?([0-9a-f]{6})$/.exec(s))) {
    return [0, 2, 4].map(function (i) { return parseInt(m[1].substr(i, 2), 16); });
  }
  if ((m = /^rgba?\(\s*(\d{1,3})\s*[, ]\s*(\d{1,3})\s*[, ]\s*(\d{1,3})\s*(?:[,/]\s*[\d.]+%?\s*)?\)$/.exec(s))) {
    var rgb = [+m[1], +m[2], +m[3]];
    if (rgb.some(function (v) { return v > 255; })) throw new Error(name + ": rgb components must be 0-255");
    return rgb;
  }
  throw new Error(name + " must be a hex colour (#336699, #369) or rgb(51, 102, 153); got " + JSON.stringify(value));
}

function contrastHex(rgb) {
  return "#" + rgb.map(function (v) { return ("0" + Math.round(v).toString(16)).slice(-2); }).join("");
}

// Relative luminance as defined by WCAG: linearise sRGB, then weight.
function contrastLuminance(rgb) {
  var lin = rgb.map(function (v) {
    var c = v / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

function contrastRatio(a, b) {
  var la = contrastLuminance(a), lb = contrastLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

// Smallest mix of the foreground towards black or white that reaches the target.
function contrastFix(fg, bg, target) {
  var best = null;
  [[0, 0, 0], [255, 255, 255]].forEach(function (pole) {
    if (contrastRatio(pole, bg) < target) return;
    var lo = 0, hi = 1;
    for (var i = 0; i < 40; i++) {
      var mid = (lo + hi) / 2;
      var mixed = fg.map(function (v, k) { return Math.round(v + (pole[k] - v) * mid); });
      if (contrastRatio(mixed, bg) >= target) hi = mid; else lo = mid;
    }
    var result = fg.map(function (v, k) { return Math.round(v + (pole[k] - v) * hi); });
    if (!best || hi < best.amount) best = { amount: hi, rgb: result };
  });
  return best;
}

function execute(inputs) {
  inputs = inputs || {};
  var get = function (k) { return inputs[k] === undefined || inputs[k] === null || inputs[k] === "" ? CONTRAST_DEFAULTS[k] : inputs[k]; };
  var fg = contrastParse(get("foreground"), "foreground");
  var bg = contrastParse(get("background"), "background");
  var target = Number(get("target_ratio"));
  if (!isFinite(target) || target < 1 || target > 21) throw new Error("target_ratio must be between 1 and 21");

  var ratio = contrastRatio(fg, bg);
  var r2 = Math.floor(ratio * 100) / 100; // WCAG does not round up: 4.499 fails 4.5
  var passes = {
    aa_normal_text: ratio >= 4.5,
    aa_large_text: ratio >= 3,
    aaa_normal_text: ratio >= 7,
    aaa_large_text: ratio >= 4.5,
    ui_components: ratio >= 3
  };
  var suggestion = contrastHex(fg);
  var note;
  if (ratio >= target) {
    note = contrastHex(fg) + " on " + contrastHex(bg) + " has contrast " + r2 + ":1 and meets the " + target + ":1 target.";
  } else {
    var fix = contrastFix(fg, bg, target);
    var bgFix = contrastFix(bg, fg, target);
    var pct = function (a) { return a < 0.01 ? "under 1%" : Math.round(a * 100) + "%"; };
    var towards = function (from, to) { return contrastLuminance(to) < contrastLuminance(from) ? "black" : "white"; };
    var shown = function (a, b) { return Math.floor(contrastRatio(a, b) * 100) / 100; };
    note = contrastHex(fg) + " on " + contrastHex(bg) + " has contrast " + r2 + ":1, below " + target + ":1.";
    if (fix) {
      suggestion = contrastHex(fix.rgb);
      note += " Smallest foreground change: " + suggestion + " (" + pct(fix.amount) + " towards " +
        towards(fg, fix.rgb) + ") gives " + shown(fix.rgb, bg) + ":1.";
    }
    if (bgFix) {
      note += " Or keep the foreground and use background " + contrastHex(bgFix.rgb) + " (" +
        pct(bgFix.amount) + " towards " + towards(bg, bgFix.rgb) + ") for " + shown(fg, bgFix.rgb) + ":1.";
    }
    if (!fix && !bgFix) note += " No single-colour adjustment reaches the target; change both colours.";
  }
  return {
    ratio: r2,
    luminance: { foreground: Number(contrastLuminance(fg).toFixed(5)), background: Number(contrastLuminance(bg).toFixed(5)) },
    passes: passes,
    suggestion: suggestion,
    note: note
  };
}
