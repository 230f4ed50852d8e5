//! The storage seam: a minimal SQL interface shaped like Spin's
//! `fermyon:spin/sqlite@2.0.0`, so the same domain code runs inside a Wasm
//! component (over the Spin import) and natively (over rusqlite).

/// A SQL value, the same five variants as Spin's `value`.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Null,
}

impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        Self::Integer(v)
    }
}
impl From<f64> for SqlValue {
    fn from(v: f64) -> Self {
        Self::Real(v)
    }
}
impl From<bool> for SqlValue {
    fn from(v: bool) -> Self {
        Self::Integer(i64::from(v))
    }
}
impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// The rows a statement returned (empty for DDL and most writes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

impl Rows {
    /// Iterates rows with by-name column access.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row {
            columns: &self.columns,
            values,
        })
    }

    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One row of [`Rows`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [SqlValue],
}

impl<'a> Row<'a> {
    pub fn value(&self, column: &str) -> &'a SqlValue {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .unwrap_or(&SqlValue::Null)
    }

    pub fn text(&self, column: &str) -> Option<&'a str> {
        match self.value(column) {
            SqlValue::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn string(&self, column: &str) -> String {
        self.text(column).unwrap_or_default().to_owned()
    }

    pub fn int(&self, column: &str) -> Option<i64> {
        match self.value(column) {
            SqlValue::Integer(i) => Some(*i),
            SqlValue::Real(f) => Some(*f as i64),
            _ => None,
        }
    }

    pub fn real(&self, column: &str) -> Option<f64> {
        match self.value(column) {
            SqlValue::Real(f) => Some(*f),
            SqlValue::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage error: {0}")]
    Backend(String),
    #[error("storage returned unexpected data: {0}")]
    Corrupt(String),
}

/// What the domain needs from a database.
pub trait Sql {
    /// Runs one statement with positional `?` parameters.
    fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<Rows, StoreError>;
}

/// Runs `work` inside `BEGIN IMMEDIATE … COMMIT`, rolling back on any error,
/// so every write commits completely or not at all. IMMEDIATE takes the write
/// lock up front: two concurrent writers queue instead of deadlocking.
pub fn transaction<T, E>(db: &dyn Sql, work: impl FnOnce() -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    db.execute("BEGIN IMMEDIATE", &[])?;
    match work() {
        Ok(value) => {
            if let Err(err) = db.execute("COMMIT", &[]) {
                let _ = db.execute("ROLLBACK", &[]);
                return Err(err.into());
            }
            Ok(value)
        }
        Err(err) => {
            // The original error matters more than a failed rollback.
            let _ = db.execute("ROLLBACK", &[]);
            Err(err)
        }
    }
}
