// Show why an htmx action was refused (rate limit, too long, not allowed) instead of
// silently doing nothing: htmx does not swap 4xx/5xx responses by default.
document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  const type = xhr.getResponseHeader("Content-Type") || "";
  const text = type.startsWith("text/plain") ? xhr.responseText : `Request failed (HTTP ${xhr.status}).`;
  let box = document.getElementById("htmx-errors");
  if (!box) {
    box = document.createElement("ul");
    box.id = "htmx-errors";
    box.className = "messages container";
    box.setAttribute("role", "alert");
    document.querySelector("main")?.before(box);
  }
  const item = document.createElement("li");
  item.className = "message error";
  item.textContent = text;  // textContent: server text is never parsed as HTML
  box.replaceChildren(item);
});
