//! The code that runs a skill, one copy for the browser and `llmos run`.

/// Runs a Python skill; the same text under Pyodide and under `python3`.
///
/// Execute it (Pyodide `runPython`, or `exec`) in a namespace holding:
/// - `__llmos_code`: the skill's source (str);
/// - `__llmos_inputs`: the validated inputs as a JSON object (str);
/// - `__llmos_bytes`: a JSON list (str) of the input names to decode from
///   base64 (or a `data:` URL) to `bytes` ([`super::bytes_inputs`]);
/// - optionally `__llmos_file`: the name tracebacks give the code
///   (default `main.py`), e.g. the skill's `entry`.
///
/// The code runs in a fresh module named `skill` (registered in
/// `sys.modules` while it loads, so dataclasses work; `if __name__ ==
/// "__main__":` blocks do not run), then `execute(inputs)` is called. The
/// snippet sets `__llmos_result` to `json.dumps(result, allow_nan=False)`
/// and, as its last expression, evaluates to it. It prints nothing.
///
/// Errors propagate as Python exceptions whose traceback starts at the
/// skill's own frames (the harness's are cut): whatever `execute` raised,
/// a `SyntaxError` in the code, `NameError` when there is no `execute`,
/// `ValueError` for NaN or Infinity in the result, `TypeError` for values
/// JSON cannot hold (a set, bytes, a coroutine).
pub const PYTHON_HARNESS: &str = r#"def __llmos_run():
    import base64, json, linecache, sys, types
    name = globals().get("__llmos_file") or "main.py"
    code = __llmos_code
    inputs = json.loads(__llmos_inputs)
    for key in json.loads(__llmos_bytes):
        value = inputs.get(key)
        if isinstance(value, str):
            if value.startswith("data:"):
                value = value.partition(",")[2]
            inputs[key] = base64.b64decode("".join(value.split()), altchars=b"-_" if ("-" in value or "_" in value) else None)
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    module = types.ModuleType("skill")
    module.__file__ = name
    previous = sys.modules.get("skill")
    sys.modules["skill"] = module
    try:
        exec(compile(code, name, "exec"), module.__dict__)
        execute = module.__dict__.get("execute")
        if not callable(execute):
            raise NameError("the skill's code defines no execute(inputs) function")
        result = execute(inputs)
    except BaseException as error:
        frames = error.__traceback__
        while frames is not None and frames.tb_frame.f_code.co_filename != name:
            frames = frames.tb_next
        raise error.with_traceback(frames)
    finally:
        if previous is None:
            sys.modules.pop("skill", None)
        else:
            sys.modules["skill"] = previous
    try:
        return json.dumps(result, allow_nan=False)
    except ValueError:
        raise ValueError("execute(inputs) returned NaN or Infinity, which JSON cannot represent; return None or a string instead") from None
    except TypeError as error:
        raise TypeError("execute(inputs) returned a value JSON cannot represent (%s); return dicts, lists, str, int, float, bool or None" % error) from None
__llmos_result = __llmos_run()
del __llmos_run
__llmos_result
"#;

/// Runs a JavaScript skill; the same text in the browser's worker and under
/// `node`.
///
/// Defines `async function __llmosRun(code, inputs, bytesNames)`:
/// - `code`: the skill's source, run as a plain script by `new
///   Function(code + "\nreturn …execute;")()` (no modules, no `require`);
///   it must define `execute(inputs)`, which may be `async`;
/// - `inputs`: the validated inputs, as JSON text or an object;
/// - `bytesNames`: the input names to decode from base64 (or a `data:` URL)
///   to a `Uint8Array` ([`super::bytes_inputs`]).
///
/// Resolves to `JSON.stringify(result)`. Rejects with an `Error` when the
/// code throws or does not parse (written as a module, with `export` or
/// `import`: the error says to remove them), when it defines no `execute`, when
/// `execute` returns `undefined` ("execute(inputs) returned nothing"), or
/// when the result holds a value JSON cannot represent (NaN, Infinity, a
/// BigInt, a function). It prints nothing.
pub const JS_HARNESS: &str = r#"async function __llmosRun(code, inputs, bytesNames) {
  const values = typeof inputs === "string" ? JSON.parse(inputs) : Object.assign({}, inputs);
  for (const name of bytesNames || []) {
    let text = values[name];
    if (typeof text !== "string") continue;
    if (text.startsWith("data:")) text = text.slice(text.indexOf(",") + 1);
    const binary = atob(text.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    values[name] = bytes;
  }
  let execute;
  try {
    execute = new Function(code + "\nreturn typeof execute === \"function\" ? execute : undefined;")();
  } catch (error) {
    // A module's `export`/`import` is the usual slip: say so, not just "Unexpected token".
    if (error instanceof SyntaxError && /^\s*(export|import)\s/m.test(code)) {
      throw new Error("the skill's code runs as a script, not a module: remove `export` and `import`, and write `function execute(inputs) { … }` (" + error.message + ")");
    }
    throw error;
  }
  if (typeof execute !== "function") throw new Error("the skill's code defines no execute(inputs) function");
  const result = await execute(values);
  if (result === undefined) throw new Error("execute(inputs) returned nothing");
  const text = JSON.stringify(result, (key, value) => {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new Error("execute(inputs) returned " + value + (key ? " in `" + key + "`" : "") + ", which JSON cannot represent; return null or a string instead");
    }
    if (typeof value === "bigint" || typeof value === "function" || typeof value === "symbol") {
      throw new Error("execute(inputs) returned a " + typeof value + (key ? " in `" + key + "`" : "") + ", which JSON cannot represent");
    }
    return value;
  });
  if (text === undefined) throw new Error("execute(inputs) returned a value JSON cannot represent");
  return text;
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_harnesses_follow_the_contract() {
        for name in ["__llmos_code", "__llmos_inputs", "__llmos_bytes", "types.ModuleType(\"skill\")", "allow_nan=False", "__llmos_result = "] {
            assert!(PYTHON_HARNESS.contains(name), "{name}");
        }
        assert!(PYTHON_HARNESS.trim_end().ends_with("\n__llmos_result"), "the snippet evaluates to the result");
        assert!(!PYTHON_HARNESS.contains("print("), "the harness prints nothing");
        assert!(JS_HARNESS.starts_with("async function __llmosRun(code, inputs, bytesNames) {"));
        assert!(JS_HARNESS.contains("new Function(code + \"\\nreturn "));
        assert!(JS_HARNESS.contains("execute(inputs) returned nothing"));
        assert!(!JS_HARNESS.contains("console.") && !JS_HARNESS.contains("require("));
    }
}
