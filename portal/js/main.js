// The router: the path is /<organization slug>/<page>[/<id>], the shape of every link the
// back end emails (emails.py, PORTAL_BASE_URL). A static host serves index.html for every
// path that is not a file (README, "Reference portal"); each page is a full page load.
import { api, endSession, session } from "./client.js";
import { careApp } from "./careapp.js";
import { MFA_REQUIRED, account, clientList, clientNew, clientRecord, organization, staffList, staffRecord } from "./office.js";
import * as pub from "./public.js";
import { h, render, showError, statusRegion } from "./ui.js";

const enc = encodeURIComponent;
const PUBLIC = {
  register: pub.register,
  "confirm-email": pub.confirmEmail,
  "accept-invitation": pub.acceptInvitation,
  login: pub.login,
  "forgot-login": pub.forgotLogin,
  "reset-password": pub.resetPassword,
  "confirm-email-change": pub.confirmEmailChange,
  "get-started": pub.getStarted,
  "care-app": careApp,
};

function nav(slug, me) {
  const here = location.pathname;
  const item = (href, text) => h("li", {}, h("a", { href, "aria-current": here.startsWith(href) ? "page" : undefined }, text));
  const base = `/${enc(slug)}`;
  let items;
  if (me) {
    items = [
      me.kind === "staff" ? [item(`${base}/clients`, "Clients"), item(`${base}/staff`, "Staff"), item(`${base}/organization`, "Organization")] : null,
      item(`${base}/account`, "My account"),
      h("li", {}, h("button", { type: "button", onclick: () => { endSession(slug, "portal"); location.assign(`${base}/login`); } }, "Sign out")),
    ];
  } else {
    items = [item(`${base}/care-app`, "Care App"), item(`${base}/login`, "Sign in"), item(`${base}/register`, "Register")];
  }
  document.getElementById("nav").replaceChildren(h("ul", {}, items));
  const brand = document.getElementById("brand");
  brand.href = me ? base + (me.kind === "staff" ? "/clients" : "/account") : `${base}/login`;
}

/** A signed-in page: the portal session, the caller (GET /me), calls with the ID token. A
 * missing or refused token goes back to Sign in. Staff whose organization requires two-step
 * sign-in they have not set up (R30: 403 mfa_enrollment_required) are taken to My account,
 * where they set it up, with the API's answer. */
async function signedIn(slug) {
  const s = session(slug, "portal");
  if (!s) {
    location.assign(`/${enc(slug)}/login`);
    return null;
  }
  const call = async (path, options = {}) => {
    try {
      return await api(path, { ...options, token: s.id_token });
    } catch (err) {
      if (err.status === 403 && err.body.code === "mfa_enrollment_required" && location.pathname !== `/${enc(slug)}/account`) {
        sessionStorage.setItem(MFA_REQUIRED, JSON.stringify({ status: err.status, body: err.body }));
        location.assign(`/${enc(slug)}/account#two-step`);
        return new Promise(() => {});  // the page is leaving: nothing more to show here
      }
      throw err;
    }
  };
  try {
    const me = await call("/me");
    return { slug, me, call, session: s };
  } catch (err) {
    if (err.status === 401) {
      endSession(slug, "portal");
      location.assign(`/${enc(slug)}/login`);
      return null;
    }
    throw err;
  }
}

async function route() {
  const parts = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return pub.home();
  const [slug, page, id, ...rest] = parts;
  document.getElementById("brand").textContent = `${slug} · portal`;
  if (!page) return location.replace(`/${enc(slug)}/login`);
  if (PUBLIC[page] && !id) {
    nav(slug, null);
    return PUBLIC[page](slug);
  }
  const ctx = await signedIn(slug);
  if (!ctx) return undefined;
  nav(slug, ctx.me);
  const staffOnly = { clients: true, staff: true, organization: true };
  if (staffOnly[page] && ctx.me.kind !== "staff") return location.replace(`/${enc(slug)}/account`);
  if (rest.length === 0) {
    if (page === "account" && !id) return account(ctx);
    if (page === "clients" && !id) return clientList(ctx);
    if (page === "clients" && id === "new") return clientNew(ctx);
    if (page === "clients") return clientRecord(ctx, id);
    if (page === "staff" && !id) return staffList(ctx);
    if (page === "staff") return staffRecord(ctx, id);
    if (page === "organization" && !id) return organization(ctx);
  }
  render("Page not found", h("p", {}, "This portal has no such page. ", h("a", { href: `/${enc(slug)}/login` }, "Sign in")));
  return undefined;
}

route().catch((err) => {
  const status = statusRegion();
  render("Something went wrong", status);
  showError(status, err);
});
