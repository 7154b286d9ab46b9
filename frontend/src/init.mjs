// Starts GOV.UK Frontend's components. Loaded as a module, so only browsers that
// support the components run it; everything works without it.
import { initAll } from "./govuk-frontend.min.js";

initAll();
