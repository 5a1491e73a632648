// The shape of src/, checked (test/tools/structure.test.ts; `npm run structure` prints it):
// - layers: a module imports only from its own layer or lower ones, in the order stated once, in the
//   `layers` block of docs/ARCHITECTURE.md (the most specific path there wins);
// - D1 SQL only in src/db/ (a Durable Object's own SQLite stays in src/objects/), and no reaching
//   through to a database handle (`.db`, `$client`) from outside src/db/;
// - sizes: no function over 80 lines, no file over 300 lines (the drizzle schema excepted).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

export const ROOT = path.resolve(import.meta.dirname, "..");
const SRC = path.join(ROOT, "src");

export const MAX_FUNCTION_LINES = 80;
export const MAX_FILE_LINES = 300;
/** Files exempt from the size limit: the drizzle schema (one table per block) and vendored code. */
const SIZE_EXEMPT = new Set(["db/schema.ts", "console/uplot.generated.ts"]);
/** Where SQL may appear: D1 in db/, each Durable Object's own SQLite in objects/. */
const SQL_HOMES = ["db/", "objects/"];
/** Where the database handle is built and handed to the db/ modules (nowhere else holds one). */
const DB_BUILDERS = new Set(["services/index.ts"]);
/** env.ts types the bindings by the classes and messages they carry: it may import types from any layer. */
const TYPES_FROM_ANYWHERE = new Set(["env.ts"]);

export interface Problem {
  kind: "layer" | "sql" | "db_reach" | "function_size" | "file_size";
  file: string;
  line: number;
  detail: string;
}

/** The layer order, top first: each entry lists the paths (relative to src/) that belong to it. */
export function readLayers(): string[][] {
  const doc = readFileSync(path.join(ROOT, "docs", "ARCHITECTURE.md"), "utf8");
  const block = /```layers\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error("docs/ARCHITECTURE.md has no ```layers block");
  return block[1]!
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter(Boolean)
    .map((l) => l.split(/\s+/));
}

/** The layer index of a module (0 = top), by the most specific matching path. */
export function layerOf(layers: string[][], file: string): number {
  let best = -1;
  let bestLen = -1;
  layers.forEach((entries, i) => {
    for (const e of entries) {
      const match = e.endsWith("/") ? file.startsWith(e) : file === e;
      if (match && e.length > bestLen) [best, bestLen] = [i, e.length];
    }
  });
  if (best < 0) throw new Error(`src/${file} is in no layer of docs/ARCHITECTURE.md`);
  return best;
}

export function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (name.endsWith(".ts")) out.push(path.relative(SRC, full).split(path.sep).join("/"));
  }
  return out.sort();
}

const SQL_TEXT = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE|CREATE|DROP|ALTER)\s/i;

function isTypeOnlyImport(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const named = clause.namedBindings;
  return !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  if (target.startsWith("../")) return null; // outside src/ (a vendored path into node_modules)
  if (target.endsWith(".ts")) return target;
  return existsSync(path.join(SRC, `${target}.ts`)) ? `${target}.ts` : `${target}/index.ts`;
}

function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isConstructorDeclaration(node)) return "constructor";
  return "(anonymous)";
}

export function checkFile(layers: string[][], file: string, text: string): Problem[] {
  const problems: Problem[] = [];
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2023, true);
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const own = layerOf(layers, file);
  const sqlHome = SQL_HOMES.some((h) => file.startsWith(h));
  const dbHome = file.startsWith("db/");

  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  if (lines > MAX_FILE_LINES && !SIZE_EXEMPT.has(file))
    problems.push({ kind: "file_size", file, line: 1, detail: `${lines} lines (at most ${MAX_FILE_LINES})` });

  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const target = resolveImport(file, node.moduleSpecifier.text);
      if (target && !(TYPES_FROM_ANYWHERE.has(file) && isTypeOnlyImport(node))) {
        const theirs = layerOf(layers, target);
        if (theirs < own) problems.push({ kind: "layer", file, line: lineOf(node), detail: `imports src/${target}, a higher layer` });
      }
      if (!dbHome && target === "db/schema.ts" && !isTypeOnlyImport(node))
        problems.push({ kind: "sql", file, line: lineOf(node), detail: "uses the drizzle tables outside src/db/ (row types are fine)" });
      if (!dbHome && target === "db/client.ts" && !DB_BUILDERS.has(file))
        problems.push({ kind: "db_reach", file, line: lineOf(node), detail: "holds a database handle outside src/db/" });
      if (!dbHome && /^drizzle-orm(\/|$)/.test(node.moduleSpecifier.text) && !isTypeOnlyImport(node))
        problems.push({
          kind: "sql",
          file,
          line: lineOf(node),
          detail: `builds queries with ${node.moduleSpecifier.text} outside src/db/`,
        });
    }
    if (
      !sqlHome &&
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) &&
      SQL_TEXT.test(node.text)
    )
      problems.push({ kind: "sql", file, line: lineOf(node), detail: `SQL outside src/db/: ${node.text.trim().slice(0, 40)}` });
    if (!dbHome && ts.isPropertyAccessExpression(node) && ["db", "$client"].includes(node.name.text)) {
      problems.push({ kind: "db_reach", file, line: lineOf(node), detail: `reaches through .${node.name.text} outside src/db/` });
    }
    if (ts.isFunctionLike(node) && !ts.isFunctionTypeNode(node) && !ts.isMethodSignature(node) && "body" in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > MAX_FUNCTION_LINES && !SIZE_EXEMPT.has(file))
        problems.push({
          kind: "function_size",
          file,
          line: start + 1,
          detail: `${functionName(node)}: ${end - start + 1} lines (at most ${MAX_FUNCTION_LINES})`,
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}

export function checkTree(): Problem[] {
  const layers = readLayers();
  return sourceFiles().flatMap((f) => checkFile(layers, f, readFileSync(path.join(SRC, f), "utf8")));
}

export const formatProblem = (p: Problem) => `src/${p.file}:${p.line}  ${p.kind}  ${p.detail}`;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const problems = checkTree();
  for (const p of problems) console.log(formatProblem(p));
  console.log(problems.length === 0 ? "structure: ok" : `structure: ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}
