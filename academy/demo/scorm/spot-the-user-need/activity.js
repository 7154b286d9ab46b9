/* Spot the user need: a SCORM 1.2 SCO. Finds the platform's API by walking up
   window.parent (then window.opener), resumes from cmi.suspend_data (the answers
   chosen so far) and cmi.core.lesson_location (the last statement checked), and on
   finishing sets cmi.core.score.raw (0-100) and cmi.core.lesson_status passed or
   failed against the mastery score (the manifest's adlcp:masteryscore, 75). */
(function () {
  "use strict";
  var MASTERY_DEFAULT = 75;

  function findApi(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      try { if (win.API) { return win.API; } } catch (e) { return null; }
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }

  var api = findApi(window) || (window.opener ? findApi(window.opener) : null);
  var connected = false;
  var finished = false;

  function ok(result) { return result === true || result === "true"; }
  function get(name) { return connected ? String(api.LMSGetValue(name) || "") : ""; }
  function set(name, value) {
    if (connected && !ok(api.LMSSetValue(name, String(value)))) {
      throw new Error("The platform did not save " + name + " (error " + api.LMSGetLastError() + ").");
    }
  }
  function commit() {
    if (connected && !ok(api.LMSCommit(""))) { throw new Error("The platform did not save your progress."); }
  }

  var form = document.getElementById("activity");
  var questions = Array.prototype.slice.call(document.querySelectorAll(".question"));
  var errorBox = document.getElementById("error");
  var result = document.getElementById("result");
  var connection = document.getElementById("connection");

  function chosen(question) {
    var input = question.querySelector("input:checked");
    return input ? input.value : "";
  }

  function answers() {
    return questions.map(function (q) { return q.getAttribute("data-id") + "=" + chosen(q); })
      .filter(function (pair) { return pair.slice(-1) !== "="; }).join(";");
  }

  function showFeedback(question) {
    var box = question.querySelector(".feedback");
    var answer = chosen(question);
    if (!answer) {
      box.className = "feedback";
      box.textContent = "Choose an answer first.";
      return;
    }
    var right = answer === question.getAttribute("data-answer");
    box.className = "feedback " + (right ? "right" : "wrong");
    box.textContent = box.getAttribute(right ? "data-right" : "data-wrong");
  }

  function save(location) {
    try {
      set("cmi.suspend_data", answers());
      if (location) { set("cmi.core.lesson_location", location); }
      set("cmi.core.exit", "suspend");
      commit();
    } catch (e) { connection.textContent = e.message; }
  }

  function mastery() {
    var value = parseInt(get("cmi.student_data.mastery_score"), 10);
    return isNaN(value) ? MASTERY_DEFAULT : value;
  }

  function resume() {
    var saved = get("cmi.suspend_data");
    saved.split(";").forEach(function (pair) {
      var parts = pair.split("=");
      var question = document.querySelector('.question[data-id="' + parts[0] + '"]');
      if (!question || !parts[1]) { return; }
      var input = question.querySelector('input[value="' + parts[1] + '"]');
      if (input) { input.checked = true; showFeedback(question); }
    });
    var location = get("cmi.core.lesson_location");
    var last = document.querySelector('.question[data-id="' + location + '"]');
    if (saved) { connection.textContent = "Welcome back. Your answers so far have been kept."; }
    if (last) {
      var next = questions[questions.indexOf(last) + 1];
      (next || last).querySelector("input").focus();
    }
  }

  questions.forEach(function (question) {
    question.querySelector(".check").addEventListener("click", function () {
      showFeedback(question);
      if (chosen(question)) { save(question.getAttribute("data-id")); }
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (finished) { return; }
    var missing = questions.filter(function (q) { return !chosen(q); });
    if (missing.length) {
      errorBox.hidden = false;
      errorBox.textContent = "Choose an answer for statement " +
        missing.map(function (q) { return q.getAttribute("data-id"); }).join(", ") + ".";
      errorBox.focus();
      return;
    }
    errorBox.hidden = true;
    var right = 0;
    questions.forEach(function (q) {
      showFeedback(q);
      if (chosen(q) === q.getAttribute("data-answer")) { right += 1; }
    });
    var score = Math.round(right / questions.length * 100);
    var passed = score >= mastery();
    var message;
    try {
      set("cmi.suspend_data", answers());
      set("cmi.core.score.raw", score);
      set("cmi.core.score.min", 0);
      set("cmi.core.score.max", 100);
      set("cmi.core.lesson_status", passed ? "passed" : "failed");
      set("cmi.core.exit", "");
      commit();
      if (connected && !ok(api.LMSFinish(""))) { throw new Error("The platform did not record your score."); }
      finished = true;
      message = connected ? "Your score has been saved." : "Your score was not saved: no learning platform was found.";
    } catch (e) { message = e.message; }
    result.hidden = false;
    result.className = "result" + (passed ? " passed" : "");
    result.innerHTML = "";
    var heading = document.createElement("h2");
    heading.textContent = "You got " + right + " out of " + questions.length + " (" + score + "%)";
    var outcome = document.createElement("p");
    outcome.textContent = (passed
      ? "You passed. The feedback under each statement explains the answers. "
      : "You need " + mastery() + "% to pass. Read the feedback under each statement, then reload the lesson page to try again. ") + message;
    result.appendChild(heading);
    result.appendChild(outcome);
    result.focus();
  });

  window.addEventListener("load", function () {
    if (!api) {
      connection.textContent = "No learning platform was found, so your answers will not be saved.";
      return;
    }
    connected = ok(api.LMSInitialize(""));
    if (!connected) {
      connection.textContent = "Could not connect to the learning platform (error " + api.LMSGetLastError() + ").";
      return;
    }
    if (get("cmi.core.lesson_status") === "not attempted") {
      try { set("cmi.core.lesson_status", "incomplete"); commit(); } catch (e) { connection.textContent = e.message; }
    }
    resume();
  });

  window.addEventListener("pagehide", function () {
    if (connected && !finished) { save(""); api.LMSFinish(""); finished = true; }
  });
}());
