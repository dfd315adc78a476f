// htmx requests that change something carry the CSRF token Django expects in a header, read
// from the CSRF cookie (readable by design: CSRF_COOKIE_HTTPONLY is off). Pages themselves
// carry no per-visitor token, so anonymous pages can be cached as they are.
document.addEventListener("htmx:configRequest", (event) => {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
  if (match) event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
});
