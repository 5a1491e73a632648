// Lint: typescript-eslint's recommended rules; `any` is an error (types come from zod and drizzle).
import tseslint from "typescript-eslint";

export default tseslint.config({ ignores: ["node_modules/", ".wrangler/", "bench/results/", "dist/"] }, ...tseslint.configs.recommended, {
  rules: {
    "@typescript-eslint/no-explicit-any": "error",
    "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    "@typescript-eslint/no-non-null-assertion": "off",
  },
});
