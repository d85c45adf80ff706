// Admin, periodic task form: show the selected crontab in words under the field (what
// django-celery-beat does with an inline script, which our Content-Security-Policy forbids).
import { gettext, interpolate } from "./i18n.js";

const data = document.getElementById("readable-crontabs");
const select = document.getElementById("id_crontab");
const help = document.querySelector(".field-crontab .help");

if (data && select && help) {
  const readable = JSON.parse(data.textContent);
  const original = help.textContent;
  for (const row of document.querySelectorAll(".field-crontab_translation")) {
    row.hidden = true;
  }
  const update = () => {
    help.textContent = original;
    const words = readable[select.value];
    if (words) {
      help.append(document.createElement("br"), interpolate(gettext("Translation: %(words)s"), { words }));
    }
  };
  select.addEventListener("change", update);
}
