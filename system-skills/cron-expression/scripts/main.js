// Explain a 5-field cron expression and list its next run times (UTC).
// Plain script: defines a global execute(inputs); no imports, no DOM access.

var CRON_DEFAULTS = { expression: "*/15 9-17 * * MON-FRI", start: "2024-01-05T16:50:00Z", count: 5 };

var CRON_FIELDS = [
  { key: "minute", min: 0, max: 59 },
  { key: "hour", min: 0, max: 23 },
  { key: "day_of_month", min: 1, max: 31 },
  { key: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], base: 1 },
  { key: "day_of_week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], base: 0 }
];
var CRON_MACROS = {
  "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"
};
var CRON_DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
var CRON_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function cronValue(token, f) {
  var up = token.toUpperCase();
  if (f.names && f.names.indexOf(up) >= 0) return f.names.indexOf(up) + f.base;
  if (!/^\d+$/.test(token)) throw new Error("bad value '" + token + "' in " + f.key);
  var n = parseInt(token, 10);
  if (n < f.min || n > f.max) throw new Error(f.key + " value " + n + " outside " + f.min + "-" + f.max);
  return n;
}

function cronField(text, f) {
  var set = {};
  text.split(",").forEach(function (part) {
    if (part === "") throw new Error("empty list item in " + f.key);
    var step = 1, range = part;
    var slash = part.indexOf("/");
    if (slash >= 0) {
      range = part.slice(0, slash);
      if (!/^\d+$/.test(part.slice(slash + 1))) throw new Error("bad step in '" + part + "'");
      step = parseInt(part.slice(slash + 1), 10);
      if (step < 1) throw new Error("step must be at least 1 in '" + part + "'");
    }
    var lo, hi;
    if (range === "*") { lo = f.min; hi = f.max; }
    else if (range.indexOf("-") >= 0) {
      var ends = range.split("-");
      if (ends.length !== 2) throw new Error("bad range '" + range + "' in " + f.key);
      lo = cronValue(ends[0], f); hi = cronValue(ends[1], f);
      if (f.key === "day_of_week" && hi === 0 && lo > 0) hi = 7; // MON-SUN
      if (lo > hi) throw new Error("range " + range + " runs backwards in " + f.key);
    } else {
      lo = cronValue(range, f);
      hi = slash >= 0 ? f.max : lo; // "5/15" means 5, 20, 35, 50
    }
    for (var v = lo; v <= hi; v += step) set[v] = true;
  });
  if (f.key === "day_of_week" && set[7]) { set[0] = true; delete set[7]; }
  return Object.keys(set).map(Number).sort(function (a, b) { return a - b; });
}

function cronList(values, f, namer) {
  // Compress consecutive runs: [1,2,3,5] -> "1-3, 5"
  var out = [], i = 0;
  while (i < values.length) {
    var j = i;
    while (j + 1 < values.length && values[j + 1] === values[j] + 1) j++;
    var a = namer ? namer(values[i]) : String(values[i]);
    var b = namer ? namer(values[j]) : String(values[j]);
    out.push(j - i >= 2 ? a + " to " + b : (j > i ? a + ", " + b : a));
    i = j + 1;
  }
  return out.join(", ");
}

function cronHourRanges(hours, pad) {
  // [9,10,11,17] -> "09:00-11:59, 17:00-17:59"
  var out = [], i = 0;
  while (i < hours.length) {
    var j = i;
    while (j + 1 < hours.length && hours[j + 1] === hours[j] + 1) j++;
    out.push(pad(hours[i]) + ":00-" + pad(hours[j]) + ":59");
    i = j + 1;
  }
  return out.join(", ");
}

function cronDescribe(raw, sets) {
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var parts = [];
  var m = raw[0], h = raw[1];
  var stepM = /^\*\/(\d+)$/.exec(m);
  if (m === "*") parts.push("every minute");
  else if (stepM) parts.push("every " + stepM[1] + " minutes");
  else if (sets[0].length === 1 && sets[1].length <= 3 && h !== "*") {
    parts.push("at " + sets[1].map(function (x) { return pad(x) + ":" + pad(sets[0][0]); }).join(", "));
  } else parts.push("at minute " + cronList(sets[0]));
  if (!(sets[0].length === 1 && sets[1].length <= 3 && h !== "*" && !stepM && m !== "*")) {
    if (h === "*") { if (m !== "*" && !stepM) parts.push("of every hour"); }
    else if (/^\*\/\d+$/.test(h)) parts.push("every " + h.slice(2) + " hours");
    else parts.push("during " + cronHourRanges(sets[1], pad));
  }
  var domR = raw[2] !== "*", dowR = raw[4] !== "*";
  var dom = "on day " + cronList(sets[2]) + " of the month";
  var dow = "on " + cronList(sets[4], null, function (x) { return CRON_DAY_NAMES[x]; });
  if (domR && dowR) parts.push(dom + " OR " + dow);
  else if (domR) parts.push(dom);
  else if (dowR) parts.push(dow);
  if (raw[3] !== "*") parts.push("in " + cronList(sets[3], null, function (x) { return CRON_MONTH_NAMES[x - 1]; }));
  var s = parts.join(" ");
  return s.charAt(0).toUpperCase() + s.slice(1) + " (UTC).";
}

function execute(inputs) {
  inputs = inputs || {};
  var get = function (k) { return inputs[k] === undefined || inputs[k] === null || inputs[k] === "" ? CRON_DEFAULTS[k] : inputs[k]; };
  var expr = String(get("expression")).trim();
  var count = Number(get("count"));
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new Error("count must be an integer from 1 to 100");
  var start = new Date(String(get("start")));
  if (isNaN(start.getTime())) throw new Error("start must be an ISO 8601 date-time such as 2024-01-05T16:50:00Z");
  var warnings = [];
  if (expr.charAt(0) === "@") {
    if (expr === "@reboot") throw new Error("@reboot runs at start-up, not on a schedule");
    if (!CRON_MACROS[expr]) throw new Error("unknown macro " + expr);
    expr = CRON_MACROS[expr];
  }
  var raw = expr.split(/\s+/);
  if (raw.length === 6) throw new Error("6 fields given: this skill handles classic 5-field cron (no seconds or year field)");
  if (raw.length !== 5) throw new Error("a cron expression has 5 fields: minute hour day-of-month month day-of-week");
  var sets = raw.map(function (t, i) {
    try { return cronField(t, CRON_FIELDS[i]); }
    catch (e) { throw new Error("field " + (i + 1) + " (" + CRON_FIELDS[i].key + "): " + e.message); }
  });
  // Vixie cron rule: if either day field starts with '*', both must match (AND);
  // if both are restricted, a day matches when EITHER matches (OR).
  var domStar = raw[2].charAt(0) === "*", dowStar = raw[4].charAt(0) === "*";
  if (!domStar && !dowStar) warnings.push("Both day-of-month and day-of-week are restricted, so cron runs when EITHER matches, not both.");
  var has = sets.map(function (s) { var o = {}; s.forEach(function (v) { o[v] = true; }); return o; });
  var dayOk = function (d) {
    var a = has[2][d.getUTCDate()], b = has[4][d.getUTCDay()];
    return domStar || dowStar ? a && b : a || b;
  };

  var t = new Date(start.getTime());
  t.setUTCSeconds(0, 0);
  t = new Date(t.getTime() + 60000); // strictly after start
  var limit = start.getTime() + 5 * 366 * 86400000;
  var runs = [];
  while (runs.length < count && t.getTime() <= limit) {
    if (!has[3][t.getUTCMonth() + 1]) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)); continue;
    }
    if (!dayOk(t)) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1)); continue;
    }
    if (!has[1][t.getUTCHours()]) {
      t = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours() + 1)); continue;
    }
    if (!has[0][t.getUTCMinutes()]) { t = new Date(t.getTime() + 60000); continue; }
    runs.push(t.toISOString().replace(".000Z", "Z"));
    t = new Date(t.getTime() + 60000);
  }
  if (runs.length < count) warnings.push("Only " + runs.length + " run(s) in the next 5 years: check day/month combinations such as 31 in a 30-day month or 30 FEB.");
  if (sets[2].some(function (d) { return d > 28; }) && !domStar) warnings.push("Days 29-31 do not exist in every month; those months are skipped, not shifted.");

  var fields = {};
  CRON_FIELDS.forEach(function (f, i) { fields[f.key] = sets[i]; });
  return { fields: fields, description: cronDescribe(raw, sets), next_runs: runs, warnings: warnings };
}
