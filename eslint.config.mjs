// ESLint for the front end (frontend/). `make lint` runs it.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  { ignores: ["node_modules/", "src/", "build/", ".venv/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ["frontend/**/*.ts"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-var": "error",
      "prefer-const": "error",
      // customer-supplied data is rendered as text, never as HTML
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Render text with textContent, never HTML." },
        { property: "outerHTML", message: "Render text with textContent, never HTML." },
        { property: "insertAdjacentHTML", message: "Render text with textContent, never HTML." },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.property.name='write'][callee.object.name='document']", message: "No document.write." },
      ],
    },
  },
  { files: ["frontend/build.mjs"], languageOptions: { globals: { ...globals.node } } },
);
