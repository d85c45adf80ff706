// Ask before submitting forms marked with data-confirm="question" (e.g. cancelling a meeting).
export function confirmForms(root = document) {
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

confirmForms();
