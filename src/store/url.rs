//! `DATABASE_URL`: which database, and for SQLite which file.
use std::path::PathBuf;
use std::str::FromStr;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `url` as sqlx reads it; `file` is the database file it names (what the writer
    /// thread opens: exactly the pool's file, whatever options the URL carries).
    Sqlite {
        url: String,
        file: PathBuf,
    },
    Postgres(String),
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.starts_with("postgres://") || s.starts_with("postgresql://") || s.starts_with("postgres:") {
            sqlx::postgres::PgConnectOptions::from_str(s).map_err(|e| format!("không đọc được URL PostgreSQL: {e}"))?;
            return Ok(Self::Postgres(s.to_string()));
        }
        if s.is_empty() {
            return Err("trống".into());
        }
        let url = if s.starts_with("sqlite:") { s.to_string() } else { format!("sqlite://{s}") };
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&url).map_err(|e| format!("không đọc được URL SQLite: {e}"))?;
        let file = opts.get_filename().to_path_buf();
        let name = file.to_string_lossy();
        if name.is_empty()
            || name.contains(":memory:")
            || name.contains("sqlx-in-memory")
            || url.contains(":memory:")
            || url.contains("mode=memory")
        {
            return Err("cần một tệp SQLite (một cơ sở dữ liệu trong bộ nhớ không dùng chung được giữa các kết nối)".into());
        }
        Ok(Self::Sqlite { url, file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_the_file_the_pool_opens() {
        let file = |s: &str| match s.parse::<DatabaseUrl>().unwrap() {
            DatabaseUrl::Sqlite { file, .. } => file,
            other => panic!("{other:?}"),
        };
        assert_eq!(file("sqlite:///abs/path/thi24.db?mode=rwc"), PathBuf::from("/abs/path/thi24.db"));
        assert_eq!(file("sqlite://data/thi24.db"), PathBuf::from("data/thi24.db"));
        assert_eq!(file("sqlite:data/thi24.db"), PathBuf::from("data/thi24.db"));
        assert_eq!(file("data/thi24.db"), PathBuf::from("data/thi24.db"));
        assert!("sqlite::memory:".parse::<DatabaseUrl>().is_err());
        assert!(matches!("postgres://postgres@127.0.0.1:5432/test".parse::<DatabaseUrl>(), Ok(DatabaseUrl::Postgres(_))));
        assert!("postgres://a b".parse::<DatabaseUrl>().is_err());
    }
}
