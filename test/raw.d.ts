// Docs read by the tests that run their examples (vite's ?raw import).
declare module "*.md?raw" {
  const text: string;
  export default text;
}
