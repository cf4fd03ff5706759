// Bundles the process designer and the case diagram viewer into app/static/dist.
// Run by `make frontend` (also a prerequisite of `make run` and `make test`).
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, "..", "app", "static", "dist");

await esbuild.build({
  entryPoints: {
    designer: path.join(here, "src", "designer.js"),
    viewer: path.join(here, "src", "viewer.js"),
  },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  outdir,
  loader: { ".woff": "dataurl", ".woff2": "dataurl", ".ttf": "dataurl", ".eot": "dataurl", ".svg": "dataurl" },
  logLevel: "info",
});
