// Sign-up page: show the teacher invite code field only when the Teacher role is chosen.
const form = document.querySelector("[data-signup-form]");

function toggleInvite(roleSelect, inviteGroup) {
  inviteGroup.hidden = roleSelect.value !== "teacher";
}

if (form) {
  const roleSelect = form.querySelector("select[name='role']");
  const inviteGroup = form.querySelector("#field-invite_code");
  if (roleSelect && inviteGroup) {
    toggleInvite(roleSelect, inviteGroup);
    roleSelect.addEventListener("change", () => toggleInvite(roleSelect, inviteGroup));
  }
}
