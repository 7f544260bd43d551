//! `cunbao-server user add USERNAME --name NAME --role ROLE --township ID [--township-name N]
//! [--clinic ID [--clinic-name N]]`: creates a user at the server's console — on a server
//! started without sample data, the first administrator. The password is read from standard
//! input (one line; typed, or piped), checked by the same rules as the township's screen, and
//! need not be changed at the first sign-in (whoever typed it chose it). The township (and the
//! clinic, for an assistant) is created when a name is given for it and it does not exist yet.
//! The audit trail names `console:<the machine's user>`. Exit status 0 when created, 2 when
//! refused.

use cunbao_domain::sync::Role;
use serde_json::json;

use crate::audit::AuditEntry;
use crate::error::ApiError;
use crate::users::{self, Creating};

pub const USAGE: &str = "\
    cunbao-server user add USERNAME --name NAME --role administrator|township_reviewer|clinic_assistant
                           --township ID [--township-name NAME] [--clinic ID [--clinic-name NAME]]
                                create a user (the first administrator, say); the password is read
                                from standard input
";

#[derive(Default)]
struct Options {
    username: Option<String>,
    name: Option<String>,
    role: Option<Role>,
    township: Option<String>,
    township_name: Option<String>,
    clinic: Option<String>,
    clinic_name: Option<String>,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut opts = Options::default();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = || {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{arg} 需要一个值 / {arg} needs a value"))
        };
        match arg.as_str() {
            "--name" => opts.name = Some(value()?),
            "--role" => {
                let role = value()?;
                opts.role = Some(
                    Role::parse(&role)
                        .ok_or_else(|| format!("未知角色 / unknown role: {role:?}"))?,
                );
            }
            "--township" => opts.township = Some(value()?),
            "--township-name" => opts.township_name = Some(value()?),
            "--clinic" => opts.clinic = Some(value()?),
            "--clinic-name" => opts.clinic_name = Some(value()?),
            other if opts.username.is_none() && !other.starts_with("--") => {
                opts.username = Some(other.to_string())
            }
            other => return Err(format!("无法识别的参数 / unrecognised argument: {other:?}")),
        }
    }
    Ok(opts)
}

fn refuse(message: &str) -> i32 {
    eprintln!("{message}\n\n{USAGE}");
    2
}

/// Runs `user add …`; the exit status.
pub async fn run(args: &[String]) -> i32 {
    let (Some("add"), rest) = (
        args.first().map(String::as_str),
        args.get(1..).unwrap_or(&[]),
    ) else {
        return refuse("用法 / usage:");
    };
    let opts = match options(rest) {
        Ok(opts) => opts,
        Err(message) => return refuse(&message),
    };
    let (Some(username), Some(name), Some(role), Some(township)) =
        (&opts.username, &opts.name, opts.role, &opts.township)
    else {
        return refuse("须给出用户名、--name、--role 和 --township / USERNAME, --name, --role and --township are needed");
    };
    let mut password = String::new();
    if std::io::stdin().read_line(&mut password).is_err() {
        return refuse("无法从标准输入读取密码 / cannot read the password from standard input");
    }
    let password = password.trim_end_matches(['\r', '\n']);
    let db = match crate::db::open_configured().await {
        Ok(db) => db,
        Err(err) => {
            eprintln!("{err}");
            return 1;
        }
    };
    match add(&db, &opts, username, name, role, township, password).await {
        Ok(()) => {
            println!("已创建用户 {username} / user {username} created");
            0
        }
        Err(ApiError::BadRequest { zh, en, .. } | ApiError::Conflict { zh, en, .. }) => {
            eprintln!("{zh}\n{en}");
            2
        }
        Err(err) => {
            eprintln!("{err}");
            1
        }
    }
}

async fn add(
    db: &sqlx::AnyPool,
    opts: &Options,
    username: &str,
    name: &str,
    role: Role,
    township: &str,
    password: &str,
) -> Result<(), ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    if let Some(township_name) = &opts.township_name {
        sqlx::query("INSERT INTO townships (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(township)
            .bind(township_name)
            .execute(&mut *tx)
            .await?;
    }
    let known: Option<String> = sqlx::query_scalar("SELECT id FROM townships WHERE id = $1")
        .bind(township)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(ApiError::bad(
            "township",
            format!("没有乡镇{township}；首次创建请加 --township-name"),
            format!("there is no township {township}; give --township-name to create it"),
        ));
    }
    if let (Some(clinic), Some(clinic_name)) = (&opts.clinic, &opts.clinic_name) {
        sqlx::query(
            "INSERT INTO clinics (id, township_id, name) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(clinic)
        .bind(township)
        .bind(clinic_name)
        .execute(&mut *tx)
        .await?;
    }
    users::create(
        &mut tx,
        &Creating {
            username,
            display_name: name,
            role,
            clinic_id: opts.clinic.as_deref(),
            township_id: township,
            password,
            must_change_password: false,
        },
    )
    .await?;
    let console = crate::publishing::Publisher::console().username;
    tx.audit(AuditEntry {
        username: &console,
        device_id: None,
        action: "user_created",
        subject: username,
        detail: &json!({ "role": role.as_str(), "clinic_id": opts.clinic, "township_id": township }),
    });
    tx.commit().await?;
    Ok(())
}
