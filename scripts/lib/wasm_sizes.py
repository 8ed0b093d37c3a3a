"""Where a wasm bundle's bytes go, from `twiggy top -f json` of a module
that still has its name section (scripts/bundle-sizes.sh).

Prints the code and data per crate and the largest functions. A function is
counted under the first crate its (demangled) name mentions: a serde_json
deserializer monomorphised for one of our types counts under serde_json,
which is where such copies are to be found. Sizes are raw bytes in the
module; the name section and wasm-bindgen's custom section, both removed
before the bundle is published, are left out.
"""

import json
import re
import sys
from collections import defaultdict

CRATE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\[[0-9a-f]+\]")
UNPUBLISHED = ('"function names" subsection', "custom section '__wasm_bindgen_unstable'", "custom section 'producers'", "custom section 'target_features'")


def crate_of(name):
    match = CRATE.search(name)
    if match:
        return match.group(1)
    if name.startswith("data segment") or name.startswith("elem"):
        return "(data)"
    if name.startswith("import ") or name.startswith("export ") or "table" in name or name.startswith("type["):
        return "(wasm structure)"
    return "(unnamed: std, compiler builtins, glue)"


def main():
    path, top = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25
    items = [item for item in json.load(sys.stdin) if item["name"] not in UNPUBLISHED and not item["name"].startswith("Σ")]
    total = sum(item["shallow_size"] for item in items)
    crates = defaultdict(lambda: [0, 0])
    for item in items:
        entry = crates[crate_of(item["name"])]
        entry[0] += item["shallow_size"]
        entry[1] += 1
    print(f"{path} module: {total / 1000:.1f} kB raw without its name section")
    print(f"{'kB':>8} {'share':>6} {'items':>6}  crate")
    for crate, (size, count) in sorted(crates.items(), key=lambda kv: -kv[1][0]):
        if size * 200 < total:
            continue
        print(f"{size / 1000:8.1f} {100 * size / total:5.1f}% {count:6}  {crate}")
    print(f"\nlargest {top} items:")
    for item in sorted(items, key=lambda i: -i["shallow_size"])[:top]:
        name = re.sub(r"\[[0-9a-f]+\]", "", item["name"])
        print(f"{item['shallow_size']:8}  {name[:160]}")


if __name__ == "__main__":
    main()
