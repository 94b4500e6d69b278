// The signed-in screens: Clients, Staff, Organization (staff), My account (anyone).
import { ApiError, associateSoftwareToken, otpauthUri, verifySoftwareToken } from "./client.js";
import { badge, checkbox, details, form, h, input, render, showError, showMessage, statusRegion } from "./ui.js";

const enc = encodeURIComponent;
const STATUSES = [["active", "Active"], ["inactive", "Inactive"], ["pending", "Pending"]];
const ROLES = [["org_admin", "Organization administrator"], ["dept_admin", "Department administrator"], ["care_coordinator", "Care coordinator"], ["practitioner", "Practitioner"]];
const fullName = (p) => `${p.last_name}, ${p.first_name}`;
/** Where sessionStorage keeps the API's refusal that sent a staff member to set up two-step
 * sign-in (R30: 403 mfa_enrollment_required), for My account to show. */
export const MFA_REQUIRED = "portal-mfa-required";

/** Loads what a page needs; an error replaces the page with the API's words. */
async function load(title, calls) {
  try {
    return await Promise.all(calls);
  } catch (err) {
    const status = statusRegion();
    render(title, status);
    showError(status, err);
    return null;
  }
}

// ---------------------------------------------------------------- Clients
export async function clientList(ctx) {
  const params = new URLSearchParams(location.search);
  const status = STATUSES.some(([s]) => s === params.get("status")) ? params.get("status") : "active";
  const loaded = await load("Clients", [ctx.call(`/clients?status=${status}&limit=50`)]);
  if (!loaded) return;
  const [page] = loaded;
  const list = h("ul", { class: "records", "aria-label": `${status} clients` });
  const more = h("div");
  const add = (p) => {
    list.append(...p.items.map((c) => h("li", {},
      h("a", { href: `/${enc(ctx.slug)}/clients/${enc(c.id)}` }, fullName(c)),
      h("span", { class: "meta" }, c.email, " ", badge(c.status)))));
    more.replaceChildren(p.next_cursor ? h("button", {
      type: "button", class: "secondary",
      onclick: async () => {
        try {
          add(await ctx.call(`/clients?status=${status}&limit=50&cursor=${enc(p.next_cursor)}`));
        } catch (err) { showError(more, err); }
      },
    }, "Show more") : "");
  };
  add(page);
  const picker = input({ label: "Show", name: "status", type: "select", value: status, options: STATUSES });
  picker.querySelector("select").addEventListener("change", (e) => location.assign(`?status=${e.target.value}`));
  render("Clients",
    h("div", { class: "toolbar" }, picker, h("a", { class: "button", href: `/${enc(ctx.slug)}/clients/new` }, "Create New")),
    page.items.length ? list : h("p", {}, `No ${status} clients.`),
    more);
}

function practitionerFields(practitioners, departments, prefix = "") {
  const depName = (id) => (departments.find((d) => d.id === id) || { name: id }).name;
  return practitioners.map((p) => {
    const box = checkbox({ label: `${p.first_name} ${p.last_name}`, name: `${prefix}practitioner`, value: p.id });
    if (p.department_ids.length < 2) return box;
    const dep = input({
      label: `Department for ${p.first_name} ${p.last_name}`, name: `${prefix}department:${p.id}`, type: "select",
      hint: "A practitioner in more than one department: one department per association.",
      options: [["", "Choose…"], ...p.department_ids.map((id) => [id, depName(id)])],
    });
    return h("div", {}, box, dep);
  });
}

function chosenPractitioners(v, prefix = "") {
  return (v[`${prefix}practitioner`] || []).map((id) => {
    const dep = v[`${prefix}department:${id}`];
    return dep ? { practitioner_id: id, department_id: dep } : { practitioner_id: id };
  });
}

/** "Create New" (guide, option 1). Idempotency-Key: a double submit creates one client. */
export async function clientNew(ctx) {
  const loaded = await load("New client", [ctx.call("/staff?role=practitioner"), ctx.call("/departments")]);
  if (!loaded) return;
  const [practitioners, departments] = loaded;
  const key = crypto.randomUUID();
  render("New client",
    form({
      fields: [
        input({ label: "First name", name: "first_name", autocomplete: "off", required: true }),
        input({ label: "Last name", name: "last_name", autocomplete: "off", required: true }),
        input({ label: "Email", name: "email", type: "email", autocomplete: "off", required: true }),
        input({ label: "Date of birth", name: "dob", type: "date", required: true, hint: "YYYY-MM-DD" }),
        input({ label: "Phone", name: "phone", type: "tel", autocomplete: "off" }),
        input({ label: "Preferred name", name: "preferred_name", autocomplete: "off" }),
        h("fieldset", {},
          h("legend", {}, "Practitioners"),
          h("p", { class: "hint" }, "Important: a client with no practitioner does not appear in the Care App."),
          h("span", { class: "field-error", "data-error-for": "practitioners" }),
          practitioners.items.length ? practitionerFields(practitioners.items.filter((p) => p.active), departments.items) : h("p", {}, "No practitioners yet.")),
      ],
      submit: "Create",
      action: async (v) => {
        const body = { first_name: v.first_name, last_name: v.last_name, email: v.email, dob: v.dob, practitioners: chosenPractitioners(v) };
        if (v.phone) body.phone = v.phone;
        if (v.preferred_name) body.preferred_name = v.preferred_name;
        const client = await ctx.call("/clients", { method: "POST", body, headers: { "Idempotency-Key": key } });
        // The API's own notice (no practitioner: not in the Care App yet) for the next page;
        // the URL carries only a known code, so a crafted link cannot put words on the page.
        if (client.notice) sessionStorage.setItem("portal-notice", client.notice);
        location.assign(`/${enc(ctx.slug)}/clients/${enc(client.id)}?notice=created`);
      },
    }));
}

/** The client record: details, Edit (with the Active box), "Approve this Account",
 * practitioner associations, a new invitation or a password reset. */
export async function clientRecord(ctx, id) {
  const loaded = await load("Client", [ctx.call(`/clients/${enc(id)}`), ctx.call("/staff?role=practitioner"), ctx.call("/departments")]);
  if (!loaded) return;
  const [client, practitioners, departments] = loaded;
  const base = `/${enc(ctx.slug)}/clients/${enc(id)}`;
  const status = statusRegion();
  const reload = (notice) => location.assign(`${base}?notice=${enc(notice)}`);
  const notice = new URLSearchParams(location.search).get("notice");
  const staffName = (pid) => {
    const p = practitioners.items.find((s) => s.id === pid);
    return p ? `${p.first_name} ${p.last_name}` : pid;
  };
  const depName = (did) => (departments.items.find((d) => d.id === did) || { name: did }).name;

  const actions = [];
  if (client.status === "pending") {
    actions.push(h("button", {
      type: "button",
      onclick: async () => {
        try {
          await ctx.call(`/clients/${enc(id)}/approve`, { method: "POST" });
          reload("approved");
        } catch (err) { showError(status, err); }
      },
    }, "Approve this Account"));
  }
  const post = (path, done) => async () => {
    try {
      await ctx.call(path, { method: "POST" });
      showMessage(status, done);
    } catch (err) { showError(status, err); }
  };
  if (!client.credentials_set && client.origin === "staff") {
    actions.push(h("button", { type: "button", class: "secondary", onclick: post(`/clients/${enc(id)}/invitation`, "A new invitation was sent; the previous link no longer works.") }, "Send a new invitation"));
  }
  if (client.credentials_set) {
    actions.push(h("button", { type: "button", class: "secondary", onclick: post(`/clients/${enc(id)}/password-reset`, "A password reset email was sent to the client.") }, "Send a password reset"));
  }

  const editSlot = h("div");
  const edit = () => {
    const f = form({
      region: status,
      fields: [
        input({ label: "First name", name: "first_name", value: client.first_name }),
        input({ label: "Last name", name: "last_name", value: client.last_name }),
        input({ label: "Email", name: "email", type: "email", value: client.email, hint: client.credentials_set ? "The client owns this address now: they change it themselves." : undefined }),
        input({ label: "Date of birth", name: "dob", type: "date", value: client.dob }),
        input({ label: "Phone", name: "phone", type: "tel", value: client.phone || "" }),
        input({ label: "Preferred name", name: "preferred_name", value: client.preferred_name || "" }),
        client.status === "pending" ? null : checkbox({ label: "Active", name: "active", checked: client.status === "active", hint: " Unchecked: the client cannot sign in to the portal or the Care App." }),
      ],
      submit: "Save",
      secondary: h("button", { type: "button", class: "secondary", onclick: () => editSlot.replaceChildren() }, "Cancel"),
      action: async (v) => {
        const body = {};
        for (const name of ["first_name", "last_name", "email", "dob"]) if (v[name] !== client[name]) body[name] = v[name];
        for (const name of ["phone", "preferred_name"]) if (v[name] !== (client[name] || "")) body[name] = v[name] || null;
        if (v.active && (v.active.length > 0) !== (client.status === "active")) body.active = v.active.length > 0;
        await ctx.call(`/clients/${enc(id)}`, { method: "PATCH", body });
        reload("saved");
      },
    });
    editSlot.replaceChildren(h("h2", {}, "Edit"), f);
    f.querySelector("input").focus();
  };

  const linked = client.practitioners || [];
  const associations = h("ul", { class: "records", "aria-label": "Practitioners" }, linked.map((a) => h("li", {},
    h("span", {}, staffName(a.practitioner_id), h("span", { class: "meta" }, ` (${depName(a.department_id)})`)),
    h("button", {
      type: "button", class: "secondary", "aria-label": `Remove ${staffName(a.practitioner_id)}`,
      onclick: async () => {
        try {
          await ctx.call(`/clients/${enc(id)}/practitioners/${enc(a.practitioner_id)}`, { method: "DELETE" });
          reload("practitioner_removed");
        } catch (err) { showError(status, err); }
      },
    }, "Remove"))));
  const available = practitioners.items.filter((p) => p.active && !linked.some((a) => a.practitioner_id === p.id));
  const addForm = form({
    region: status,
    fields: [h("fieldset", {}, h("legend", {}, "Add practitioners"),
      available.length ? practitionerFields(available, departments.items, "add-") : h("p", {}, "Every active practitioner is associated already."))],
    submit: "Save associations",
    action: async (v) => {
      for (const body of chosenPractitioners(v, "add-")) {
        await ctx.call(`/clients/${enc(id)}/practitioners`, { method: "POST", body });
      }
      reload("practitioners_saved");
    },
  });

  const link = client.link;
  render(`${client.first_name} ${client.last_name}`,
    status,
    details([
      ["Status", badge(client.status)],
      ["Email", client.email],
      ["Date of birth", client.dob],
      ["Phone", client.phone],
      ["Preferred name", client.preferred_name],
      ["Username", client.username],
      ["Email confirmed", client.email_confirmed ? "yes" : "no"],
      ["Credentials set", client.credentials_set ? "yes" : "no"],
      ["Origin", client.origin === "self" ? "registered themselves" : "created by staff"],
      ["Created", client.created_at],
      link ? ["Last link", `${link.purpose.replace("_", " ")}: ${link.state}${link.expires_at ? `, expires ${link.expires_at}` : ""}`] : null,
    ]),
    h("div", {}, actions, h("button", { type: "button", class: "secondary", onclick: edit }, "Edit")),
    editSlot,
    h("h2", {}, "Practitioners"),
    linked.length ? associations : h("p", {}, "No practitioner yet: this client does not appear in the Care App."),
    addForm);
  const text = notice && Object.hasOwn(NOTICES, notice) ? NOTICES[notice] : null;
  if (text) {
    const apiNotice = notice === "created" ? sessionStorage.getItem("portal-notice") : null;
    sessionStorage.removeItem("portal-notice");
    showMessage(status, apiNotice ? `${text} ${apiNotice}` : text);
  }
}

// What a record page says after a change (the URL names one of these, never the words).
const NOTICES = {
  created: "Client created. An email invites them to choose a username and password.",
  approved: "Approved: the client is active and can use the Care App.",
  saved: "Saved.",
  practitioner_removed: "Practitioner removed.",
  practitioners_saved: "Associations saved.",
};

// ---------------------------------------------------------------- Staff
export async function staffList(ctx) {
  const loaded = await load("Staff", [ctx.call("/staff"), ctx.call("/departments")]);
  if (!loaded) return;
  const [page, departments] = loaded;
  const roleName = (r) => (ROLES.find(([k]) => k === r) || [r, r])[1];
  const canInvite = ctx.me.roles.includes("org_admin") || ctx.me.roles.includes("dept_admin");
  const status = statusRegion();
  render("Staff",
    h("ul", { class: "records", "aria-label": "Staff" }, page.items.map((s) => h("li", {},
      h("a", { href: `/${enc(ctx.slug)}/staff/${enc(s.id)}` }, fullName(s)),
      h("span", { class: "meta" }, s.roles.map(roleName).join(", ") || "no role", s.active ? "" : " · inactive")))),
    canInvite ? [h("h2", {}, "Invite a staff member"), status, form({
      region: status,
      fields: [
        input({ label: "First name", name: "first_name" }),
        input({ label: "Last name", name: "last_name" }),
        input({ label: "Email", name: "email", type: "email" }),
        rolesFieldset([]),
        departmentsFieldset(departments.items, []),
      ],
      submit: "Invite",
      action: async (v) => {
        const staff = await ctx.call("/staff", { method: "POST", body: { first_name: v.first_name, last_name: v.last_name, email: v.email, roles: v.roles, department_ids: v.department_ids } });
        location.assign(`/${enc(ctx.slug)}/staff/${enc(staff.id)}`);
      },
    })] : null);
}

function rolesFieldset(current) {
  return h("fieldset", {}, h("legend", {}, "Roles"),
    h("span", { class: "field-error", "data-error-for": "roles" }),
    ROLES.map(([value, label]) => checkbox({ label, name: "roles", value, checked: current.includes(value) })));
}

function departmentsFieldset(departments, current) {
  return h("fieldset", {}, h("legend", {}, "Departments"),
    h("span", { class: "field-error", "data-error-for": "department_ids" }),
    departments.map((d) => checkbox({ label: d.name, name: "department_ids", value: d.id, checked: current.includes(d.id) })));
}

/** The staff record: Edit with the Practitioner box (roles), departments, Active; then the
 * practitioner's client associations. */
export async function staffRecord(ctx, id) {
  const loaded = await load("Staff member", [ctx.call(`/staff/${enc(id)}`), ctx.call("/departments")]);
  if (!loaded) return;
  const [staff, departments] = loaded;
  const status = statusRegion();
  const base = `/${enc(ctx.slug)}/staff/${enc(id)}`;
  const depName = (did) => (departments.items.find((d) => d.id === did) || { name: did }).name;
  const roleName = (r) => (ROLES.find(([k]) => k === r) || [r, r])[1];
  const editSlot = h("div");
  const edit = () => {
    const f = form({
      region: status,
      fields: [rolesFieldset(staff.roles), departmentsFieldset(departments.items, staff.department_ids),
        checkbox({ label: "Active", name: "active", checked: staff.active })],
      submit: "Save",
      secondary: h("button", { type: "button", class: "secondary", onclick: () => editSlot.replaceChildren() }, "Cancel"),
      action: async (v) => {
        const body = {};
        const same = (a, b) => a.length === b.length && a.every((x) => b.includes(x));
        if (!same(v.roles, staff.roles)) body.roles = v.roles;
        if (!same(v.department_ids, staff.department_ids)) body.department_ids = v.department_ids;
        if ((v.active.length > 0) !== staff.active) body.active = v.active.length > 0;
        const answer = await ctx.call(`/staff/${enc(id)}`, { method: "PATCH", body });
        const left = answer.clients_without_practitioner;
        location.assign(`${base}?notice=${left === undefined ? "saved" : `left:${left}`}`);
      },
    });
    editSlot.replaceChildren(h("h2", {}, "Edit"), f);
    f.querySelector("input").focus();
  };

  const mfaState = h("span", {}, staff.mfa_enrolled ? "set up" : "not set up");
  const mfaReset = mfaResetSection(ctx, staff, status, () => mfaState.replaceChildren("not set up"));

  let clientsSection = null;
  if (staff.roles.includes("practitioner")) {
    const [names, active] = await Promise.all([
      Promise.all((staff.clients || []).map((c) => ctx.call(`/clients/${enc(c.client_id)}`).catch(() => null))),
      ctx.call("/clients?status=active&limit=100").catch(() => ({ items: [] })),
    ]);
    const linked = (staff.clients || []).map((c, i) => [c, names[i]]);
    const candidates = active.items.filter((c) => !(staff.clients || []).some((l) => l.client_id === c.id));
    clientsSection = [h("h2", {}, "Clients"),
      linked.length ? h("ul", { class: "records", "aria-label": "Clients" }, linked.map(([c, client]) => h("li", {},
        h("a", { href: `/${enc(ctx.slug)}/clients/${enc(c.client_id)}` }, client ? fullName(client) : c.client_id),
        h("span", { class: "meta" }, depName(c.department_id))))) : h("p", {}, "No clients yet."),
      form({
        region: status,
        fields: [
          input({ label: "Add a client", name: "client_id", type: "select", options: [["", "Choose…"], ...candidates.map((c) => [c.id, fullName(c)])] }),
          staff.department_ids.length > 1 ? input({ label: "Department", name: "department_id", type: "select", options: [["", "Choose…"], ...staff.department_ids.map((d) => [d, depName(d)])] }) : null,
        ],
        submit: "Save association",
        action: async (v) => {
          const body = { client_id: v.client_id };
          if (v.department_id) body.department_id = v.department_id;
          await ctx.call(`/staff/${enc(id)}/clients`, { method: "POST", body });
          location.assign(`${base}?notice=saved`);
        },
      })];
  }
  render(`${staff.first_name} ${staff.last_name}`,
    status,
    details([
      ["Email", staff.email],
      ["Roles", staff.roles.map(roleName).join(", ") || "none"],
      ["Departments", staff.department_ids.map(depName).join(", ") || "none"],
      ["Active", staff.active ? "yes" : "no"],
      ["Username", staff.username],
      ["Two-step sign-in", mfaState],
    ]),
    h("div", {}, staffActions(ctx, staff, status), h("button", { type: "button", class: "secondary", onclick: edit }, "Edit")),
    mfaReset,
    editSlot,
    clientsSection);
  const notice = new URLSearchParams(location.search).get("notice");
  const left = notice && notice.startsWith("left:") ? Number.parseInt(notice.slice(5), 10) : Number.NaN;
  if (notice) {
    showMessage(status, Number.isInteger(left)
      ? `Saved. Active clients left with no active practitioner: ${left}.`
      : "Saved.");
  }
}

/** R30, for org admins: a member who lost their authenticator app. The API turns the second
 * factor off, ends every session and emails them; where the organization requires it, they
 * set it up again at their next sign-in. Asked twice: it signs the member out. */
function mfaResetSection(ctx, staff, status, onReset) {
  if (!ctx.me.roles.includes("org_admin") || !staff.mfa_enrolled) return null;
  const slot = h("div", { class: "mfa-reset" });
  const ask = () => {
    const confirm = h("button", {
      type: "button", class: "danger",
      onclick: async () => {
        confirm.disabled = true;
        try {
          const answer = await ctx.call(`/staff/${enc(staff.id)}/mfa-reset`, { method: "POST" });
          onReset();
          slot.replaceChildren();
          showMessage(status, answer.message, { title: "Two-step sign-in reset" });
        } catch (err) {
          confirm.disabled = false;
          showError(status, err);
        }
      },
    }, "Yes, reset it");
    const question = h("p", { tabindex: "-1" }, `Reset ${staff.first_name} ${staff.last_name}'s two-step sign-in? Their authenticator app stops working for this account, every device they are signed in on is signed out, and they are emailed. They sign in with their password and set up an app again.`);
    slot.replaceChildren(question, confirm, h("button", { type: "button", class: "secondary", onclick: () => { slot.replaceChildren(first); first.focus(); } }, "Cancel"));
    question.focus();
  };
  const first = h("button", { type: "button", class: "secondary", onclick: ask }, "Reset two-step sign-in");
  slot.append(first);
  return slot;
}

/** A new invitation (not accepted yet) or a password reset email, for administrators. */
function staffActions(ctx, staff, status) {
  if (!ctx.me.roles.includes("org_admin") && !ctx.me.roles.includes("dept_admin")) return null;
  const [path, label, done] = staff.credentials_set
    ? ["password-reset", "Send a password reset", "A password reset email was sent."]
    : ["invitation", "Send a new invitation", "A new invitation was sent; the previous link no longer works."];
  return h("button", {
    type: "button", class: "secondary",
    onclick: async () => {
      try {
        await ctx.call(`/staff/${enc(staff.id)}/${path}`, { method: "POST" });
        showMessage(status, done);
      } catch (err) { showError(status, err); }
    },
  }, label);
}

// ---------------------------------------------------------------- Organization
export async function organization(ctx) {
  const loaded = await load("Organization", [ctx.call("/org"), ctx.call("/departments")]);
  if (!loaded) return;
  const [org, departments] = loaded;
  const status = statusRegion();
  const admin = ctx.me.roles.includes("org_admin");
  render("Organization",
    status,
    admin ? form({
      region: status,
      fields: [
        input({ label: "Name", name: "name", value: org.name, autocomplete: "organization" }),
        h("fieldset", {}, h("legend", {}, "Client Management"),
          checkbox({ label: "Manually approve client registrations", name: "manual_approval", checked: org.manual_approval, hint: " New self-registered clients wait in the Pending list until staff approve them." })),
        h("fieldset", {}, h("legend", {}, "Security"),
          checkbox({
            label: "Require staff to use two-step sign-in", name: "require_staff_mfa", checked: org.require_staff_mfa, error: true,
            hint: " Staff sign in with their password and a code from an authenticator app; those who have not set it up are asked to before anything else. Set up your own first, under My account.",
          })),
      ],
      submit: "Save",
      action: async (v, f) => {
        const body = { manual_approval: v.manual_approval.length > 0 };
        if (v.name !== org.name) body.name = v.name;
        const requireMfa = v.require_staff_mfa.length > 0;
        if (requireMfa !== org.require_staff_mfa) body.require_staff_mfa = requireMfa;
        let saved;
        try {
          saved = await ctx.call("/org", { method: "PATCH", body });
        } catch (err) {
          if (err.body?.code !== "enroll_first") throw err;
          showError(status, err, f);  // the API's words, and where to do it
          status.querySelector(".alert").append(h("p", {}, h("a", { href: `/${enc(ctx.slug)}/account#two-step` }, "Set up two-step sign-in under My account")));
          return;
        }
        Object.assign(org, saved);
        showMessage(status, `Saved. Manual approval is ${saved.manual_approval ? "on" : "off"}. Two-step sign-in is ${saved.require_staff_mfa ? "required of all staff" : "optional for staff"}.`);
      },
    }) : details([["Name", org.name], ["Manual approval", org.manual_approval ? "on" : "off"], ["Two-step sign-in", org.require_staff_mfa ? "required of all staff" : "optional"]]),
    details([["Short name", org.slug], ["Kind", org.kind]]),
    h("h2", {}, "Departments"),
    h("ul", {}, departments.items.map((d) => h("li", {}, d.name))),
    h("p", {}, "Clients register at ", h("a", { href: `/${enc(ctx.slug)}/register` }, `${location.origin}/${ctx.slug}/register`), "."));
}

// ---------------------------------------------------------------- My account
export async function account(ctx) {
  const me = ctx.me;
  const status = statusRegion();
  render("My account",
    status,
    details([
      ["Name", `${me.first_name} ${me.last_name}`],
      ["Username", me.username],
      ["Email", me.email],
      me.status ? ["Status", badge(me.status)] : null,
      me.roles ? ["Roles", me.roles.join(", ") || "none"] : null,
    ]),
    me.status === "pending" ? h("p", {}, "Your account awaits approval by the practice: the Care App lets you in once it is approved.") : null,
    me.kind === "staff" ? twoStepSection(ctx) : null,
    h("h2", {}, "Change my email"),
    form({
      region: status,
      fields: [input({ label: "New email", name: "email", type: "email", autocomplete: "email", hint: "We send a link to the new address; nothing changes until you open it." })],
      submit: "Send the link",
      action: async (v, f) => {
        await ctx.call("/me/email-change", { method: "POST", body: { email: v.email } });
        f.reset();
        showMessage(status, `A link was sent to ${v.email}. Your email changes when you open it.`, { title: "Check the new address" });
      },
    }));
  const required = sessionStorage.getItem(MFA_REQUIRED);
  sessionStorage.removeItem(MFA_REQUIRED);
  if (required && me.mfa_enrollment_required) {
    // Another page's call was refused (403 mfa_enrollment_required): its words, here.
    const { status: code, body } = JSON.parse(required);
    showError(document.getElementById("two-step-status"), new ApiError(code, body));
  }
}

/** Two-step sign-in (R30), for staff: Cognito's AssociateSoftwareToken gives a secret for
 * the authenticator app (shown as text to type, and as an otpauth:// link; no QR code in
 * this reference), VerifySoftwareToken checks a code of the app, then POST /me/mfa tells
 * the API, which makes it the login's second factor. Both Cognito calls take the access
 * token of the sign-in. Setting up again (a new phone) starts with a new secret. */
function twoStepSection(ctx) {
  const me = ctx.me;
  const status = h("div", { class: "status", id: "two-step-status", role: "status", "aria-live": "polite" });
  const state = h("p", { class: "mfa-state" });
  const showState = (enrolled) => {
    state.replaceChildren(...(enrolled
      ? [h("strong", {}, "On"), ": each sign-in asks for a code from your authenticator app."]
      : [h("strong", {}, "Off"), me.mfa_enrollment_required
        ? ": your organization requires it. Set it up to use the portal."
        : ": sign-in asks for your password only."]));
  };
  showState(me.mfa_enrolled);
  const setupSlot = h("div");
  const start = h("button", {
    type: "button",
    onclick: async () => {
      start.disabled = true;
      status.replaceChildren();
      try {
        const secret = await associateSoftwareToken(ctx.session.access_token);
        setupSlot.replaceChildren(setupSteps(ctx, secret, status, (answer) => {
          me.mfa_enrolled = true;
          me.mfa_enrollment_required = false;
          showState(true);
          setupSlot.replaceChildren();
          start.textContent = "Set up a new authenticator app";
          showMessage(status, answer.message, { title: "Two-step sign-in is on" });
        }));
        setupSlot.querySelector("h3").focus();
      } catch (err) {
        showError(status, err);
      } finally {
        start.disabled = false;
      }
    },
  }, me.mfa_enrolled ? "Set up a new authenticator app" : "Set up two-step sign-in");
  return h("section", { id: "two-step", "aria-labelledby": "two-step-h" },
    h("h2", { id: "two-step-h" }, "Two-step sign-in"),
    status,
    state,
    h("p", {}, "With two-step sign-in, signing in takes your password and a 6-digit code from an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or 1Password)."),
    start,
    setupSlot);
}

function setupSteps(ctx, secret, status, enrolled) {
  const me = ctx.me;
  const grouped = secret.replace(/(.{4})(?=.)/g, "$1 ");
  const uri = otpauthUri(ctx.slug, me.username, secret);
  return h("div", { class: "mfa-setup" },
    h("h3", { tabindex: "-1" }, "Set up your authenticator app"),
    h("ol", { class: "steps" },
      h("li", {}, "In your authenticator app, add an account and choose to enter a setup key (the key is time based). Account name: ",
        h("strong", {}, `${ctx.slug} (${me.username})`), ". Key:",
        h("p", { class: "secret" }, h("code", { id: "mfa-secret" }, grouped)),
        h("p", { class: "hint" }, "Spaces do not matter. Keep this key to yourself: anyone who has it can make your codes.")),
      h("li", {}, "Or, on the phone that has the app, open this link: ",
        h("a", { href: uri, class: "otpauth" }, uri),
        h("span", { class: "hint" }, "This reference portal shows no QR code: the key and the link say the same.")),
      h("li", {}, "Enter the 6-digit code the app now shows.")),
    form({
      region: status,
      fields: [input({ label: "Code from your authenticator app", name: "code", autocomplete: "one-time-code", attrs: { inputmode: "numeric" } })],
      submit: "Turn on two-step sign-in",
      action: async (v) => {
        const verified = await verifySoftwareToken(ctx.session.access_token, v.code.replace(/\s+/g, ""));
        if (verified.Status !== "SUCCESS") throw new Error(`Cognito answered ${verified.Status}: try the next code.`);
        enrolled(await ctx.call("/me/mfa", { method: "POST" }));
      },
    }));
}
