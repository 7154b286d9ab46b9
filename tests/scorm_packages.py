"""SCORM packages built by the tests themselves (issue 17): a single-SCO SCORM 1.2 or
2004 package whose page finds the runtime's API by the standard walk up window.parent
(then window.opener) and calls it, and the pieces to build broken ones from.

The SCO's page (`sco_page`) shows, and lets a test or a person drive:
- on load: Initialize / LMSInitialize, then "Saved place: <location>" (or "Saved
  place: none") and "Saved notes: <suspend data>" read back from the runtime (#saved,
  #saved-notes), the connection in #connection;
- "Save my place" (#save): sets the location and suspend data from the "Place" and
  "Notes" fields, exit "suspend", Commit;
- "Finish and pass" / "Finish and fail" (#pass, #fail): sets the score from the
  "Score" field (0 to 100) and the status (1.2: cmi.core.lesson_status passed/failed;
  2004: completion "completed" and success passed/failed, scaled score), Commit, then
  Terminate / LMSFinish;
- each call's outcome in #result (role=status), e.g. "Saved" or "Finished".
"""

import io
import stat
import zipfile
from html import escape

IMSCP_12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSCP_2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"

SCHEMA_2004 = {3: "2004 3rd Edition", 4: "2004 4th Edition"}

_SCRIPT = """
(function () {
  var V2004 = %(is_2004)s;
  var NAME = V2004 ? "API_1484_11" : "API";
  function find(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      try { if (win[NAME]) { return win[NAME]; } } catch (e) { return null; }
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }
  var api = find(window);
  if (!api && window.opener) { api = find(window.opener); }
  var call = V2004
    ? {init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit",
       finish: "Terminate", error: "GetLastError"}
    : {init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
       finish: "LMSFinish", error: "LMSGetLastError"};
  var el = {
    location: V2004 ? "cmi.location" : "cmi.core.lesson_location",
    exit: V2004 ? "cmi.exit" : "cmi.core.exit",
    raw: V2004 ? "cmi.score.raw" : "cmi.core.score.raw",
    min: V2004 ? "cmi.score.min" : "cmi.core.score.min",
    max: V2004 ? "cmi.score.max" : "cmi.core.score.max"
  };
  function $(id) { return document.getElementById(id); }
  function say(text) { $("result").textContent = text; }
  function ok(result) { return result === true || result === "true"; }
  function set(name, value) {
    if (!ok(api[call.set](name, String(value)))) {
      throw new Error("Could not set " + name + " (error " + api[call.error]() + ")");
    }
  }
  function finish(passed) {
    try {
      var score = Math.max(0, Math.min(100, parseInt($("score").value, 10) || 0));
      set(el.raw, score); set(el.min, 0); set(el.max, 100);
      if (V2004) {
        set("cmi.score.scaled", score / 100);
        set("cmi.completion_status", "completed");
        set("cmi.success_status", passed ? "passed" : "failed");
      } else {
        set("cmi.core.lesson_status", passed ? "passed" : "failed");
      }
      set(el.exit, "");
      if (!ok(api[call.commit](""))) { throw new Error("Commit failed"); }
      if (!ok(api[call.finish](""))) { throw new Error("Finish failed"); }
      say("Finished");
    } catch (e) { say(e.message); }
  }
  window.addEventListener("load", function () {
    if (!api) { $("connection").textContent = "No learning platform found"; return; }
    if (!ok(api[call.init](""))) {
      $("connection").textContent = "Could not connect (error " + api[call.error]() + ")";
      return;
    }
    $("connection").textContent = "Connected";
    var place = api[call.get](el.location);
    var notes = api[call.get]("cmi.suspend_data");
    $("saved").textContent = "Saved place: " + (place || "none");
    $("saved-notes").textContent = "Saved notes: " + (notes || "none");
    $("save").addEventListener("click", function () {
      try {
        set(el.location, $("place").value);
        set("cmi.suspend_data", $("notes").value);
        set(el.exit, "suspend");
        if (!ok(api[call.commit](""))) { throw new Error("Commit failed"); }
        say("Saved");
      } catch (e) { say(e.message); }
    });
    $("pass").addEventListener("click", function () { finish(true); });
    $("fail").addEventListener("click", function () { finish(false); });
  });
}());
"""


def sco_page(*, title: str, is_2004: bool) -> str:
    """The SCO's launch page (see the module's docstring)."""
    script = _SCRIPT % {"is_2004": "true" if is_2004 else "false"}
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{escape(title)}</title></head>
<body>
<main>
<h1>{escape(title)}</h1>
<p id="connection">Connecting</p>
<p id="saved">Saved place: unknown</p>
<p id="saved-notes">Saved notes: unknown</p>
<p><label for="place">Place</label> <input id="place" name="place" value="page-2"></p>
<p><label for="notes">Notes</label> <input id="notes" name="notes" value="answered-1"></p>
<p><label for="score">Score</label>
<input id="score" name="score" inputmode="numeric" value="80"></p>
<p><button type="button" id="save">Save my place</button>
<button type="button" id="pass">Finish and pass</button>
<button type="button" id="fail">Finish and fail</button></p>
<p id="result" role="status"></p>
</main>
<script>{script}</script>
</body>
</html>
"""


def _manifest(*, imscp: str, adlcp: str, scorm_type: str, schema_version: str | None,
              title: str, launch: str, identifier: str) -> str:
    """An imsmanifest.xml with one organisation, one item and one SCO at `launch`."""
    metadata = (f"<metadata><schema>ADL SCORM</schema>"
                f"<schemaversion>{escape(schema_version)}</schemaversion></metadata>"
                if schema_version is not None else "")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{escape(identifier)}" version="1" xmlns="{imscp}" xmlns:adlcp="{adlcp}">
  {metadata}
  <organizations default="org-1">
    <organization identifier="org-1">
      <title>{escape(title)}</title>
      <item identifier="item-1" identifierref="sco-1">
        <title>{escape(title)}</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco-1" type="webcontent" adlcp:{scorm_type}="sco" href="{escape(launch)}">
      <file href="{escape(launch)}"/>
    </resource>
  </resources>
</manifest>
"""


def manifest_12(*, title: str = "Agile basics (SCORM 1.2)", launch: str = "index.html",
                identifier: str = "com.example.agile12",
                schema_version: str | None = "1.2") -> str:
    """A SCORM 1.2 imsmanifest.xml (adlcp:scormtype); schema_version None leaves out
    the metadata, as older 1.2 packages do."""
    return _manifest(imscp=IMSCP_12, adlcp=ADLCP_12, scorm_type="scormtype",
                     schema_version=schema_version, title=title, launch=launch,
                     identifier=identifier)


def manifest_2004(*, edition: int = 4, title: str = "User research (SCORM 2004)",
                  launch: str = "index.html", identifier: str = "com.example.research2004",
                  schema_version: str | None = None) -> str:
    """A SCORM 2004 3rd or 4th edition imsmanifest.xml (adlcp:scormType); or with any
    other schema_version written in it."""
    return _manifest(imscp=IMSCP_2004, adlcp=ADLCP_2004, scorm_type="scormType",
                     schema_version=schema_version or SCHEMA_2004[edition], title=title,
                     launch=launch, identifier=identifier)


def zip_of(entries, *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A .zip of (name or ZipInfo, bytes or str) entries, in order, as given (no checks:
    broken packages are built with this too)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def symlink_entry(name: str) -> zipfile.ZipInfo:
    """A zip entry marked as a symbolic link (its data is the link's target)."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix, so the mode in external_attr counts
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def scorm12_zip(*, title: str = "Agile basics (SCORM 1.2)", launch: str = "index.html",
                extra_files: dict[str, bytes | str] | None = None,
                page: str | None = None) -> bytes:
    """A single-SCO SCORM 1.2 package: imsmanifest.xml, the SCO's page at `launch`
    (sco_page, or `page`), and any extra files."""
    return zip_of([("imsmanifest.xml", manifest_12(title=title, launch=launch)),
                   (launch, page if page is not None else sco_page(title=title, is_2004=False)),
                   *(extra_files or {}).items()])


def scorm2004_zip(*, edition: int = 4, title: str = "User research (SCORM 2004)",
                  launch: str = "index.html",
                  extra_files: dict[str, bytes | str] | None = None,
                  page: str | None = None) -> bytes:
    """A single-SCO SCORM 2004 package of the 3rd or 4th edition (see scorm12_zip)."""
    return zip_of([("imsmanifest.xml", manifest_2004(edition=edition, title=title, launch=launch)),
                   (launch, page if page is not None else sco_page(title=title, is_2004=True)),
                   *(extra_files or {}).items()])
