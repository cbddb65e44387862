import { api } from "../api";
import { fill, h } from "../dom";
import { fanMessage } from "../errors";
import { clearNotices, showError } from "../notices";
import { navigate } from "../router";
import { session } from "../session";

function field(label: string, attributes: Record<string, string | boolean>): HTMLElement {
  return h("label", { class: "field" }, h("span", {}, label), h("input", attributes));
}

export function renderSignIn(main: HTMLElement, next: string): void {
  const form = h(
    "form",
    { class: "card form", "aria-label": "Sign in" },
    field("Email", { name: "email", type: "email", autocomplete: "username", required: true }),
    field("Password", {
      name: "password",
      type: "password",
      autocomplete: "current-password",
      required: true,
    }),
    h("button", { type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    try {
      session.signIn(
        await api.auth.login.mutate({
          email: String(data.get("email")),
          password: String(data.get("password")),
        }),
      );
      clearNotices();
      navigate(next);
    } catch (error) {
      showError(fanMessage(error));
    } finally {
      if (button) button.disabled = false;
    }
  });
  fill(
    main,
    h("h1", {}, "Sign in"),
    form,
    h(
      "p",
      {},
      "New here? ",
      h("a", { href: `/sign-up?next=${encodeURIComponent(next)}`, "data-link": true }, "Create an account"),
    ),
  );
}

export function renderSignUp(main: HTMLElement, next: string): void {
  const form = h(
    "form",
    { class: "card form", "aria-label": "Create an account" },
    field("Name", { name: "name", autocomplete: "name", required: true }),
    field("Phone", { name: "phone_number", type: "tel", autocomplete: "tel", required: true }),
    field("Email", { name: "email", type: "email", autocomplete: "email", required: true }),
    field("Password (at least 8 characters)", {
      name: "password",
      type: "password",
      autocomplete: "new-password",
      minlength: "8",
      required: true,
    }),
    h("button", { type: "submit" }, "Create account"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const email = String(data.get("email"));
    const password = String(data.get("password"));
    try {
      await api.users.create.mutate({
        name: String(data.get("name")),
        phone_number: String(data.get("phone_number")),
        email,
        password,
      });
      session.signIn(await api.auth.login.mutate({ email, password }));
      clearNotices();
      navigate(next);
    } catch (error) {
      showError(fanMessage(error));
    }
  });
  fill(
    main,
    h("h1", {}, "Create an account"),
    form,
    h(
      "p",
      {},
      "Have one already? ",
      h("a", { href: `/sign-in?next=${encodeURIComponent(next)}`, "data-link": true }, "Sign in"),
    ),
  );
}
