// Progressive enhancement of the registration form: hide what does not apply. Without
// JavaScript every field shows and the server still checks every rule.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".registration-form");
  if (!form) {
    return;
  }
  const modeInputs = form.querySelectorAll("input[name=mode]");
  const currentMode = () => {
    const checked = form.querySelector("input[name=mode]:checked");
    return checked ? checked.value : "";
  };
  const update = () => {
    const mode = currentMode();
    form.querySelectorAll("[data-show-for-mode]").forEach((block) => {
      block.hidden = mode !== "" && block.dataset.showForMode !== mode;
    });
    form.querySelectorAll("[data-sub-forums] input[type=checkbox]").forEach((box) => {
      const label = box.closest(".form-check");
      const offers = box.dataset.modes || "both";
      const fits = mode === "" || offers === "both" || offers === mode;
      label.hidden = !fits;
      if (!fits) {
        box.checked = false;
      }
    });
    form.querySelectorAll("[data-show-if-checked]").forEach((block) => {
      const box = document.getElementById(block.dataset.showIfChecked);
      block.hidden = box ? !box.checked : false;
    });
  };
  modeInputs.forEach((input) => input.addEventListener("change", update));
  const visa = document.getElementById("id_wants_visa_letter");
  if (visa) {
    visa.addEventListener("change", update);
  }
  update();
});
