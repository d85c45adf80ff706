// The ES modules' text for users goes through the djangojs catalog (core/js/i18n.js): this finds
// text written into the page without gettext. Used by tests/test_i18n_marking.py:
//   node tests/i18n_marking.mjs FILE...   prints a JSON list of {file, line, kind, text}
// A heuristic on the syntax tree (espree, ESLint's parser), not a proof:
// - sinks: assignments to textContent, innerText, innerHTML, title, placeholder, alt, aria*
//   properties; setAttribute of aria-label, title, placeholder, alt and the other aria texts;
//   alert/confirm/prompt; append/prepend/before/after/replaceChildren/replaceWith,
//   createTextNode, insertAdjacentText, new Option; show*/announce* helpers (text with a space
//   or a capital there: their other arguments are often one-word keys such as "danger");
// - in what a sink receives, a string literal (or a template literal's own text) with a letter
//   in it is "unmarked", unless it is inside gettext/ngettext/pgettext/npgettext; the branches
//   of ?: and of || ?? and the sides of + are followed; other calls are not (their arguments are
//   keys, tags, class names: label("labelMute"), document.createElement("br"));
// - every gettext-family call takes string literals (xgettext extracts nothing else): kind
//   "not-literal" otherwise.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parse } from "espree";

const TEXT_PROPERTIES = new Set([
  "textContent",
  "innerText",
  "innerHTML",
  "outerHTML",
  "title",
  "placeholder",
  "alt",
  "ariaLabel",
  "ariaDescription",
  "ariaValueText",
  "ariaRoleDescription",
  "ariaPlaceholder",
]);
const TEXT_ATTRIBUTES = new Set([
  "aria-label",
  "aria-description",
  "aria-valuetext",
  "aria-roledescription",
  "aria-placeholder",
  "title",
  "placeholder",
  "alt",
]);
const DIALOGS = new Set(["alert", "confirm", "prompt"]);
const NODE_TEXT = new Set([
  "append",
  "prepend",
  "before",
  "after",
  "replaceChildren",
  "replaceWith",
  "createTextNode",
]);
const HELPER = /^(show[A-Z]\w*|announce\w*)$/;
const TRANSLATE = new Set(["gettext", "ngettext", "pgettext", "npgettext"]);
const LETTER = /\p{L}/u;
const SENTENCE = /\s|\p{Lu}/u; // text rather than a key: a space or a capital letter

const textOf = (node) =>
  node.type === "TemplateLiteral" ? node.quasis.map((q) => q.value.cooked).join("") : node.value;

function calleeName(callee) {
  if (callee.type === "Identifier") return callee.name;
  if (callee.type === "MemberExpression" && !callee.computed) return callee.property.name;
  return "";
}

function propertyName(member) {
  if (member.type !== "MemberExpression") return "";
  if (!member.computed) return member.property.name;
  return member.property.type === "Literal" ? String(member.property.value) : "";
}

// The unmarked text literals an expression puts in the page.
function unmarked(node, found = []) {
  if (!node) return found;
  switch (node.type) {
    case "Literal":
      if (typeof node.value === "string" && LETTER.test(node.value)) found.push(node);
      break;
    case "TemplateLiteral":
      if (LETTER.test(node.quasis.map((q) => q.value.cooked).join(""))) found.push(node);
      for (const expression of node.expressions) unmarked(expression, found);
      break;
    case "ConditionalExpression":
      unmarked(node.consequent, found);
      unmarked(node.alternate, found);
      break;
    case "LogicalExpression":
      unmarked(node.left, found);
      unmarked(node.right, found);
      break;
    case "BinaryExpression":
      if (node.operator === "+") {
        unmarked(node.left, found);
        unmarked(node.right, found);
      }
      break;
    case "ArrayExpression":
      for (const element of node.elements) unmarked(element, found);
      break;
    case "SpreadElement":
    case "AwaitExpression":
      unmarked(node.argument, found);
      break;
    case "CallExpression":
      // interpolate(format, values): the format must be translated itself.
      if (calleeName(node.callee) === "interpolate") unmarked(node.arguments[0], found);
      break;
    default:
      break;
  }
  return found;
}

function walk(node, visit) {
  if (!node || typeof node.type !== "string") return;
  visit(node);
  for (const [key, value] of Object.entries(node)) {
    if (key === "parent" || key === "loc" || key === "range") continue;
    if (Array.isArray(value)) for (const child of value) walk(child, visit);
    else if (value && typeof value.type === "string") walk(value, visit);
  }
}

export function check(source, file = "<source>") {
  const tree = parse(source, { ecmaVersion: "latest", sourceType: "module", loc: true, range: true });
  const problems = [];
  const report = (nodes, kind) => {
    for (const node of nodes) {
      const text = node.type === "TemplateLiteral" ? source.slice(...node.range) : node.value;
      problems.push({ file, line: node.loc.start.line, kind, text });
    }
  };
  walk(tree, (node) => {
    if (node.type === "AssignmentExpression" && TEXT_PROPERTIES.has(propertyName(node.left))) {
      report(unmarked(node.right), propertyName(node.left));
    } else if (node.type === "CallExpression" || node.type === "NewExpression") {
      const name = calleeName(node.callee);
      const args = node.arguments;
      if (TRANSLATE.has(name)) {
        const count = { gettext: 1, ngettext: 2, pgettext: 2, npgettext: 3 }[name];
        for (const arg of args.slice(0, count)) {
          if (arg.type !== "Literal" || typeof arg.value !== "string") {
            problems.push({ file, line: arg.loc.start.line, kind: "not-literal", text: name });
          }
        }
      } else if (node.type === "NewExpression" && name === "Option") {
        report(unmarked(args[0]), "option");
      } else if (name === "setAttribute" && TEXT_ATTRIBUTES.has(args[0]?.value)) {
        report(unmarked(args[1]), args[0].value);
      } else if (name === "insertAdjacentText") {
        report(unmarked(args[1]), name);
      } else if (HELPER.test(name)) {
        // showNotice(text, "danger"): a helper's other arguments are often one-word keys.
        const sentences = args.flatMap((arg) => unmarked(arg)).filter((n) => SENTENCE.test(textOf(n)));
        report(sentences, name);
      } else if (DIALOGS.has(name) || NODE_TEXT.has(name)) {
        for (const arg of args) report(unmarked(arg), name);
      }
    }
  });
  return problems;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problems = process.argv
    .slice(2)
    .flatMap((file) => check(readFileSync(file, "utf8"), file));
  process.stdout.write(`${JSON.stringify(problems, null, 1)}\n`);
}
