// The SCORM runtime on the content origin (learners/scorm_content.py): scorm-again's
// API with the attempt's saved data, on this window, where the package (in the frame
// below, same origin) finds it by walking up window.parent. Commits go to the lesson
// page (the academy's origin) by postMessage, to that origin only; the lesson page
// sends them on to the academy with the learner's session. Nothing here can reach the
// academy itself: this origin has none of its cookies.
(function () {
  "use strict";
  var launch = JSON.parse(document.getElementById("scorm-launch").textContent);
  var academy = launch.academyOrigin;
  if (window.parent === window) {
    return; // not inside the lesson page: nothing to save to
  }
  var sequence = 0;

  function post(message) {
    window.parent.postMessage(message, academy);
  }

  // scorm-again calls this on each commit (LMSCommit / Commit, autocommit, and the
  // commit at LMSFinish / Terminate) with the data flattened ("cmi.core.lesson_status":
  // "passed"). The SCO gets success at once: the lesson page says if a save fails.
  var httpService = {
    processHttpRequest: function (url, params, immediate, apiLog, processListeners, metadata) {
      sequence += 1;
      post({type: "scorm-commit", attempt: launch.attempt, sequence: sequence,
            terminate: Boolean(metadata && metadata.isTerminateCommit), cmi: params});
      return {result: true, errorCode: 0};
    },
    updateSettings: function () {}
  };
  var settings = {
    lmsCommitUrl: "academy", dataCommitFormat: "flattened", httpService: httpService,
    autocommit: true, autocommitSeconds: 15, logLevel: 4
  };
  var api = launch.is2004 ? new window.Scorm2004API(settings) : new window.Scorm12API(settings);
  api.loadFromFlattenedJSON(launch.cmi);
  if (launch.is2004) {
    window.API_1484_11 = api;
  } else {
    window.API = api;
  }

  // The lesson page's answers: only from the academy, only from the page that framed us.
  window.addEventListener("message", function (event) {
    if (event.origin !== academy || event.source !== window.parent) {
      return;
    }
    var data = event.data || {};
    if (data.type === "scorm-saved" && !data.saved && window.console) {
      window.console.warn("The academy did not save this progress: " + data.message);
    }
  });
  post({type: "scorm-ready", attempt: launch.attempt});
})();
