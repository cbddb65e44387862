// History-API routing. The server answers each of these paths with index.html (apps/server
// src/box-office.ts keeps the same list), so a reload or a shared link opens the same page.
export type Route =
  | { page: "shows" }
  | { page: "show"; showId: number }
  | { page: "sign-in"; next: string }
  | { page: "sign-up"; next: string }
  | { page: "my-reservations" }
  | { page: "admin" }
  | { page: "not-found" };

export function routeOf(location: Location): Route {
  const path = location.pathname.replace(/\/+$/u, "") || "/";
  const next = safeNext(new URLSearchParams(location.search).get("next"));
  if (path === "/") return { page: "shows" };
  if (path === "/sign-in") return { page: "sign-in", next };
  if (path === "/sign-up") return { page: "sign-up", next };
  if (path === "/my-reservations") return { page: "my-reservations" };
  if (path === "/admin") return { page: "admin" };
  const show = /^\/show\/([1-9]\d{0,9})$/u.exec(path);
  if (show) return { page: "show", showId: Number(show[1]) };
  return { page: "not-found" };
}

/** Only a path of this app, never another origin. */
function safeNext(next: string | null): string {
  return next && /^\/(?!\/)/u.test(next) ? next : "/";
}

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path !== `${location.pathname}${location.search}`) history.pushState(null, "", path);
  for (const listener of listeners) listener();
}

export function onNavigate(listener: () => void): void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  // Links marked data-link move within the app instead of reloading it.
  document.addEventListener("click", (event) => {
    const link = (event.target as Element).closest<HTMLAnchorElement>("a[data-link]");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(link.getAttribute("href") ?? "/");
  });
}

export function signInPath(): string {
  return `/sign-in?next=${encodeURIComponent(`${location.pathname}${location.search}`)}`;
}
