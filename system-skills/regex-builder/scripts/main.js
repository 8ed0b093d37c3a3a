// Test a JavaScript regular expression against sample strings.
// Plain script: defines a global execute(inputs); no imports, no DOM access.

var REGEX_DEFAULTS = {
  pattern: "^(?<year>\\d{4})-(?<month>0[1-9]|1[0-2])-(?<day>0[1-9]|[12]\\d|3[01])$",
  flags: "",
  samples: ["2024-02-29", "2024-13-01", "24-01-01", "1999-12-31", "2023-02-30"],
  expected: [true, false, false, true, false]
};

var REGEX_MAX_SAMPLE = 10000;
var REGEX_MAX_MATCHES = 100;

// Split a pattern at top-level "|" (outside groups and character classes).
function regexTopLevelAlternatives(src) {
  var parts = [], depth = 0, inClass = false, start = 0;
  for (var i = 0; i < src.length; i++) {
    var c = src[i];
    if (c === "\\") { i++; continue; }
    if (inClass) { if (c === "]") inClass = false; continue; }
    if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) { parts.push(src.slice(start, i)); start = i + 1; }
  }
  parts.push(src.slice(start));
  return parts;
}

function regexWarnings(src, flags) {
  var w = [];
  var alts = regexTopLevelAlternatives(src);
  if (alts.length > 1 && /^\^/.test(src) && /\$$/.test(src)) {
    w.push("Top-level '|' splits the anchors: ^a|b$ means (^a)|(b$). Wrap the alternatives: ^(?:a|b)$.");
  }
  if (/\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/.test(src)) {
    w.push("Nested quantifier such as (a+)+ or (\\w*)*: risk of catastrophic backtracking on non-matching input.");
  }
  if (/\[[^\]]*A-z[^\]]*\]/.test(src)) {
    w.push("[A-z] also matches [ \\ ] ^ _ and backtick; use [A-Za-z].");
  }
  if (!/^\^/.test(src) && !/\$$/.test(src) && !/\\b/.test(src)) {
    w.push("Pattern is unanchored, so it matches substrings. Use ^...$ to validate whole strings.");
  }
  if (/[gy]/.test(flags)) {
    w.push("With the g or y flag, regex.test() remembers lastIndex between calls; reuse of one RegExp object can skip matches.");
  }
  if (/(^|[^\\])\.[*+]/.test(src) && !/s/.test(flags)) {
    w.push("'.*' and '.+' are greedy and do not cross newlines without the s flag; consider a lazy '.*?' or a negated class like [^,]*.");
  }
  return w;
}

function execute(inputs) {
  inputs = inputs || {};
  var get = function (k) { return inputs[k] === undefined || inputs[k] === null ? REGEX_DEFAULTS[k] : inputs[k]; };
  var pattern = get("pattern");
  var flags = get("flags");
  var samples = get("samples");
  var expected = get("expected");
  if (typeof pattern !== "string" || pattern === "") throw new Error("pattern must be a non-empty string");
  if (typeof flags !== "string" || !/^[dgimsuvy]*$/.test(flags)) throw new Error("flags may only contain d, g, i, m, s, u, v, y");
  if (typeof samples === "string") samples = [samples];
  if (!Array.isArray(samples)) throw new Error("samples must be an array of strings");
  if (!Array.isArray(expected)) expected = [];

  var re;
  try {
    re = new RegExp(pattern, flags);
  } catch (e) {
    return {
      valid: false,
      error: String(e.message || e),
      results: [],
      summary: { total: samples.length, matched: 0, expectation_failures: 0 },
      warnings: []
    };
  }
  var globalFlags = flags.indexOf("g") >= 0 ? flags : flags + "g";
  var results = [];
  var matchedCount = 0, failures = 0;
  samples.forEach(function (raw, i) {
    var text = String(raw);
    if (text.length > REGEX_MAX_SAMPLE) throw new Error("sample " + i + " is longer than " + REGEX_MAX_SAMPLE + " characters");
    var started = Date.now();
    var all = [];
    var it = new RegExp(pattern, globalFlags);
    var m;
    while ((m = it.exec(text)) !== null && all.length < REGEX_MAX_MATCHES) {
      all.push({
        match: m[0],
        index: m.index,
        captures: m.slice(1).map(function (g) { return g === undefined ? null : g; }),
        groups: m.groups ? JSON.parse(JSON.stringify(m.groups, function (k, v) { return v === undefined ? null : v; })) : {}
      });
      if (m[0] === "") it.lastIndex++; // step over empty matches
    }
    var matched = all.length > 0;
    if (matched) matchedCount++;
    var entry = { input: text, matched: matched, matches: all, ms: Date.now() - started };
    if (i < expected.length && typeof expected[i] === "boolean") {
      entry.expected = expected[i];
      entry.ok = expected[i] === matched;
      if (!entry.ok) failures++;
    }
    results.push(entry);
  });
  return {
    valid: true,
    error: "",
    results: results,
    summary: { total: samples.length, matched: matchedCount, expectation_failures: failures },
    warnings: regexWarnings(pattern, flags)
  };
}
