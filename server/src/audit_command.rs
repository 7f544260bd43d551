//! `cunbao-server audit verify`: recomputes the audit chain of the configured database and
//! says whether it is whole, and if not, the first entry where it breaks.

pub const USAGE: &str =
    "    cunbao-server audit verify  check the audit chain; prints its head (entries, hash)
                                or the first entry where it breaks (exit status 1)
";

pub async fn run(args: &[String]) -> i32 {
    if args != ["verify"] {
        eprint!("{USAGE}");
        return 2;
    }
    let db = match crate::db::open_configured().await {
        Ok(db) => db,
        Err(err) => {
            eprintln!("{err}");
            return 2;
        }
    };
    let outcome = async {
        let broken = crate::audit::verify_audit_chain(&db).await?;
        let head = crate::audit::chain_head(&db).await?;
        Ok::<_, sqlx::Error>((broken, head))
    }
    .await;
    db.close().await;
    match outcome {
        Ok((None, head)) => {
            println!(
                "审计链完好：共{}条，链头 {}\nThe audit chain is whole: {} entries, head {}",
                head.entries, head.hash, head.entries, head.hash
            );
            0
        }
        Ok((Some(id), _)) => {
            eprintln!(
                "审计链在第{id}条处断开：该条或其前一条被修改、删除或插入\n\
                 The audit chain breaks at entry {id}: it or the one before was edited, deleted \
                 or inserted"
            );
            1
        }
        Err(err) => {
            eprintln!("{err}");
            2
        }
    }
}
