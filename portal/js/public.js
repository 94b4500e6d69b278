// The pages anyone can open: register, the emailed links, sign in, forgot login.
import { api, endSession, initiateAuth, respondToMfa, saveSession } from "./client.js";
import { form, h, input, render, showError, showMessage, statusRegion } from "./ui.js";

const token = () => new URLSearchParams(location.search).get("token") || "";
const enc = encodeURIComponent;

export function home() {
  const status = statusRegion();
  render("Office portal",
    h("p", {}, "Each practice has its own portal address: /<practice>/login. Enter your practice's short name (the part of its address after the host)."),
    form({
      region: status,
      fields: [input({ label: "Practice", name: "slug", autocomplete: "organization", hint: "For example: demo" })],
      submit: "Go to its portal",
      action: async (v) => { location.assign(`/${enc(v.slug.trim())}/login`); },
    }),
    status);
}

/** "Register" (guide, option 2): the practitioner list and "not sure"; no username or
 * password here: they are chosen on the confirmation link (R5, R9). */
export async function register(slug) {
  const status = statusRegion();
  let org;
  try {
    org = await api(`/public/orgs/${enc(slug)}`);
  } catch (err) {
    render("Register");
    document.getElementById("main").append(status);
    showError(status, err);
    return;
  }
  const practitioners = org.practitioners;
  const single = !org.allows_not_sure && practitioners.length === 1;
  const departmentSlot = h("div");
  const departmentsOf = (id) => (practitioners.find((p) => p.id === id) || { departments: [] }).departments;
  const showDepartments = (id) => {
    const deps = departmentsOf(id);
    departmentSlot.replaceChildren(deps.length > 1
      ? input({ label: "Department", name: "department_id", type: "select", hint: "Your practitioner works in more than one department: choose one.", options: [["", "Choose…"], ...deps.map((d) => [d.id, d.name])] })
      : "");
  };
  let choice;
  if (single) {
    choice = h("div", { class: "field" },
      h("p", {}, "Your practitioner: ", h("strong", {}, practitioners[0].display_name)),
      h("input", { type: "hidden", name: "practitioner_id", value: practitioners[0].id }));
  } else {
    const radios = practitioners.map((p) => radio("practitioner_id", p.id, p.display_name,
      p.departments.map((d) => d.name).join(", ")));
    if (org.allows_not_sure) radios.push(radio("practitioner_id", "not_sure", "Not sure", "The practice will choose a practitioner with you."));
    choice = h("fieldset", { onchange: (e) => e.target.name === "practitioner_id" && showDepartments(e.target.value) },
      h("legend", {}, "Your practitioner"),
      h("span", { class: "field-error", "data-error-for": "practitioner_id" }),
      radios);
  }
  render(`Register with ${org.name}`,
    h("p", {}, "After registering, check your email: the link in it confirms your address and lets you choose your username and password."),
    status,
    form({
      region: status,
      fields: [
        input({ label: "First name", name: "first_name", autocomplete: "given-name", required: true }),
        input({ label: "Last name", name: "last_name", autocomplete: "family-name", required: true }),
        input({ label: "Email", name: "email", type: "email", autocomplete: "email", required: true }),
        input({ label: "Date of birth", name: "dob", type: "date", autocomplete: "bday", required: true, hint: "YYYY-MM-DD" }),
        choice,
        departmentSlot,
      ],
      submit: "Register",
      action: async (v, f) => {
        const body = { first_name: v.first_name, last_name: v.last_name, email: v.email, dob: v.dob };
        if (v.practitioner_id !== undefined) body.practitioner_id = v.practitioner_id === "not_sure" ? null : v.practitioner_id;
        if (v.department_id) body.department_id = v.department_id;
        const answer = await api(`/public/orgs/${enc(slug)}/registrations`, { method: "POST", body });
        f.replaceChildren();
        showMessage(status, answer.message, { title: "Check your email" });
      },
    }),
    h("p", {}, "Already registered? ", h("a", { href: `/${enc(slug)}/login` }, "Sign in")));
  if (single) showDepartments(practitioners[0].id);
}

function radio(name, value, label, hint) {
  const id = `r-${name}-${value}`;
  return h("div", { class: "check" },
    h("input", { type: "radio", id, name, value }),
    h("label", { for: id }, label, hint ? h("span", { class: "hint" }, hint) : null));
}

function credentialsFields() {
  return [
    input({ label: "Username", name: "username", autocomplete: "username", required: true, hint: "3 to 64 letters, digits, dots, hyphens or underscores." }),
    input({ label: "Password", name: "password", type: "password", autocomplete: "new-password", required: true }),
  ];
}

function afterCredentials(slug, status, answer) {
  const pending = answer.status === "pending";
  showMessage(status, pending
    ? "Your account is awaiting approval by the practice. You can sign in to this portal now; the Care App lets you in once the account is approved (we will email you)."
    : "Your account is ready. You can sign in now.",
  { title: `Done: your account is ${answer.status}` });
  status.append(h("p", {},
    h("a", { class: "button", href: `/${enc(slug)}/login` }, "Sign in to the portal"), " ",
    h("a", { class: "button secondary", href: `/${enc(slug)}/care-app` }, "Open the Care App")));
}

/** The email confirmation link (R9): username and password are chosen here. */
export function confirmEmail(slug) {
  const status = statusRegion();
  const resend = h("div");
  render("Confirm your email",
    h("p", {}, "Choose the username and password you will sign in with."),
    status,
    form({
      region: status,
      fields: credentialsFields(),
      submit: "Confirm my email",
      action: async (v, f) => {
        try {
          const answer = await api("/public/email-confirmations", { method: "POST", body: { token: token(), username: v.username, password: v.password } });
          f.replaceChildren();
          afterCredentials(slug, status, answer);
        } catch (err) {
          if (err.status === 410) resend.replaceChildren(resendForm(slug));
          throw err;
        }
      },
    }),
    resend);
}

function resendForm(slug) {
  const status = statusRegion();
  return h("section", { "aria-labelledby": "resend-h" },
    h("h2", { id: "resend-h" }, "Send a new confirmation link"),
    status,
    form({
      region: status,
      fields: [input({ label: "Your email", name: "email", type: "email", autocomplete: "email" })],
      submit: "Send a new link",
      action: async (v) => {
        await api("/public/email-confirmations/resend", { method: "POST", body: { org_slug: slug, email: v.email } });
        showMessage(status, "If this address has an unconfirmed registration here, a new link is on its way.");
      },
    }));
}

/** The invitation link (R3): a staff-created account chooses its username and password. */
export function acceptInvitation(slug) {
  const status = statusRegion();
  render("Choose your username and password",
    h("p", {}, "Your practice created an account for you. Choose how you will sign in."),
    status,
    form({
      region: status,
      fields: credentialsFields(),
      submit: "Save and continue",
      action: async (v, f) => {
        const answer = await api("/public/invitations/accept", { method: "POST", body: { token: token(), username: v.username, password: v.password } });
        f.replaceChildren();
        afterCredentials(slug, status, answer);
      },
    }));
}

/** Sign in with the portal's app client (or the Care App's, on the Care App page). A refusal
 * of the pre-authentication trigger is shown as Cognito words it (R13). A login with two-step
 * sign-in (R30) gets Cognito's SOFTWARE_TOKEN_MFA challenge: the code form replaces the
 * password form. After a refused code the next one starts again (InitiateAuth with the same
 * username and password, held by this page only) rather than rely on the refused challenge's
 * session being answerable twice. */
export function signInForm({ slug, app, submit, onSignedIn }) {
  const status = statusRegion();
  const mfaSlot = h("div");
  const done = async (result) => {
    saveSession(slug, app, result);
    await onSignedIn(result);
  };
  const passwordForm = form({
    region: status,
    fields: [
      input({ label: "Username", name: "username", autocomplete: "username" }),
      input({ label: "Password", name: "password", type: "password", autocomplete: "current-password" }),
    ],
    submit,
    action: async (v) => {
      endSession(slug, app);
      const answer = await initiateAuth(app, v.username, v.password);
      if (answer.AuthenticationResult) return done(answer.AuthenticationResult);
      if (answer.ChallengeName === "SOFTWARE_TOKEN_MFA") {
        showCodeForm(v, answer);
        return undefined;
      }
      throw new Error(`Cognito asked for ${answer.ChallengeName}, which this reference portal does not handle.`);
    },
  });
  const showCodeForm = (v, first) => {
    let challenge = first;
    passwordForm.hidden = true;
    const back = h("button", {
      type: "button", class: "secondary",
      onclick: () => {
        mfaSlot.replaceChildren();
        status.replaceChildren();
        passwordForm.hidden = false;
        passwordForm.querySelector("input").focus();
      },
    }, "Start again");
    mfaSlot.replaceChildren(
      h("h2", { id: "mfa-h", tabindex: "-1" }, "Two-step sign-in"),
      h("p", {}, `Signing in as ${v.username}. Open your authenticator app and enter the 6-digit code it shows for this account.`),
      form({
        region: status,
        fields: [input({ label: "Code from your authenticator app", name: "code", autocomplete: "one-time-code", attrs: { inputmode: "numeric" } })],
        submit: "Verify",
        secondary: back,
        action: async (m) => {
          if (!challenge) {
            const again = await initiateAuth(app, v.username, v.password);
            if (again.AuthenticationResult) return done(again.AuthenticationResult);
            challenge = again;
          }
          let result;
          try {
            result = await respondToMfa(app, challenge, v.username, m.code.replace(/\s+/g, ""));
          } catch (err) {
            challenge = null;  // the next code starts again
            throw err;
          }
          if (!result.AuthenticationResult) throw new Error(`Cognito asked for ${result.ChallengeName}, which this reference portal does not handle.`);
          return done(result.AuthenticationResult);
        },
      }));
    mfaSlot.querySelector("input").focus();
  };
  return h("div", {}, status, passwordForm, mfaSlot);
}

export function login(slug) {
  render("Sign in",
    signInForm({
      slug,
      app: "portal",
      submit: "Sign in",
      onSignedIn: async (result) => {
        const me = await api("/me", { token: result.IdToken });
        if (me.org_slug !== slug) {
          endSession(slug, "portal");
          saveSession(me.org_slug, "portal", result);
        }
        location.assign(me.kind === "staff" ? `/${enc(me.org_slug)}/clients` : `/${enc(me.org_slug)}/account`);
      },
    }),
    h("p", {}, h("a", { href: `/${enc(slug)}/forgot-login` }, "Forgot Login"), " · ",
      h("a", { href: `/${enc(slug)}/register` }, "Register")));
}

/** Forgot Login (R23): always the same answer, whatever the address. */
export function forgotLogin(slug) {
  const status = statusRegion();
  render("Forgot Login",
    h("p", {}, "Enter the email address of your account: we send it your username and a link to choose a new password."),
    status,
    form({
      region: status,
      fields: [input({ label: "Email", name: "email", type: "email", autocomplete: "email" })],
      submit: "Send",
      action: async (v, f) => {
        const answer = await api(`/public/orgs/${enc(slug)}/forgot-login`, { method: "POST", body: { email: v.email } });
        f.replaceChildren();
        showMessage(status, answer.message, { title: "Check your email" });
      },
    }));
}

export function resetPassword(slug) {
  const status = statusRegion();
  render("Choose a new password",
    status,
    form({
      region: status,
      fields: [input({ label: "New password", name: "password", type: "password", autocomplete: "new-password" })],
      submit: "Save the new password",
      action: async (v, f) => {
        const answer = await api("/public/password-resets", { method: "POST", body: { token: token(), password: v.password } });
        f.replaceChildren();
        showMessage(status, answer.message, { title: "Password changed" });
        status.append(h("p", {}, h("a", { class: "button", href: `/${enc(slug)}/login` }, "Sign in")));
      },
    }));
}

/** R24: the link sent to the new address; nothing changes until it is confirmed here. */
export function confirmEmailChange(slug) {
  const status = statusRegion();
  render("Confirm your new email",
    h("p", {}, "Confirm that this address should be the email of your account. Every device signed in to the account is then signed out."),
    status,
    form({
      region: status,
      fields: [],
      submit: "Confirm my new email",
      action: async (v, f) => {
        const answer = await api("/public/email-changes/confirm", { method: "POST", body: { token: token() } });
        f.replaceChildren();
        showMessage(status, answer.message, { title: "Email changed" });
        status.append(h("p", {}, h("a", { class: "button", href: `/${enc(slug)}/login` }, "Sign in")));
      },
    }));
}

/** The get-started email's link: the three steps (emails.py words them the same). */
export function getStarted(slug) {
  render("Three steps to get started",
    h("ol", { class: "steps" },
      h("li", {}, "Install the Care App on your phone, tablet or computer."),
      h("li", {}, "Sign in to the Care App with the username and password you chose."),
      h("li", {}, "Find your practitioner in your connections and join your session from there. If the practice has not connected you with a practitioner yet, they will; you do not need to do anything until then.")),
    h("p", {}, h("a", { class: "button", href: `/${enc(slug)}/care-app` }, "Open the Care App (stand-in)")));
}
