// Truth table and minimal sum-of-products for a Boolean expression.
// Plain script: defines a global execute(inputs); no imports, no DOM access.

var LOGIC_DEFAULTS = { expression: "(A AND B) OR (NOT A AND C) OR (B AND C)", variables: [] };
var LOGIC_MAX_VARS = 8;

function logicTokenize(src) {
  var tokens = [], i = 0;
  var words = { AND: "and", OR: "or", NOT: "not", XOR: "xor", NAND: "nand", NOR: "nor", XNOR: "xnor", TRUE: "1", FALSE: "0" };
  while (i < src.length) {
    var c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    var two = src.substr(i, 2);
    if (two === "&&" || two === "||") { tokens.push(two === "&&" ? "and" : "or"); i += 2; continue; }
    if ("&*\u00b7\u2227".indexOf(c) >= 0) { tokens.push("and"); i++; continue; }
    if ("|+\u2228".indexOf(c) >= 0) { tokens.push("or"); i++; continue; }
    if ("!~\u00ac".indexOf(c) >= 0) { tokens.push("not"); i++; continue; }
    if ("^\u2295".indexOf(c) >= 0) { tokens.push("xor"); i++; continue; }
    if (c === "'") { tokens.push("postnot"); i++; continue; }
    if (c === "(" || c === ")") { tokens.push(c); i++; continue; }
    if (c === "0" || c === "1") { tokens.push(c); i++; continue; }
    var m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (m) {
      var up = m[0].toUpperCase();
      tokens.push(words[up] ? words[up] : { name: m[0] });
      i += m[0].length;
      continue;
    }
    throw new Error("unexpected character '" + c + "' at position " + (i + 1));
  }
  return tokens;
}

// Precedence (low to high): OR/NOR, XOR/XNOR, AND/NAND, NOT, postfix '.
function logicParse(tokens) {
  var pos = 0;
  function peek() { return tokens[pos]; }
  function binary(next, ops) {
    return function () {
      var left = next();
      while (ops.indexOf(peek()) >= 0) {
        var op = tokens[pos++];
        left = { op: op, a: left, b: next() };
      }
      return left;
    };
  }
  function unary() {
    if (peek() === "not") { pos++; return { op: "not", a: unary() }; }
    var node = atom();
    while (peek() === "postnot") { pos++; node = { op: "not", a: node }; }
    return node;
  }
  function atom() {
    var t = tokens[pos++];
    if (t === undefined) throw new Error("expression ends unexpectedly");
    if (t === "(") {
      var e = orExpr();
      if (tokens[pos++] !== ")") throw new Error("missing closing parenthesis");
      return e;
    }
    if (t === "0" || t === "1") return { op: "const", v: t === "1" };
    if (typeof t === "object") return { op: "var", name: t.name };
    throw new Error("unexpected '" + (t === "postnot" ? "'" : t) + "'");
  }
  var andExpr = binary(unary, ["and", "nand"]);
  var xorExpr = binary(andExpr, ["xor", "xnor"]);
  var orExpr = binary(xorExpr, ["or", "nor"]);
  var tree = orExpr();
  if (pos !== tokens.length) throw new Error("unexpected token after position " + pos + " (missing operator?)");
  return tree;
}

function logicEval(n, env) {
  switch (n.op) {
    case "const": return n.v;
    case "var": return env[n.name];
    case "not": return !logicEval(n.a, env);
    case "and": return logicEval(n.a, env) && logicEval(n.b, env);
    case "or": return logicEval(n.a, env) || logicEval(n.b, env);
    case "xor": return logicEval(n.a, env) !== logicEval(n.b, env);
    case "nand": return !(logicEval(n.a, env) && logicEval(n.b, env));
    case "nor": return !(logicEval(n.a, env) || logicEval(n.b, env));
    case "xnor": return logicEval(n.a, env) === logicEval(n.b, env);
  }
  throw new Error("internal: unknown node " + n.op);
}

function logicVars(n, out) {
  if (n.op === "var" && out.indexOf(n.name) < 0) out.push(n.name);
  if (n.a) logicVars(n.a, out);
  if (n.b) logicVars(n.b, out);
  return out;
}

// Quine-McCluskey: implicants are strings over {0,1,-}, MSB = first variable.
function logicPrimeImplicants(minterms, nv) {
  var toBits = function (m) { var s = m.toString(2); while (s.length < nv) s = "0" + s; return s; };
  var current = {};
  minterms.forEach(function (m) { current[toBits(m)] = true; });
  var primes = [];
  while (Object.keys(current).length) {
    var terms = Object.keys(current), next = {}, used = {};
    for (var i = 0; i < terms.length; i++) {
      for (var j = i + 1; j < terms.length; j++) {
        var a = terms[i], b = terms[j], diff = -1, count = 0;
        for (var k = 0; k < nv && count < 2; k++) {
          if (a[k] !== b[k]) { count++; diff = k; }
        }
        if (count === 1 && a[diff] !== "-" && b[diff] !== "-") {
          next[a.slice(0, diff) + "-" + a.slice(diff + 1)] = true;
          used[a] = used[b] = true;
        }
      }
    }
    terms.forEach(function (t) { if (!used[t]) primes.push(t); });
    current = next;
  }
  return primes;
}

function logicCovers(imp, m, nv) {
  for (var k = 0; k < nv; k++) {
    var bit = (m >> (nv - 1 - k)) & 1;
    if (imp[k] !== "-" && +imp[k] !== bit) return false;
  }
  return true;
}

function logicCover(primes, minterms, nv) {
  var chosen = [], left = minterms.slice();
  // Essential prime implicants first: the only cover of some minterm.
  minterms.forEach(function (m) {
    var cov = primes.filter(function (p) { return logicCovers(p, m, nv); });
    if (cov.length === 1 && chosen.indexOf(cov[0]) < 0) chosen.push(cov[0]);
  });
  left = left.filter(function (m) { return !chosen.some(function (p) { return logicCovers(p, m, nv); }); });
  // Then greedily: most remaining minterms, fewest literals.
  while (left.length) {
    var best = null, bestScore = -1;
    primes.forEach(function (p) {
      if (chosen.indexOf(p) >= 0) return;
      var n = left.filter(function (m) { return logicCovers(p, m, nv); }).length;
      var score = n * 100 + (p.split("-").length - 1);
      if (n > 0 && score > bestScore) { best = p; bestScore = score; }
    });
    chosen.push(best);
    left = left.filter(function (m) { return !logicCovers(best, m, nv); });
  }
  return chosen;
}

function logicTerm(imp, vars) {
  var lits = [];
  for (var k = 0; k < vars.length; k++) {
    if (imp[k] === "1") lits.push(vars[k]);
    else if (imp[k] === "0") lits.push("!" + vars[k]);
  }
  return lits.length ? lits.join(" & ") : "1";
}

function execute(inputs) {
  inputs = inputs || {};
  var expr = inputs.expression === undefined || inputs.expression === null ? LOGIC_DEFAULTS.expression : inputs.expression;
  var order = inputs.variables === undefined || inputs.variables === null ? LOGIC_DEFAULTS.variables : inputs.variables;
  if (typeof expr !== "string" || !expr.trim()) throw new Error("expression must be a non-empty string");
  if (!Array.isArray(order)) throw new Error("variables must be an array of names (or empty for automatic order)");
  var tree = logicParse(logicTokenize(expr));
  var found = logicVars(tree, []);
  var vars;
  if (order.length) {
    vars = order.map(String);
    found.forEach(function (v) { if (vars.indexOf(v) < 0) throw new Error("variable " + v + " is missing from the variables list"); });
  } else {
    vars = found.slice().sort();
  }
  if (vars.length > LOGIC_MAX_VARS) throw new Error("at most " + LOGIC_MAX_VARS + " variables (got " + vars.length + ")");
  var nv = vars.length, rows = [], minterms = [];
  for (var m = 0; m < (1 << nv); m++) {
    var env = {}, bits = "";
    for (var k = 0; k < nv; k++) {
      var bit = (m >> (nv - 1 - k)) & 1;
      env[vars[k]] = bit === 1;
      bits += bit;
    }
    var out = logicEval(tree, env);
    rows.push({ inputs: bits, output: out ? 1 : 0 });
    if (out) minterms.push(m);
  }
  var sop, cover = [];
  if (minterms.length === 0) sop = "0";
  else if (minterms.length === (1 << nv)) sop = "1";
  else {
    cover = logicCover(logicPrimeImplicants(minterms, nv), minterms, nv);
    cover.sort().reverse();
    sop = cover.map(function (p) { return cover.length > 1 && p.replace(/-/g, "").length > 1 ? "(" + logicTerm(p, vars) + ")" : logicTerm(p, vars); }).join(" | ");
  }
  // Verify the simplified form against the original on every row.
  var simplified = logicParse(logicTokenize(sop));
  var verified = rows.every(function (r, idx) {
    var env = {};
    for (var k = 0; k < nv; k++) env[vars[k]] = r.inputs[k] === "1";
    return (logicEval(simplified, env) ? 1 : 0) === r.output;
  });
  var literals = cover.reduce(function (s, p) { return s + p.replace(/-/g, "").length; }, 0);
  return {
    variables: vars,
    table: rows,
    minterms: minterms,
    sum_of_products: sop,
    literal_count: literals,
    verified: verified
  };
}
