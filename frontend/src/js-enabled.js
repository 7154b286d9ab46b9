// Tells GOV.UK Frontend's CSS that JavaScript runs. An external file rather than the
// template's usual inline script, so the Content Security Policy needs no 'unsafe-inline'.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
