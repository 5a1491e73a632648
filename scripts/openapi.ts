// npm run openapi: writes the OpenAPI document the gateway serves at /openapi.json to dist/openapi.json
// (generated from the routes; no bindings needed), for `redocly lint` and for anyone who wants the file.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
// Imported by a computed path: the Worker's code is type-checked by tsconfig.json, not by Node's.
const appModule = path.join(ROOT, "src", "http", "app.ts");
const { app, OPENAPI_PATH } = (await import(appModule)) as { app: { request(url: string): Promise<Response> }; OPENAPI_PATH: string };
const res = await app.request(`http://127.0.0.1:8787${OPENAPI_PATH}`);
if (res.status !== 200) throw new Error(`GET ${OPENAPI_PATH} answered ${res.status}`);
mkdirSync(path.join(ROOT, "dist"), { recursive: true });
const file = path.join(ROOT, "dist", "openapi.json");
writeFileSync(file, `${JSON.stringify(await res.json(), null, 2)}\n`);
console.log(`wrote ${path.relative(ROOT, file)}`);
