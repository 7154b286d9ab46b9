// A SCORM package in a lesson (content/templates/content/blocks/scorm_package.html).
// The package runs on the content origin (learners/scorm_content.py) in the frame; its
// runtime posts each commit here. Only messages from that origin, and from that frame,
// are taken; each is sent to the academy with this page's session and CSRF token, one
// at a time and in order, and the outcome is said in the block's status line.
for (const block of document.querySelectorAll('[data-module="app-scorm"]')) {
  const frame = block.querySelector("iframe");
  const origin = block.dataset.contentOrigin;
  const commitUrl = block.dataset.commitUrl;
  const token = block.querySelector('input[name="csrfmiddlewaretoken"]')?.value;
  const status = block.querySelector(".app-scorm__status");
  if (!frame || !origin || !commitUrl || !token) continue;
  let queue = Promise.resolve();

  const say = (text) => {
    if (status) status.textContent = text;
  };

  const save = async (message) => {
    const body = JSON.stringify({ cmi: message.cmi });
    let outcome;
    try {
      const response = await fetch(commitUrl + (message.terminate ? "?terminate=1" : ""), {
        method: "POST",
        credentials: "same-origin",
        // keepalive: the last commit still reaches the academy as the learner leaves
        // the page (browsers allow 64 KB of such requests at once).
        keepalive: body.length < 60000,
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body,
      });
      outcome = await response.json();
    } catch {
      outcome = { saved: false, message: "Your progress could not be saved. Check your connection." };
    }
    say(outcome.message);
    frame.contentWindow?.postMessage(
      { type: "scorm-saved", sequence: message.sequence, saved: Boolean(outcome.saved),
        message: outcome.message },
      origin,
    );
  };

  window.addEventListener("message", (event) => {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    const message = event.data;
    if (!message || message.type !== "scorm-commit" || typeof message.cmi !== "object") return;
    queue = queue.then(() => save(message));
  });
}
