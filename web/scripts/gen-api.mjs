// Turns the services' OpenAPI documents (web/openapi/*.json, written by `uv run python scripts/openapi.py`) into
// TypeScript types under src/api/generated/. `npm run build` runs this before `tsc`, so a change in a service's
// API that the app does not follow fails the build instead of failing in a user's browser.
import fs from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const source = path.join(root, "openapi");
const target = path.join(root, "src", "api", "generated");
fs.mkdirSync(target, { recursive: true });
for (const file of fs.readdirSync(source).filter((f) => f.endsWith(".json")).sort()) {
  const spec = JSON.parse(fs.readFileSync(path.join(source, file), "utf8"));
  const ast = await openapiTS(spec);
  const name = file.replace(/\.json$/, "");
  const banner = `// Generated from web/openapi/${file} by scripts/gen-api.mjs. Do not edit.\n`;
  fs.writeFileSync(path.join(target, `${name}.ts`), banner + astToString(ast));
}
