//! What goes to stdout, and nothing else does: a JSON value (pretty), JSON lines (`--all`),
//! CSV (RFC 4180, a header row), an aligned table, or text (tab-separated, no header: for
//! `while IFS=$'\t' read -r ...` loops), with `--columns` choosing and ordering
//! the columns (dotted paths reach into objects: `rank.name`).

use crate::Failure;
use serde_json::Value;
use std::io::{BufWriter, Stdout, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Table,
    /// Tab-separated cells, no header; tabs and line breaks in a cell become spaces.
    Text,
}

pub struct Output {
    format: Format,
    columns: Option<Vec<String>>,
    out: BufWriter<Stdout>,
    /// Rows held for a table (its widths need every row).
    table: Vec<Vec<String>>,
    header_written: bool,
    /// For columns the user chose: whether any row had each one (a value or `null`).
    found: Vec<bool>,
    /// Rows written (not JSON ones).
    rows_written: u64,
}

impl Output {
    pub fn new(format: Format, columns: Option<Vec<String>>) -> Self {
        Output {
            format,
            found: vec![false; columns.as_ref().map_or(0, Vec::len)],
            columns,
            out: BufWriter::new(std::io::stdout()),
            table: Vec::new(),
            header_written: false,
            rows_written: 0,
        }
    }

    /// The chosen columns (`--columns`) that no row written so far had, when rows were written:
    /// a misspelt field, or a relation not asked for (`rank.name` without `--include rank`),
    /// which would otherwise be an empty column and no word said.
    pub fn unmatched_columns(&self) -> Vec<&str> {
        if self.rows_written == 0 {
            return Vec::new();
        }
        let columns = self.columns.as_deref().unwrap_or_default();
        columns
            .iter()
            .zip(&self.found)
            .filter(|(_, found)| !**found)
            .map(|(c, _)| c.as_str())
            .collect()
    }

    fn write(&mut self, text: &str) -> Result<(), Failure> {
        match self.out.write_all(text.as_bytes()) {
            Ok(()) => Ok(()),
            // The reader went away (`| head`): nothing more to say.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            Err(e) => Err(Failure::other(format!("cannot write to stdout: {e}"))),
        }
    }

    fn flush(&mut self) -> Result<(), Failure> {
        match self.out.flush() {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
            Err(e) => Err(Failure::other(format!("cannot write to stdout: {e}"))),
        }
    }

    /// Text as it is (a dry run's request).
    pub fn raw(&mut self, text: &str) -> Result<(), Failure> {
        self.write(text)?;
        self.flush()
    }

    /// One answer: JSON as it is; for csv and table, an array is rows and anything else one row.
    pub fn value(&mut self, value: &Value) -> Result<(), Failure> {
        match (self.format, value) {
            (Format::Json, v) => {
                let text = serde_json::to_string_pretty(v).unwrap_or_default();
                self.write(&text)?;
                self.write("\n")?;
                self.flush()
            }
            (_, Value::Array(items)) => self.rows(items),
            (_, Value::Null) => self.flush(),
            (_, v) => self.rows(std::slice::from_ref(v)),
        }
    }

    /// A list of rows, whole.
    pub fn rows(&mut self, items: &[Value]) -> Result<(), Failure> {
        self.begin_rows()?;
        for item in items {
            self.row(item)?;
        }
        self.end_rows()
    }

    pub fn begin_rows(&mut self) -> Result<(), Failure> {
        Ok(())
    }

    /// One row: a JSON line, a CSV record, or a table row held until the end.
    pub fn row(&mut self, item: &Value) -> Result<(), Failure> {
        if self.format == Format::Json {
            let line = serde_json::to_string(item).unwrap_or_default();
            self.write(&line)?;
            return self.write("\n");
        }
        if self.columns.is_none() {
            self.columns = Some(default_columns(item));
        }
        let columns = self.columns.clone().unwrap_or_default();
        for (found, column) in self.found.iter_mut().zip(&columns) {
            *found = *found || lookup(item, column).is_some();
        }
        self.rows_written += 1;
        let cells: Vec<String> = columns.iter().map(|c| cell(item, c)).collect();
        match self.format {
            Format::Text => {
                let line = text_record(&cells);
                self.write(&line)
            }
            Format::Csv => {
                if !self.header_written {
                    self.header_written = true;
                    let header = csv_record(&columns);
                    self.write(&header)?;
                }
                let record = csv_record(&cells);
                self.write(&record)
            }
            _ => {
                self.table.push(cells);
                Ok(())
            }
        }
    }

    pub fn end_rows(&mut self) -> Result<(), Failure> {
        if self.format == Format::Table {
            let columns = self.columns.clone().unwrap_or_default();
            let text = table(&columns, &self.table);
            self.write(&text)?;
        }
        self.flush()
    }
}

/// The columns when none are chosen: the first row's fields whose values are not objects or
/// arrays, in its order (`id` first when it has one).
fn default_columns(item: &Value) -> Vec<String> {
    match item {
        Value::Object(map) => {
            let mut cols: Vec<String> = map
                .iter()
                .filter(|(_, v)| !v.is_object() && !v.is_array())
                .map(|(k, _)| k.clone())
                .collect();
            if let Some(i) = cols.iter().position(|c| c == "id") {
                let id = cols.remove(i);
                cols.insert(0, id);
            }
            cols
        }
        _ => vec!["value".into()],
    }
}

/// The text of column `path` (dotted) in `item`: strings as they are, `null` and missing as
/// nothing, other scalars as JSON, objects and arrays as compact JSON.
pub fn cell(item: &Value, path: &str) -> String {
    match lookup(item, path) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// The value at column `path` (dotted) in `item`, `None` when the item has no such field.
fn lookup<'v>(item: &'v Value, path: &str) -> Option<&'v Value> {
    if path == "value" && !item.is_object() {
        return Some(item);
    }
    // A field whose own name has dots (Intacct's query keeps `role.id` flat) wins.
    item.get(path).or_else(|| {
        path.split('.').try_fold(item, |v, key| match v {
            Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => v.get(key),
        })
    })
}

/// One CSV record (RFC 4180): fields with a comma, quote, CR or LF quoted, quotes doubled;
/// lines end in CRLF.
pub fn csv_record(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// One line of `--output text`: the cells tab-separated, a tab or line break inside one shown
/// as a space.
pub fn text_record(cells: &[String]) -> String {
    let mut line = cells
        .iter()
        .map(|c| c.replace(['\t', '\n', '\r'], " "))
        .collect::<Vec<_>>()
        .join("\t");
    line.push('\n');
    line
}

/// The widest a table cell is shown.
const MAX_WIDTH: usize = 48;

/// An aligned table: a header, a rule, the rows; long cells cut with `…`, line breaks shown
/// as spaces.
pub fn table(columns: &[String], rows: &[Vec<String>]) -> String {
    let shown = |s: &str| -> String {
        let s = s.replace(['\n', '\r', '\t'], " ");
        if s.chars().count() > MAX_WIDTH {
            let cut: String = s.chars().take(MAX_WIDTH - 1).collect();
            format!("{cut}…")
        } else {
            s
        }
    };
    let header: Vec<String> = columns.iter().map(|c| c.to_uppercase()).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| shown(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &body {
        for (i, c) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect::<Vec<_>>()
            .join("  ");
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&header);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(&rule));
    for row in &body {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_quotes_what_it_must() {
        let fields = vec!["a".into(), "b,c".into(), "say \"hi\"".into(), "x\ny".into()];
        assert_eq!(
            csv_record(&fields),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\r\n"
        );
    }

    #[test]
    fn cells_follow_dotted_paths_and_flat_dotted_names() {
        let item =
            json!({"id": 7, "rank": {"name": "PFC"}, "role.id": "R1", "tags": ["a"], "none": null});
        assert_eq!(cell(&item, "id"), "7");
        assert_eq!(cell(&item, "rank.name"), "PFC");
        assert_eq!(cell(&item, "role.id"), "R1");
        assert_eq!(cell(&item, "tags"), "[\"a\"]");
        assert_eq!(cell(&item, "tags.0"), "a");
        assert_eq!(cell(&item, "none"), "");
        assert_eq!(cell(&item, "missing.x"), "");
        assert_eq!(default_columns(&item), ["id", "none", "role.id"]);
    }

    #[test]
    fn text_is_tab_separated_one_line_a_row() {
        let cells = vec!["a".into(), "b\tc".into(), "x\r\ny".into(), String::new()];
        assert_eq!(text_record(&cells), "a\tb c\tx  y\t\n");
    }

    #[test]
    fn a_table_aligns_and_cuts() {
        let text = table(
            &["id".into(), "name".into()],
            &[vec!["1".into(), "x".repeat(60)]],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("ID  NAME"));
        assert!(lines[2].ends_with('…'));
        assert_eq!(lines[2].chars().count(), 4 + MAX_WIDTH);
    }
}
