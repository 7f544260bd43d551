//! The township's users (用户管理): every user with their role, clinic and how their account
//! stands; an administrator creates a user with a first password (changed at the first
//! sign-in), resets a password, disables or enables a user, and moves an assistant to another
//! clinic. The rules are checked here next to the field, and again by the server.

use cunbao_domain::sync::Role;
use cunbao_domain::text::{Bilingual, Text};
use cunbao_domain::users::{
    check_display_name, check_password, check_username, ClinicRef, NewUser, TownshipUsers,
    UserChange, UserRow,
};
use leptos::prelude::*;

use super::staff_only::StaffOnline;
use crate::i18n::Key;
use crate::routes::Section;
use crate::sync::http::FETCH;
use crate::sync::transport::TransportError;
use crate::ui::context::use_app;

#[component]
pub fn UsersPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Users.label())}</h1>
        <p class="hint">{move || app.t(Key::UsersPlan)}</p>
        <StaffOnline><Users/></StaffOnline>
    }
}

pub fn role_label(role: Role) -> Key {
    match role {
        Role::ClinicAssistant => Key::RoleAssistant,
        Role::TownshipReviewer => Key::RoleReviewer,
        Role::Administrator => Key::RoleAdministrator,
    }
}

/// A refusal as the field it is about and what to say there (the server names the field in
/// its code; anything else is said under the whole form).
fn field_error(err: &TransportError) -> (String, Text) {
    let field = match err {
        TransportError::Refused { code, .. } if code == "username_taken" => "username".into(),
        TransportError::Refused { code, .. } => code.clone(),
        _ => String::new(),
    };
    (field, err.text())
}

#[component]
fn Users() -> impl IntoView {
    let app = use_app();
    let users = RwSignal::new(None::<Result<TownshipUsers, Text>>);
    // Kept here: the list (and the form with it) is drawn again once a user is created.
    let created = RwSignal::new(None::<String>);
    let load = move || {
        app.with_token(move |token| async move {
            users.set(Some(FETCH.users(&token).await.map_err(|e| e.text())));
        });
    };
    Effect::new(move |_| load());
    view! {
        {move || match users.get() {
            None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="field-error" role="alert">{app.say(&e)}</p> }.into_any(),
            Some(Ok(list)) => {
                let clinics = list.clinics.clone();
                view! {
                    {move || app.is_administrator().then(|| view! { <NewUserForm clinics=clinics.clone() created=created on_created=load/> })}
                    <section class="card">
                        {move || (!app.is_administrator()).then(|| view! { <p class="hint">{app.t(Key::OnlyAdminsManageUsers)}</p> })}
                        <p class="hint">{app.t(Key::SampleAccountsHint)}</p>
                        <div class="table-scroll">
                            <table class="records users" data-testid="users">
                                <thead><tr>
                                    <th>{app.t(Key::Name)}</th><th>{app.t(Key::UserRole)}</th>
                                    <th>{app.t(Key::Clinic)}</th><th class="num">{app.t(Key::UserDevices)}</th>
                                    <th>{app.t(Key::DeviceState)}</th><th></th>
                                </tr></thead>
                                <tbody>
                                    {list.users.into_iter().map(|u| view! { <UserLine user=u clinics=list.clinics.clone() on_changed=load/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                }.into_any()
            }
        }}
    }
}

#[component]
fn NewUserForm<F: Fn() + Copy + Send + Sync + 'static>(
    clinics: Vec<ClinicRef>,
    created: RwSignal<Option<String>>,
    on_created: F,
) -> impl IntoView {
    let app = use_app();
    let username = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::ClinicAssistant);
    let clinic = RwSignal::new(clinics.first().map(|c| c.id.clone()).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(String, Text)>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        created.set(None);
        let user = username.get_untracked().trim().to_string();
        let checks = [
            ("username", check_username(&user)),
            ("display_name", check_display_name(&name.get_untracked())),
            (
                "first_password",
                check_password(&user, &password.get_untracked()),
            ),
        ];
        if let Some((field, Err(why))) = checks.into_iter().find(|(_, r)| r.is_err()) {
            error.set(Some((field.into(), why)));
            return;
        }
        let role = role.get_untracked();
        let new = NewUser {
            username: user.clone(),
            display_name: name.get_untracked().trim().to_string(),
            role,
            clinic_id: (role == Role::ClinicAssistant).then(|| clinic.get_untracked()),
            first_password: password.get_untracked(),
        };
        error.set(None);
        busy.set(true);
        app.with_token(move |token| async move {
            match FETCH.create_user(&token, &new).await {
                Ok(_) => {
                    created.set(Some(user));
                    username.set(String::new());
                    name.set(String::new());
                    password.set(String::new());
                    on_created();
                }
                Err(e) => error.set(Some(field_error(&e))),
            }
            busy.set(false);
        });
    };
    let error_at = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|(f, _)| f == field)
                .map(|(_, why)| view! { <p class="field-error" role="alert">{app.say(&why)}</p> })
        }
    };
    let other_error = move || {
        error
            .get()
            .filter(|(f, _)| {
                !["username", "display_name", "first_password", "clinic_id"].contains(&f.as_str())
            })
            .map(|(_, why)| view! { <p class="field-error" role="alert">{app.say(&why)}</p> })
    };
    let roles = [
        Role::ClinicAssistant,
        Role::TownshipReviewer,
        Role::Administrator,
    ];
    view! {
        <form class="card form" on:submit=submit data-testid="new-user">
            <h2>{move || app.t(Key::NewUserTitle)}</h2>
            <label>
                <span>{move || app.t(Key::Username)}</span>
                <input name="username" autocomplete="off" required
                    prop:value=username on:input=move |ev| username.set(event_target_value(&ev))/>
            </label>
            {error_at("username")}
            <label>
                <span>{move || app.t(Key::Name)}</span>
                <input name="display_name" required
                    prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
            </label>
            {error_at("display_name")}
            <label>
                <span>{move || app.t(Key::UserRole)}</span>
                <select name="role" on:change=move |ev| {
                    if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r) }
                }>
                    {roles.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=move || role.get() == r>{move || app.t(role_label(r))}</option>
                    }).collect_view()}
                </select>
            </label>
            <Show when=move || role.get() == Role::ClinicAssistant>
                <label>
                    <span>{move || app.t(Key::Clinic)}</span>
                    <ClinicSelect clinics=clinics.clone() chosen=clinic/>
                </label>
                {error_at("clinic_id")}
            </Show>
            <label>
                <span>{move || app.t(Key::FirstPassword)}</span>
                <input name="first_password" type="text" autocomplete="off" required
                    prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/>
            </label>
            <p class="hint">{move || app.t(Key::PasswordRules)}</p>
            {error_at("first_password")}
            {other_error}
            {move || created.get().map(|u| view! {
                <p class="notice" role="status" data-testid="user-created">{app.t(Key::UserCreated)}" "<span class="mono">{u}</span></p>
            })}
            <button class="primary" type="submit" disabled=move || busy.get()>{move || app.t(Key::CreateUser)}</button>
        </form>
    }
}

#[component]
fn ClinicSelect(clinics: Vec<ClinicRef>, chosen: RwSignal<String>) -> impl IntoView {
    view! {
        <select name="clinic_id" on:change=move |ev| chosen.set(event_target_value(&ev))>
            {clinics.into_iter().map(|c| {
                let id = c.id.clone();
                view! { <option value=c.id.clone() selected=move || chosen.get() == id>{c.name}</option> }
            }).collect_view()}
        </select>
    }
}

/// What an administrator is about to do to a user, awaiting its confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Reset,
    Move,
}

#[component]
fn UserLine<F: Fn() + Copy + Send + Sync + 'static>(
    user: UserRow,
    clinics: Vec<ClinicRef>,
    on_changed: F,
) -> impl IntoView {
    let app = use_app();
    let open = RwSignal::new(None::<Action>);
    let password = RwSignal::new(String::new());
    let clinic = RwSignal::new(user.clinic_id.clone().unwrap_or_default());
    let error = RwSignal::new(None::<Text>);
    let username = user.username.clone();
    let send = move |change: UserChange| {
        let username = username.clone();
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH.change_user(&token, &username, &change).await {
                Ok(_) => on_changed(),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let name_for_rules = user.username.clone();
    let reset = {
        let send = send.clone();
        move |_| {
            let new = password.get_untracked();
            match check_password(&name_for_rules, &new) {
                Ok(()) => send(UserChange::ResetPassword { password: new }),
                Err(why) => error.set(Some(why)),
            }
        }
    };
    let move_clinic = {
        let send = send.clone();
        move |_| {
            send(UserChange::MoveToClinic {
                clinic_id: clinic.get_untracked(),
            })
        }
    };
    let toggle = {
        let disabled = user.disabled;
        let send = send.clone();
        move |_| {
            send(if disabled {
                UserChange::Enable
            } else {
                UserChange::Disable
            })
        }
    };
    let assistant = user.role == Role::ClinicAssistant;
    let myself = user.username == app.username();
    let badge = |class: &'static str, key: Key, testid: &'static str| {
        view! { <span class=class data-testid=testid>{move || app.t(key)}</span>" " }
    };
    view! {
        <tr data-testid="user-row" data-user=user.username.clone() class:stale=user.disabled>
            <td>{user.display_name.clone()}<br/><span class="mono hint">{user.username.clone()}</span></td>
            <td>{move || app.t(role_label(user.role))}</td>
            <td>{user.clinic_name.clone().unwrap_or_default()}</td>
            <td class="num">{user.devices}</td>
            <td>
                {if user.disabled { badge("badge bad", Key::UserDisabled, "user-disabled") } else { badge("badge ok", Key::UserActive, "user-active") }}
                {user.must_change_password.then(|| badge("badge warn", Key::MustChangePassword, "must-change"))}
                {user.sample.then(|| badge("badge", Key::SampleAccount, "sample-account"))}
            </td>
            <td>
                <Show when=move || app.is_administrator()>
                    <div class="actions">
                        <button data-testid="reset-password" on:click=move |_| open.set(Some(Action::Reset))>{move || app.t(Key::ResetPassword)}</button>
                        {assistant.then(|| view! {
                            <button data-testid="move-user" on:click=move |_| open.set(Some(Action::Move))>{move || app.t(Key::MoveUser)}</button>
                        })}
                        {(!myself).then(|| view! {
                            <button data-testid="toggle-user" on:click=toggle.clone()>
                                {move || app.t(if user.disabled { Key::EnableUser } else { Key::DisableUser })}
                            </button>
                        })}
                    </div>
                </Show>
                <Show when=move || open.get() == Some(Action::Reset)>
                    <label>
                        <span>{move || app.t(Key::NewPassword)}</span>
                        <input name="reset_password" type="text" autocomplete="off"
                            prop:value=password on:input=move |ev| password.set(event_target_value(&ev))/>
                    </label>
                    <button class="primary" data-testid="confirm-reset" on:click=reset.clone()>{move || app.t(Key::ResetPassword)}</button>
                    <button on:click=move |_| open.set(None)>{move || app.t(Key::Cancel)}</button>
                </Show>
                <Show when=move || open.get() == Some(Action::Move)>
                    <ClinicSelect clinics=clinics.clone() chosen=clinic/>
                    <button class="primary" data-testid="confirm-move" on:click=move_clinic.clone()>{move || app.t(Key::MoveUser)}</button>
                    <button on:click=move |_| open.set(None)>{move || app.t(Key::Cancel)}</button>
                </Show>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
            </td>
        </tr>
    }
}
