// The sign-in screen: email + password, with clear 401 and 429 messages.

import { h, icon } from "./dom";
import { signIn, ApiError } from "./api";

export interface SigninOptions {
  /** Called after a 200. */
  onSignedIn: () => Promise<void> | void;
  /** Why we're here (e.g. "Your session ended"). */
  note?: string;
}

/** Seconds to wait before trying again, from a 429's detail ("… in 30 s"), or null. */
export function retryAfter(detail: string): number | null {
  const wait = /(\d+)\s*s\b/.exec(detail);
  return wait ? Number(wait[1]) : null;
}

/** The screen: the brand, why we're here, and the form. */
function signinScreen(note: string) {
  const email = h("input", { id: "signin-email", type: "email", name: "email", autocomplete: "username", required: true, spellcheck: "false" });
  const password = h("input", { id: "signin-password", type: "password", name: "password", autocomplete: "current-password", required: true });
  const error = h("div.form-error", { id: "signin-error", role: "alert", aria: { live: "assertive" } });
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit" }, "Sign in");
  const form = h("form.signin-form", { novalidate: true, aria: { describedby: "signin-error" } },
    h("label.field-label", { for: "signin-email" }, "Email"), email,
    h("label.field-label", { for: "signin-password" }, "Password"), password,
    error, submit);
  const card = h("main.signin", { aria: { labelledby: "signin-title" } },
    h("div.signin-card", null,
      h("div.brand.brand-large", null, h("span.brand-mark", { aria: { hidden: "true" } }, icon("chat", 18)), "tapline"),
      h("h1", { id: "signin-title" }, "Sign in to the desk"),
      note ? h("p.signin-note", { role: "status" }, icon("info", 14), note) : null,
      form));
  return { card, form, email, password, error, submit };
}

/** Render the sign-in form into `root`. */
export function showSignin(root: HTMLElement, { onSignedIn, note = "" }: SigninOptions): void {
  const { card, form, email, password, error, submit } = signinScreen(note);
  root.replaceChildren(card);

  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Says what went wrong; true when the button stays off until the server's wait is over. */
  const failed = (err: unknown): boolean => {
    const status = err instanceof ApiError ? err.status : 0;
    if (status === 401) {
      error.textContent = "Email or password is wrong.";
      password.setAttribute("aria-invalid", "true");
      password.select();
      password.focus();
    } else if (status === 429 && err instanceof ApiError) {
      // The server says how long to wait; keep the button off until then.
      error.textContent = err.detail || "Too many sign-in attempts. Try again later.";
      const wait = retryAfter(err.detail || "");
      if (wait !== null) {
        submit.disabled = true;
        submit.textContent = "Sign in";
        clearTimeout(retryTimer);
        retryTimer = setTimeout(() => {
          submit.disabled = false;
        }, wait * 1000);
        return true;
      }
    } else {
      error.textContent = (err instanceof Error && err.message) || "Sign-in failed. Try again.";
    }
    return false;
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    email.removeAttribute("aria-invalid");
    password.removeAttribute("aria-invalid");
    if (!email.value.trim() || !password.value) {
      error.textContent = "Enter your email and password.";
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      await signIn(email.value.trim(), password.value);
      clearTimeout(retryTimer);
      await onSignedIn();
    } catch (err) {
      if (failed(err)) return;
    }
    submit.disabled = false;
    submit.textContent = "Sign in";
  });
  email.focus();
}
