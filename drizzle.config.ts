import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes SQL migrations into migrations/ in the flat layout
// that `wrangler d1 migrations apply` and the tests' readD1Migrations() read.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
