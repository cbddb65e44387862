// The box office: routes each path of the app to its page, keeps the navigation in step with the
// session, and stops a page's feed and timers when the fan moves on.
import "./styles.css";
import { fill, h } from "./dom";
import { alertRegion, clearNotices, statusRegion } from "./notices";
import { renderAdmin } from "./pages/admin";
import { renderSignIn, renderSignUp } from "./pages/auth";
import { renderMyReservations } from "./pages/my-reservations";
import { renderShow } from "./pages/show";
import { renderShows } from "./pages/shows";
import { navigate, onNavigate, routeOf } from "./router";
import { session } from "./session";

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
main.before(alertRegion, statusRegion);

function link(href: string, text: string): HTMLAnchorElement {
  const anchor = h("a", { href, "data-link": true }, text);
  if (location.pathname === href) anchor.setAttribute("aria-current", "page");
  return anchor;
}

function paintNav(): void {
  const signedIn = session.current();
  const signOut = h("button", { type: "button", class: "link" }, "Sign out");
  signOut.addEventListener("click", () => {
    session.signOut();
    navigate("/");
  });
  fill(
    nav,
    link("/", "Shows"),
    signedIn ? link("/my-reservations", "My reservations") : null,
    signedIn?.user.role === "admin" ? link("/admin", "Admin") : null,
    signedIn ? h("span", { class: "who" }, signedIn.user.name) : null,
    signedIn ? signOut : link("/sign-in", "Sign in"),
  );
}

let leavePage: (() => void) | undefined;
let visit = 0;

async function render(): Promise<void> {
  const thisVisit = ++visit;
  leavePage?.();
  leavePage = undefined;
  clearNotices();
  paintNav();
  const route = routeOf(location);
  switch (route.page) {
    case "shows":
      await renderShows(main);
      break;
    case "show": {
      const leave = await renderShow(main, route.showId);
      // The fan may have moved on while the map loaded.
      if (thisVisit === visit) leavePage = leave;
      else leave();
      break;
    }
    case "sign-in":
      renderSignIn(main, route.next);
      break;
    case "sign-up":
      renderSignUp(main, route.next);
      break;
    case "my-reservations":
      await renderMyReservations(main);
      break;
    case "admin":
      await renderAdmin(main);
      break;
    case "not-found":
      fill(main, h("h1", {}, "Not found"), h("p", {}, link("/", "See all shows")));
      break;
  }
}

session.onChange(paintNav);
onNavigate(() => void render());
void render();
