// Starts GOV.UK Frontend's components. Loaded as a module, so only browsers that
// support the components run it; everything works without it.
import { initAll } from "./govuk-frontend.min.js";

initAll();

// Glossary toggletips (content/glossary.py): the server writes each term with its
// definition in brackets after it, which is how it reads without JavaScript. Here the
// term becomes a button that shows and hides the definition in place: Enter or Space
// toggles it, Escape closes it, and the learner never leaves their place.
for (const tip of document.querySelectorAll('[data-module="app-glossary"]')) {
  const word = tip.querySelector(".app-glossary__term");
  const definition = tip.querySelector(".app-glossary__definition");
  if (!word || !definition) continue;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "app-glossary__toggle";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", definition.id);
  button.textContent = word.textContent;
  const hint = document.createElement("span");
  hint.className = "govuk-visually-hidden";
  hint.textContent = " (show meaning)";
  button.append(hint);
  word.replaceWith(button);
  definition.hidden = true;
  const toggle = (open) => {
    button.setAttribute("aria-expanded", String(open));
    definition.hidden = !open;
  };
  button.addEventListener("click", () => toggle(definition.hidden));
  tip.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !definition.hidden) {
      toggle(false);
      button.focus();
    }
  });
}

// "Print" buttons (the learning log): hidden until here, as they need JavaScript; the
// browser's own Print command gives the same page (app.scss has the print styles).
for (const button of document.querySelectorAll('[data-module="app-print"]')) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
