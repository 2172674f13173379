//! The two macros that let one SQL text run on both backends: the body is expanded once per
//! backend with `$c` bound to that backend's executor.

/// Runs `$body` with `$c` bound to a read executor of `$db: &Db`.
macro_rules! with_db {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite(__p, _) => {
                let $c = &__p.read;
                $body
            }
            $crate::Db::Postgres(__p, _) => {
                let $c = __p;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the connection of `$tx: &mut Tx`.
macro_rules! with_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(__t, __h) => {
                let $c = &mut **__t;
                $crate::noted(__h, $body)
            }
            $crate::Tx::Postgres(__t, __h) => {
                let $c = &mut **__t;
                $crate::noted(__h, $body)
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the executor of `$ex: impl Into<Ex>`.
macro_rules! with_ex {
    ($ex:expr, $c:ident => $body:expr) => {
        match {
            let __e: $crate::Ex<'_> = $ex.into();
            __e
        } {
            $crate::Ex::Db($crate::Db::Sqlite(__p, _)) => {
                let $c = &__p.read;
                $body
            }
            $crate::Ex::Db($crate::Db::Postgres(__p, _)) => {
                let $c = __p;
                $body
            }
            $crate::Ex::Tx($crate::Tx::Sqlite(__t, __h)) => {
                let $c = &mut **__t;
                $crate::noted(__h, $body)
            }
            $crate::Ex::Tx($crate::Tx::Postgres(__t, __h)) => {
                let $c = &mut **__t;
                $crate::noted(__h, $body)
            }
        }
    };
}

/// Runs `$body` with `$c` bound to a write-capable executor of `$db: &Db`, outside any
/// transaction (for test helpers only).
#[allow(unused_macros)]
macro_rules! with_db_write {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite(__p, _) => {
                let $c = &__p.write;
                $body
            }
            $crate::Db::Postgres(__p, _) => {
                let $c = __p;
                $body
            }
        }
    };
}
