// Posture's only script besides htmx. Loaded from 'self' (the CSP forbids inline script).
// 1. Dismiss buttons on messages.  2. Tell the user when an htmx request fails: htmx 2 does not
//    swap 4xx/5xx answers, so without this a failed click would look like nothing happened.
(function () {
  "use strict";

  function toast(kind, text) {
    var region = document.getElementById("client-messages");
    if (!region) return;
    var item = document.createElement("div");
    item.className = "message message-" + kind;
    item.setAttribute("role", kind === "error" ? "alert" : "status");
    var label = document.createElement("span");
    label.className = "message-kind";
    label.textContent = kind === "error" ? "Error" : "Note";
    var body = document.createElement("span");
    body.className = "message-text";
    body.textContent = text; // textContent, never innerHTML: server text stays text
    var close = document.createElement("button");
    close.type = "button";
    close.className = "message-close";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    item.append(label, body, close);
    region.append(item);
    setTimeout(function () { item.remove(); }, 8000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) {
      var message = button.closest(".message");
      if (message) message.remove();
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 401) return; // HX-Redirect to the sign-in page follows
    var text = status === 403 ? "You don't have permission for that action."
      : status === 404 ? "That item no longer exists."
      : "The server could not complete the request (" + status + "). Try again.";
    toast("error", text);
  });

  document.addEventListener("htmx:sendError", function () {
    toast("error", "The server could not be reached. Check your connection and try again.");
  });
})();
