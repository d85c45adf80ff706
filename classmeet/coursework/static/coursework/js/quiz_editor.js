// The question form: show only the fields of the chosen question type (without JavaScript every
// fieldset shows, and the server ignores the ones the type does not use).
const KIND_SECTIONS = {
  single: ".quiz-kind-choices",
  multiple: ".quiz-kind-choices",
  true_false: ".quiz-kind-true-false",
  numeric: ".quiz-kind-numeric",
};

export function followKind(form) {
  const kind = form.querySelector('select[name="kind"]');
  if (!kind) return;
  const update = () => {
    const shown = KIND_SECTIONS[kind.value];
    for (const selector of new Set(Object.values(KIND_SECTIONS))) {
      for (const section of form.querySelectorAll(selector)) section.hidden = selector !== shown;
    }
  };
  kind.addEventListener("change", update);
  update();
}

for (const form of document.querySelectorAll("form.quiz-question-form")) followKind(form);
