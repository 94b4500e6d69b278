// A stand-in for the Care App: it signs in with the Care App's own app client, so the
// pre-authentication trigger applies the Care App's rules (R13: a pending or inactive client
// is refused here while the portal lets a pending one in), then lists GET /me/connections.
import { api, endSession, session } from "./client.js";
import { signInForm } from "./public.js";
import { h, render, showError, statusRegion } from "./ui.js";

export async function careApp(slug) {
  const s = session(slug, "care_app");
  if (!s) {
    render("Care App (stand-in)",
      h("p", {}, "This page stands in for the Care App: it signs in with the Care App's app client and shows your connections."),
      signInForm({ slug, app: "care_app", submit: "Sign in to the Care App", onSignedIn: () => careApp(slug) }));
    return;
  }
  const status = statusRegion();
  const signOut = h("button", { type: "button", class: "secondary", onclick: () => { endSession(slug, "care_app"); careApp(slug); } }, "Sign out of the Care App");
  let me;
  let connections;
  try {
    [me, connections] = await Promise.all([api("/me", { token: s.id_token }), api("/me/connections", { token: s.id_token })]);
  } catch (err) {
    render("Care App (stand-in)", status, signOut);
    showError(status, err);
    return;
  }
  const label = (c) => c.kind === "practitioner" ? c.display_name : `${c.last_name}, ${c.first_name}${c.preferred_name ? ` (${c.preferred_name})` : ""}`;
  render("Care App (stand-in)",
    h("p", {}, `Signed in as ${me.username}.`),
    h("h2", {}, "My connections"),
    connections.items.length
      ? h("ul", { class: "records", "aria-label": "Connections" }, connections.items.map((c) => h("li", {}, label(c), h("span", { class: "meta" }, c.kind))))
      : h("p", {}, "No connections yet."),
    signOut);
}
