// Translations for the ES modules: Django's JavaScript catalog (djangojs domain), loaded by a classic script
// before the modules on non-English pages; English pages load none and get the text as written.
const catalog = () => globalThis.django;
export function gettext(text) { return catalog()?.gettext(text) ?? text; }
export function ngettext(singular, plural, count) {
  return catalog()?.ngettext(singular, plural, count) ?? (count === 1 ? singular : plural);
}
export function pgettext(context, text) { return catalog()?.pgettext(context, text) ?? text; }
export function interpolate(format, values) {
  return format.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}
