// Ohm's law and power calculator: give any two of V, I, R, P; get the other two.
// Plain script: defines a global execute(inputs) and nothing else.

var OHMS_DEFAULTS = { voltage: 12, current: 0, resistance: 220, power: 0 };

var OHMS_PREFIX = { p: 1e-12, n: 1e-9, u: 1e-6, "\u00b5": 1e-6, m: 1e-3, "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

function ohmsParse(value, name) {
  if (value === undefined || value === null || value === "") return 0;
  if (typeof value === "number") {
    if (!isFinite(value)) throw new Error(name + " must be finite");
    if (value < 0) throw new Error(name + " must not be negative (use magnitudes)");
    return value;
  }
  if (typeof value !== "string") throw new Error(name + " must be a number or a string like '4.7k'");
  var m = /^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([pnu\u00b5mkKMG]?)\s*(?:V|A|W|ohms?|\u03a9)?\s*$/.exec(value);
  if (!m) throw new Error("cannot parse " + name + " '" + value + "' (examples: 5, 4.7k, 20m)");
  return parseFloat(m[1]) * OHMS_PREFIX[m[2]];
}

function ohmsFormat(value, unit) {
  if (value === 0) return "0 " + unit;
  var steps = [[1e9, "G"], [1e6, "M"], [1e3, "k"], [1, ""], [1e-3, "m"], [1e-6, "u"], [1e-9, "n"], [1e-12, "p"]];
  for (var i = 0; i < steps.length; i++) {
    if (Math.abs(value) >= steps[i][0] * 0.9999999) {
      return Number((value / steps[i][0]).toPrecision(4)) + " " + steps[i][1] + unit;
    }
  }
  return value.toExponential(3) + " " + unit;
}

function ohmsRatingHint(power) {
  var ratings = [0.0625, 0.1, 0.125, 0.25, 0.5, 1, 2, 3, 5, 10, 25, 50];
  var needed = power * 2; // keep parts at or below half their rating
  for (var i = 0; i < ratings.length; i++) {
    if (ratings[i] >= needed) {
      return "Dissipation " + ohmsFormat(power, "W") + ": use a resistor rated at least " +
        ohmsFormat(ratings[i], "W") + " (2x margin).";
    }
  }
  return "Dissipation " + ohmsFormat(power, "W") + " exceeds common resistor ratings; use a heatsinked or active load.";
}

function execute(inputs) {
  inputs = inputs || {};
  var names = ["voltage", "current", "resistance", "power"];
  var vals = {};
  var explicit = 0;
  names.forEach(function (k) {
    vals[k] = k in inputs ? ohmsParse(inputs[k], k) : null;
    if (vals[k]) explicit++;
  });
  // If the caller supplied two (or more) values, use only those; otherwise
  // fill the gaps from the defaults, so {resistance: 1000} still works.
  names.forEach(function (k) {
    if (vals[k] === null) vals[k] = explicit >= 2 ? 0 : OHMS_DEFAULTS[k];
  });
  var V = vals.voltage, I = vals.current, R = vals.resistance, P = vals.power;
  var known = [V > 0 ? "V" : "", I > 0 ? "I" : "", R > 0 ? "R" : "", P > 0 ? "P" : ""].join("");
  if (known.length !== 2) {
    throw new Error("give exactly two of voltage, current, resistance, power (the others 0 or empty); got " +
      (known.length ? known.split("").join(", ") : "none"));
  }
  var formulas;
  switch (known) {
    case "VI": R = V / I; P = V * I; formulas = ["R = V / I", "P = V * I"]; break;
    case "VR": I = V / R; P = V * V / R; formulas = ["I = V / R", "P = V^2 / R"]; break;
    case "VP": I = P / V; R = V * V / P; formulas = ["I = P / V", "R = V^2 / P"]; break;
    case "IR": V = I * R; P = I * I * R; formulas = ["V = I * R", "P = I^2 * R"]; break;
    case "IP": V = P / I; R = P / (I * I); formulas = ["V = P / I", "R = P / I^2"]; break;
    case "RP": V = Math.sqrt(P * R); I = Math.sqrt(P / R); formulas = ["V = sqrt(P * R)", "I = sqrt(P / R)"]; break;
  }
  var round = function (x) { return Number(x.toPrecision(10)); };
  return {
    voltage: round(V),
    current: round(I),
    resistance: round(R),
    power: round(P),
    formulas: formulas,
    readable: ohmsFormat(V, "V") + ", " + ohmsFormat(I, "A") + ", " + ohmsFormat(R, "ohm") + ", " + ohmsFormat(P, "W"),
    power_rating_hint: ohmsRatingHint(P)
  };
}
